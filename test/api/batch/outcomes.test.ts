/**
 * The batch path's outcomes (src/api/batch/outcomes.ts): an invalid event's own error its index, not
 * sent; the events received after one that failed retryably held back.
 */
import nock from 'nock'
import { createTestIntegration } from '@segment/actions-core'
import destination from '../../../src'
import { API, errorBody, mockSchema, recordBody, useNock } from '../../helpers/attio-fixtures'
import { auth, bulkBodies, group, identify, identifyInBulk, multistatus } from './helpers'

useNock()

describe('batch path: outcomes', () => {
  it('gives invalid events their own error at their index, the single path message, and does not send them', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: [
        identify('u-1', 'ada@example.com', 1),
        identify('u-2', 'not-an-email', 2),
        identify(undefined, 'grace@example.com', 3),
        identify('u-4', 'linus@example.com', 4, { plan: 'Gold' })
      ],
      auth,
      useDefaultMappings: true,
      mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
    })
    const results = multistatus(integration)
    expect(results.map((r) => r.status)).toEqual([202, 400, 400, 400])
    expect(results[1].errormessage).toBe(
      'email_address: "not-an-email" is not a valid email address. Expected a valid email address like "ada@example.com", with only ASCII before the @ (an internationalised domain is sent as punycode); it is trimmed and lower-cased.'
    )
    expect(results[2].errormessage).toMatch(/user_id/)
    expect(results[3].errormessage).toMatch(/^user_attributes\.plan: "Gold" is not one of the options/)
    expect(results[1].errortype).toBe('PAYLOAD_VALIDATION_FAILED')
    const [assertions] = bulkBodies(responses)
    expect(assertions.map((a) => a.values.user_id)).toEqual([[{ value: 'u-1' }]])

    // The single path gives the same message for the same event.
    const single = createTestIntegration(destination)
    await expect(
      single.testAction('identifyUser', {
        event: identify('u-2', 'not-an-email', 2),
        auth,
        useDefaultMappings: true
      })
    ).rejects.toThrow(results[1].errormessage as string)
  })

  it('holds back the events received after one whose schema read failed, so that the retry cannot write older values over newer ones', async () => {
    const options = '/v2/objects/users/attributes/plan/options'
    const titles = (list: string[]) => ({
      data: list.map((title, i) => ({
        id: { workspace_id: 'w', object_id: 'o', attribute_id: 'a', option_id: `opt-${i}` },
        title,
        is_archived: false
      }))
    })
    // The options are read once ("Team" is not among them), and the refresh "Team" causes fails (500).
    nock(API)
      .get(options)
      .query(true)
      .reply(200, titles(['Free', 'Pro']))
    nock(API)
      .get(options)
      .query(true)
      .reply(500, errorBody(500, 'internal_server_error', 'Try again'))
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: [
        identify('u-1', 'ada@example.com', 3, { plan: 'Pro' }), // received after the failed one: held back
        identify('u-1', 'ada@example.com', 2, { plan: 'Team' }), // its refresh fails: retried by the host
        identify('u-2', 'grace@example.com', 1, { plan: 'Free' }) // received before it: sent
      ],
      auth,
      useDefaultMappings: true,
      mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
    })
    const results = multistatus(integration)
    expect(results.map((r) => r.status)).toEqual([503, 500, 202])
    expect(results[0].errormessage).toMatch(
      /^Not sent: event 1 of this batch, received before this one, failed/
    )
    const [assertions] = bulkBodies(responses)
    expect(assertions.map((a) => a.values.user_id)).toEqual([[{ value: 'u-2' }]])
  })

  describe('an event that carries a record of an earlier event the host retries', () => {
    it('is answered retryable too (an Identify User whose email changed: its old Person failed in another request), so the retry cannot write older values over its own', async () => {
      mockSchema()
      // The old Person (ada@) is a record of its own (the User now names the later one): one request each.
      nock(API)
        .put('/v2/batch/records')
        .reply(503, errorBody(503, 'unavailable', 'Try later'))
      nock(API).put('/v2/batch/records').times(2).reply(202)
      const integration = createTestIntegration(destination)
      const responses = await integration.testBatchAction('identifyUser', {
        events: [
          identify('u-1', 'ada@example.com', 1, { plan: 'Free' }),
          identify('u-1', 'ada.l@example.com', 2, { plan: 'Pro' }),
          identify('u-2', 'grace@example.com', 3)
        ],
        auth,
        useDefaultMappings: true,
        mapping: { batch_size: 1, user_attributes: { plan: { '@path': '$.traits.plan' } } }
      })
      const [first, second] = bulkBodies(responses)
      expect(first.map((a) => a.object)).toEqual(['people'])
      expect(second.map((a) => a.values.user_id)).toEqual([[{ value: 'u-1' }]])
      const results = multistatus(integration)
      // Event 0's old Person failed: the host sends it again, and with it the User's older plan and email. Event 1,
      // which Attio accepted, is retried after it; u-2 shares no record with either.
      expect(results.map((r) => r.status)).toEqual([503, 503, 202])
      expect(results[1].errormessage).toMatch(
        /^Sent, but to be retried: event 0 of this batch, received before this one, carries one of its records/
      )
    })

    it('is answered retryable too when the earlier one is retried for a link Attio has not applied yet (Group Workspace)', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      await identifyInBulk(integration)
      // u-1 was sent in bulk a moment ago and is not found; u-2 is.
      nock(API)
        .post('/v2/objects/users/records/query', { filter: { user_id: { $in: ['u-1', 'u-2'] } }, limit: 2 })
        .reply(200, {
          data: [
            {
              ...recordBody('users', '22222222-2222-4222-8222-222222222222').data,
              values: { user_id: [{ value: 'u-2' }] }
            }
          ]
        })
      nock(API).put('/v2/batch/records').reply(202)
      process.env.ATTIO_BULK_NESTED_LINKS = 'off'
      try {
        await integration.testBatchAction('groupWorkspace', {
          events: [
            group('u-1', 10),
            group('u-2', 11),
            { ...group('u-2', 12), groupId: 'ws-2', traits: { website: 'globex.com' } }
          ],
          auth,
          useDefaultMappings: true
        })
      } finally {
        delete process.env.ATTIO_BULK_NESTED_LINKS
      }
      const results = multistatus(integration)
      expect(results.map((r) => r.status)).toEqual([503, 503, 202])
      expect(results[0].errormessage).toMatch(/^user_id: Attio has no User with user_id "u-1" yet/)
      expect(results[1].errormessage).toMatch(/^Sent, but to be retried: event 0 of this batch/)
    })
  })
})
