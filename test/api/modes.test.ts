/**
 * The exact requests of Assert Record's sync modes (src/api/modes.ts); a user deletion request is in
 * deletion.test.ts.
 */
import nock from 'nock'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../src'
import {
  API,
  capture,
  errorBody,
  linesOf,
  mockSchema,
  recordBody,
  requestsOf,
  useNock
} from '../helpers/attio-fixtures'

const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }
const PERSON_ID = '11111111-1111-4111-8111-111111111111'
const USER_ID = '22222222-2222-4222-8222-222222222222'

useNock()

const event = createTestEvent({ type: 'identify', traits: { email: 'Ann@Example.com', title: 'CEO' } })
const mapping = (mode: string) => ({
  __segment_internal_sync_mode: mode,
  object: 'people',
  matching_attribute: 'email_addresses',
  attributes: { email_addresses: { '@path': '$.traits.email' }, job_title: { '@path': '$.traits.title' } }
})
const found = (...ids: string[]) => ({ data: ids.map((id) => recordBody('people', id).data) })

describe('sync modes: exact requests', () => {
  it('update: a query by the matching value, then PUT by id without the matching attribute', async () => {
    mockSchema()
    nock(API)
      .post('/v2/objects/people/records/query', {
        filter: { email_addresses: 'ann@example.com' },
        limit: 2
      })
      .reply(200, found(PERSON_ID))
    nock(API)
      .put(`/v2/objects/people/records/${PERSON_ID}`, { data: { values: { job_title: [{ value: 'CEO' }] } } })
      .reply(200, recordBody('people', PERSON_ID))
    const integration = createTestIntegration(destination)
    const responses = await integration.testAction('assertRecord', {
      event,
      auth,
      mapping: mapping('update')
    })
    expect(linesOf(responses).filter((l) => !l.startsWith('GET'))).toEqual([
      'POST /v2/objects/people/records/query',
      `PUT /v2/objects/people/records/${PERSON_ID}`
    ])
  })

  it('update, batched: after an event fails retryably, the later ones are held back (503) and not sent', async () => {
    mockSchema()
    nock(API)
      .post('/v2/objects/people/records/query')
      .reply(503, errorBody(503, 'service_unavailable', 'Try again.', 'api_error'))
    const later = createTestEvent({ type: 'identify', traits: { email: 'bo@example.com', title: 'CTO' } })
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('assertRecord', {
      events: [event, later, event],
      auth,
      mapping: mapping('update')
    })
    const multistatus = (
      integration.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(multistatus.map((m) => m.status)).toEqual([503, 503, 503])
    expect(multistatus[1].errormessage).toMatch(/^Not sent: event 0 of this batch, received before this one/)
    expect(multistatus[2].errormessage).toMatch(/It is safe to retry\.$/)
    // Only the failed query reached Attio: nock has no interceptor left, and none for the held-back events.
    expect(nock.pendingMocks().filter((m) => m.includes('/records/query'))).toEqual([])
  })

  it('update of a missing record: no write at all, a 404 naming the mode', async () => {
    mockSchema()
    nock(API).post('/v2/objects/people/records/query').reply(200, found())
    const integration = createTestIntegration(destination)
    const { responses, error } = await capture(integration, (i) =>
      i.testAction('assertRecord', { event, auth, mapping: mapping('update') })
    )
    expect(error?.message).toMatch(/sync mode is "update".*nothing was created/)
    expect(requestsOf(responses).filter((r) => r.method !== 'GET' && r.method !== 'POST')).toEqual([])
  })

  it('add: a query, then POST create with every value', async () => {
    mockSchema()
    nock(API).post('/v2/objects/people/records/query').reply(200, found())
    nock(API)
      .post('/v2/objects/people/records', {
        data: {
          values: { email_addresses: [{ email_address: 'ann@example.com' }], job_title: [{ value: 'CEO' }] }
        }
      })
      .reply(200, recordBody('people', PERSON_ID))
    const integration = createTestIntegration(destination)
    await integration.testAction('assertRecord', { event, auth, mapping: mapping('add') })
    expect(JSON.stringify(integration.results)).toContain('"result":"created"')
  })

  it('add losing a race (409 uniqueness_conflict) reports the record as existing', async () => {
    mockSchema()
    nock(API).post('/v2/objects/people/records/query').reply(200, found())
    nock(API)
      .post('/v2/objects/people/records')
      .reply(409, errorBody(409, 'uniqueness_conflict', 'taken'))
    const integration = createTestIntegration(destination)
    await integration.testAction('assertRecord', { event, auth, mapping: mapping('add') })
    expect(JSON.stringify(integration.results)).toContain('"result":"exists"')
  })

  it('delete: a query, then DELETE by id; a 404 on DELETE (gone meanwhile) is a success', async () => {
    mockSchema()
    nock(API).post('/v2/objects/people/records/query').reply(200, found(PERSON_ID))
    nock(API)
      .delete(`/v2/objects/people/records/${PERSON_ID}`)
      .reply(404, errorBody(404, 'not_found', 'gone'))
    const integration = createTestIntegration(destination)
    await integration.testAction('assertRecord', { event, auth, mapping: mapping('delete') })
    expect(JSON.stringify(integration.results)).toContain('"result":"deleted"')
  })

  it('delete when the values match two records: refused, nothing deleted', async () => {
    mockSchema()
    nock(API).post('/v2/objects/people/records/query').reply(200, found(PERSON_ID, USER_ID))
    const integration = createTestIntegration(destination)
    const { responses, error } = await capture(integration, (i) =>
      i.testAction('assertRecord', { event, auth, mapping: mapping('delete') })
    )
    expect(error?.message).toMatch(/match several people records/)
    expect(requestsOf(responses).some((r) => r.method === 'DELETE')).toBe(false)
  })
})
