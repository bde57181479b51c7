/**
 * Concurrent writes of one record (issue 13, section 2): the write memory must never record a value Attio does
 * not hold, whatever order the answers arrive in. Nock sets the order of the answers; Attio applies the writes
 * in the order they were sent.
 */
import nock from 'nock'
import { createTestIntegration, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { API, mockSchema, recordBody, useNock } from '../helpers/attio-fixtures'

useNock()
const auth = { accessToken: 'oauth-token-concurrent', refreshToken: 'r' }
const PERSON = '11111111-1111-4111-8111-111111111111'
const USER = '22222222-2222-4222-8222-222222222222'
const mapping = { user_attributes: { plan: { '@path': '$.traits.plan' } } }

const identify = (traits: JSONObject) =>
  ({
    type: 'identify',
    userId: 'u-1',
    traits: { email: 'ada@example.com', ...traits }
  }) as unknown as SegmentEvent

const run = (plan: string) =>
  createTestIntegration(destination).testAction('identifyUser', {
    event: identify({ plan }),
    auth,
    useDefaultMappings: true,
    mapping
  })

const planIs = (plan: string) => (body: { data: { values: { plan?: unknown[] } } }) =>
  JSON.stringify(body.data.values.plan ?? []).includes(`"${plan}"`)

describe('concurrent writes of one record', () => {
  it('two writes that overlap: whichever answer comes last, the next write is sent', async () => {
    mockSchema()
    nock(API).persist().put('/v2/objects/people/records').query(true).reply(200, recordBody('people', PERSON))
    nock(API)
      .put('/v2/objects/users/records', planIs('Free'))
      .query(true)
      .reply(200, recordBody('users', USER))
    await run('Free')
    // Attio applies "Pro" and then "Enterprise" (it holds "Enterprise"), but answers "Pro" last.
    nock(API)
      .put('/v2/objects/users/records', planIs('Pro'))
      .query(true)
      .delay(300)
      .reply(200, recordBody('users', USER))
    nock(API)
      .put('/v2/objects/users/records', planIs('Enterprise'))
      .query(true)
      .reply(200, recordBody('users', USER))
    const first = run('Pro')
    await new Promise((resolve) => setTimeout(resolve, 100))
    await Promise.all([first, run('Enterprise')])
    const next = nock(API)
      .put('/v2/objects/users/records', planIs('Pro'))
      .query(true)
      .reply(200, recordBody('users', USER))
    await run('Pro')
    expect(next.isDone()).toBe(true)
  })
})
