/**
 * Over-deep mapped values that reach the destination (below the depth at which actions-core itself fails,
 * see test/local/depth.test.ts): refused with a 400 naming the field, before any request, on the single
 * path and per event in a batch. No Attio value form nests more than four levels.
 */
import nock from 'nock'
import {
  createTestEvent,
  createTestIntegration,
  type JSONValue,
  type SegmentEvent
} from '@segment/actions-core'
import destination from '../../src'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { API, mockSchema, useNock, writesOf } from '../helpers/attio-fixtures'

useNock()
const settings = { api_key: 'test-key' } as Settings

function nested(levels: number): JSONValue {
  let value: JSONValue = 'x'
  for (let level = 0; level < levels; level++) value = level % 2 ? [value] : { a: value }
  return value
}

const identify = (userId: string, company?: JSONValue) =>
  createTestEvent({
    type: 'identify',
    userId,
    traits: { email: `${userId}@example.com`, ...(company === undefined ? {} : { company }) }
  }) as SegmentEvent
const mapping = {
  person_attributes: {
    company: { '@path': '$.traits.company' },
    description: { '@path': '$.traits.company' }
  }
}

describe.each([33, 2000])('a mapped value nested %i levels deep', (levels) => {
  it('single path: a 400 naming the field and the bound, no write sent', async () => {
    mockSchema()
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('identifyUser', {
        event: identify('deep', nested(levels)),
        settings,
        useDefaultMappings: true,
        mapping
      })
    ).rejects.toThrow(
      /^person_attributes\.company: the value is nested more than 32 levels deep\. Person attribute "company"/
    )
    expect(writesOf(integration.responses)).toEqual([])
  })

  it('batch path: that event alone gets the 400, the other is sent', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: [identify('deep', nested(levels)), identify('u-2')],
      settings,
      useDefaultMappings: true,
      mapping
    })
    const [deep, fine] = (
      integration.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(deep.status).toBe(400)
    expect(deep.errormessage).toMatch(
      /^person_attributes\.company: the value is nested more than 32 levels deep/
    )
    expect(fine.status).toBe(202)
  })
})

it('the deepest documented form (a record reference by key, in an array) is not refused', async () => {
  mockSchema()
  nock(API).put('/v2/batch/records').reply(202)
  const integration = createTestIntegration(destination)
  await integration.testBatchAction('identifyUser', {
    events: [identify('u-1', [{ target_object: 'companies', domains: [{ domain: 'acme.com' }] }])],
    settings,
    useDefaultMappings: true,
    mapping: { person_attributes: { company: { '@path': '$.traits.company' } } }
  })
  const [outcome] = (integration.results[0] as unknown as { multistatus: Array<{ status: number }> })
    .multistatus
  expect(outcome.status).toBe(202)
})
