/**
 * The batch path's queue (src/api/batch/fallback.ts): without a bulk endpoint, documented single-record
 * asserts in order, one outcome each.
 */
import nock from 'nock'
import { createTestIntegration } from '@segment/actions-core'
import destination from '../../../src'
import { API, errorBody, mockSchema, recordBody, useNock, writesOf } from '../../helpers/attio-fixtures'
import { auth, group, identify, multistatus } from './helpers'

useNock()

/** The schema reads answered, and no bulk endpoint (404): the batch goes through the queue. */
function noBulkEndpoint(): void {
  mockSchema()
  nock(API)
    .put('/v2/batch/records')
    .reply(404, errorBody(404, 'not_found', 'No route'))
}

const USER_1 = '44444444-4444-4444-8444-444444444444'

describe('batch path: outcomes', () => {
  it('falls back to a queue of documented asserts when there is no bulk endpoint (404)', async () => {
    noBulkEndpoint()
    nock(API)
      .put('/v2/objects/people/records')
      .query(true)
      .times(2)
      .reply(200, () => recordBody('people'))
    nock(API)
      .put('/v2/objects/users/records')
      .query(true)
      .times(2)
      .reply(200, () => recordBody('users'))
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', 'a@b.co', 1), identify('u-2', 'c@d.co', 2), identify('u-1', 'a@b.co', 3)],
      auth,
      useDefaultMappings: true
    })
    const writes = writesOf(responses).map((r) => `${r.method} ${r.path.split('?')[0]}`)
    expect(writes[0]).toBe('PUT /v2/batch/records')
    // Each user once (coalesced), each Person before its User.
    expect(writes.slice(1).filter((w) => w.includes('/users/'))).toHaveLength(2)
    expect(writes.indexOf('PUT /v2/objects/people/records')).toBeLessThan(
      writes.indexOf('PUT /v2/objects/users/records')
    )
    expect(multistatus(integration).map((r) => r.status)).toEqual([200, 200, 200])
  })

  it("queue: one event's missing User fails that event alone, with its own message; the Workspace's other events succeed", async () => {
    noBulkEndpoint()
    // u-1 exists in Attio; u-9 does not.
    nock(API)
      .persist()
      .post('/v2/objects/users/records/query')
      .reply(200, (_uri, body) => {
        const wanted = JSON.stringify(body)
        return { data: wanted.includes('"u-1"') ? [recordBody('users', USER_1).data] : [] }
      })
    nock(API)
      .persist()
      .put(/\/v2\/objects\/\w+\/records/)
      .query(true)
      .reply(200, () => recordBody('workspaces'))
    nock(API)
      .persist()
      .patch(/\/v2\/objects\/workspaces\/records\/.*/)
      .reply(200, () => recordBody('workspaces'))
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('groupWorkspace', {
      events: [group('u-1', 1), group('u-9', 2), group('u-1', 3)],
      auth,
      useDefaultMappings: true
    })
    const results = multistatus(integration)
    expect(results.map((r) => r.status)).toEqual([200, 404, 200])
    expect(results[1].errormessage).toMatch(/^user_id: Attio has no User with user_id "u-9"/)
    expect(results[0].errormessage).toBeUndefined()
  })
})
