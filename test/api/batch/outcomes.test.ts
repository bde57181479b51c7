/**
 * The batch path's outcomes (src/api/batch/outcomes.ts): an invalid event's own error its index, not
 * sent; the events received after one that failed retryably held back.
 */
import nock from 'nock'
import { createTestIntegration } from '@segment/actions-core'
import destination from '../../../src'
import { API, errorBody, mockSchema, useNock } from '../../helpers/attio-fixtures'
import { auth, bulkBodies, identify, multistatus } from './helpers'

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
})
