/**
 * The batch path's bulk bodies (src/api/batch/body.ts), exact requests: each action's assertions with the
 * referenced records nested, and how they split into requests (batch_size, Attio's 10,000 assertions).
 */
import nock from 'nock'
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../../src'
import { API, linesOf, mockSchema, useNock } from '../../helpers/attio-fixtures'
import { at, auth, bulkBodies, identify, multistatus, type Assertion } from './helpers'

useNock()

describe('batch path: bodies', () => {
  it('sends Identify User as a User assertion with the Person nested, multiselect values appended', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', ' Ada@Example.com ', 1, { plan: 'Pro' })],
      auth,
      useDefaultMappings: true,
      mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
    })
    expect(linesOf(responses).filter((l) => !l.startsWith('GET'))).toEqual(['PUT /v2/batch/records'])
    expect(bulkBodies(responses)).toEqual([
      [
        {
          object: 'users',
          mode: 'create-or-update',
          matching_attribute: 'user_id',
          multiselect_values: 'append',
          received_at: at(1),
          values: {
            user_id: [{ value: 'u-1' }],
            primary_email_address: [{ email_address: 'ada@example.com' }],
            plan: [{ option: 'Pro' }],
            person: {
              object: 'people',
              mode: 'create-or-update',
              matching_attribute: 'email_addresses',
              multiselect_values: 'append',
              received_at: at(1),
              values: { email_addresses: [{ email_address: 'ada@example.com' }] }
            }
          }
        }
      ]
    ])
    expect(multistatus(integration)).toEqual([
      expect.objectContaining({
        status: 202,
        body: expect.objectContaining({ accepted: true, message: expect.stringMatching(/asynchronously/) })
      })
    ])
  })

  it('chunks at batch_size, never more assertions in one request', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').times(3).reply(202)
    const integration = createTestIntegration(destination)
    const events = Array.from({ length: 5 }, (_, i) => identify(`u-${i}`, `user${i}@example.com`, i))
    const responses = await integration.testBatchAction('identifyUser', {
      events,
      auth,
      useDefaultMappings: true,
      mapping: { batch_size: 2 }
    })
    expect(bulkBodies(responses).map((a) => a.length)).toEqual([2, 2, 1])
    expect(multistatus(integration).map((r) => r.status)).toEqual([202, 202, 202, 202, 202])
  })

  it("never sends more than Attio's 10,000 assertions in one request, nested ones included", async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').times(2).reply(202)
    const integration = createTestIntegration(destination)
    // 6,000 users: 6,000 User assertions, each with its Person nested, is 12,000 assertions in all.
    const events = Array.from({ length: 6000 }, (_, i) => identify(`u-${i}`, `user${i}@example.com`, i % 60))
    const responses = await integration.testBatchAction('identifyUser', {
      events,
      auth,
      useDefaultMappings: true,
      mapping: { batch_size: 10000 }
    })
    const bodies = bulkBodies(responses)
    expect(bodies.map((a) => a.length)).toEqual([5000, 1000])
    const total = (assertions: Assertion[]) =>
      assertions.reduce((count, a) => count + 1 + (a.values.person === undefined ? 0 : 1), 0)
    expect(bodies.map(total)).toEqual([10000, 2000])
    expect(multistatus(integration).every((r) => r.status === 202)).toBe(true)
  }, 30_000)

  it('sends Assert Record as plain assertions', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('assertRecord', {
      events: [
        { type: 'track', properties: { domain: 'acme.com', name: 'Acme' } } as unknown as SegmentEvent
      ],
      auth,
      mapping: {
        object: 'companies',
        matching_attribute: 'domains',
        received_at: at(5),
        attributes: { domains: { '@path': '$.properties.domain' }, name: { '@path': '$.properties.name' } }
      }
    })
    expect(bulkBodies(responses)).toEqual([
      [
        {
          object: 'companies',
          mode: 'create-or-update',
          matching_attribute: 'domains',
          multiselect_values: 'append',
          received_at: at(5),
          values: { domains: [{ domain: 'acme.com' }], name: [{ value: 'Acme' }] }
        }
      ]
    ])
  })
})
