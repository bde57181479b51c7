/**
 * What one event and one request may carry (issue 13, section 2, "bounded by bytes"): a text value up to Attio's
 * 10 MB, an event's values up to 16 MB in all (refused before sending, naming its largest field), and a bulk
 * request split so that its body stays under 32 MB.
 */
import nock from 'nock'
import { createTestIntegration, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import {
  API,
  capture,
  mockSchema,
  recordBody,
  requestsOf,
  useNock,
  writesOf
} from '../helpers/attio-fixtures'

useNock()
const auth = { accessToken: 'oauth-token-bounds', refreshToken: 'r' }
const MB = 1024 * 1024
const mapping = {
  person_attributes: {
    description: { '@path': '$.traits.description' },
    twitter: { '@path': '$.traits.twitter' }
  }
}
const identify = (userId: string, traits: JSONObject) =>
  ({
    type: 'identify',
    userId,
    traits: { email: `${userId}@example.com`, ...traits }
  }) as unknown as SegmentEvent

function mockWrites() {
  nock(API).persist().put('/v2/objects/people/records').query(true).reply(200, recordBody('people'))
  nock(API).persist().put('/v2/objects/users/records').query(true).reply(200, recordBody('users'))
}

describe('an event whose values add up to more than 16 MB', () => {
  const big = { description: 'd'.repeat(9 * MB), twitter: 't'.repeat(8 * MB) }

  it('is refused on the single path before any write, naming its largest field', async () => {
    mockSchema()
    mockWrites()
    const integration = createTestIntegration(destination)
    const { responses, error } = await capture(integration, (i) =>
      i.testAction('identifyUser', { event: identify('u-1', big), auth, mapping, useDefaultMappings: true })
    )
    expect(error?.message).toMatch(/^person_attributes\.description: .*17(\.0)? MB.*16 MB/)
    expect(writesOf(responses)).toEqual([])
  })

  it('is refused on the batch path at its index, and the other events are sent', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', big), identify('u-2', { twitter: '@ada' })],
      auth,
      mapping,
      useDefaultMappings: true
    })
    const statuses = (
      integration.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(statuses.map((s) => s.status)).toEqual([400, 202])
    expect(statuses[0].errormessage).toMatch(/^person_attributes\.description: /)
  })
})

describe('a batch whose records add up to more than 32 MB', () => {
  it('goes out in several bulk requests, none of them over 32 MB', async () => {
    mockSchema()
    nock(API).persist().put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: Array.from({ length: 6 }, (_, i) =>
        identify(`u-${i}`, { description: `${i}`.padEnd(7 * MB, 'x') })
      ),
      auth,
      mapping,
      useDefaultMappings: true
    })
    const bodies = requestsOf(responses).filter((r) => r.path === '/v2/batch/records')
    expect(bodies.length).toBeGreaterThan(1)
    for (const body of bodies)
      expect(Buffer.byteLength(JSON.stringify(body.body))).toBeLessThanOrEqual(32 * MB)
    expect(bodies.flatMap((b) => (b.body as { assertions: unknown[] }).assertions)).toHaveLength(6)
  }, 60_000)
})
