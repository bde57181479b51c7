/**
 * The batch path's merge step (src/api/batch/merge.ts): events of the same record coalesced in received_at
 * order into one assertion.
 */
import nock from 'nock'
import { createTestIntegration } from '@segment/actions-core'
import destination from '../../../src'
import { API, mockSchema, useNock } from '../../helpers/attio-fixtures'
import { at, auth, bulkBodies, identify, multistatus, type Assertion } from './helpers'

useNock()

/** Plan, seats and phone mapped for Identify User. */
const MAPPING = {
  user_attributes: { plan: { '@path': '$.traits.plan' }, seats: { '@path': '$.traits.seats' } },
  person_attributes: { phone_numbers: { '@path': '$.traits.phone' } }
}

/** Identify User for `events` in one batch (one bulk request, answered 202): its assertions and each event's status. */
async function identifyBatch(events: ReturnType<typeof identify>[]) {
  mockSchema()
  nock(API).put('/v2/batch/records').reply(202)
  const integration = createTestIntegration(destination)
  const responses = await integration.testBatchAction('identifyUser', {
    events,
    auth,
    useDefaultMappings: true,
    mapping: MAPPING
  })
  const [assertions] = bulkBodies(responses)
  return { assertions, statuses: multistatus(integration).map((r) => r.status) }
}

describe('batch path: bodies', () => {
  it('coalesces the same record in received_at order: later single values win, multiselect values unite', async () => {
    // Delivered out of order: the event received last (second 3) says Enterprise.
    const { assertions, statuses } = await identifyBatch([
      identify('u-1', 'ada@example.com', 3, { plan: 'Enterprise', phone: '+14155552671' }),
      identify('u-1', 'ADA@example.com', 1, { plan: 'Free', seats: 3, phone: '+442079460958' }),
      identify('u-2', 'grace@example.com', 2, { plan: 'Pro' })
    ])
    expect(assertions).toHaveLength(2)
    const ada = assertions.find((a) => JSON.stringify(a.values.user_id) === '[{"value":"u-1"}]') as Assertion
    expect(ada.values.plan).toEqual([{ option: 'Enterprise' }])
    expect(ada.values.seats).toEqual([{ value: 3 }])
    expect(ada.received_at).toBe(at(3))
    expect((ada.values.person as Assertion).values.phone_numbers).toEqual([
      { original_phone_number: '+442079460958', country_code: 'GB' },
      { original_phone_number: '+14155552671', country_code: 'US' }
    ])
    expect(statuses).toEqual([202, 202, 202])
  })
})

describe('batch path: one scratch preparation serves every record prepared at once', () => {
  it('an event refused after some of its values gives nothing of them to the events after it', async () => {
    const { assertions, statuses } = await identifyBatch([
      identify('u-1', 'ada@example.com', 1, { plan: 'Pro', seats: 2, phone: '+14155552671' }),
      // Refused at its seats (not a number), after its plan was written.
      identify('u-2', 'bob@example.com', 2, { plan: 'Free', seats: 'many' }),
      identify('u-3', 'grace@example.com', 3, { seats: 5 })
    ])
    expect(assertions).toHaveLength(2)
    const byUser = new Map(assertions.map((a) => [JSON.stringify(a.values.user_id), a]))
    const ada = byUser.get('[{"value":"u-1"}]') as Assertion
    const grace = byUser.get('[{"value":"u-3"}]') as Assertion
    expect(Object.keys(ada.values).sort()).toEqual([
      'person',
      'plan',
      'primary_email_address',
      'seats',
      'user_id'
    ])
    expect(Object.keys(grace.values).sort()).toEqual(['person', 'primary_email_address', 'seats', 'user_id'])
    expect(grace.values.seats).toEqual([{ value: 5 }])
    expect((grace.values.person as Assertion).values).toEqual({
      email_addresses: [{ email_address: 'grace@example.com' }]
    })
    expect(statuses).toEqual([202, 400, 202])
  })
})
