/**
 * A credential Attio refuses (its 401), as a host meets it: through actions-core's `Destination` with a
 * subscription (`onEvent` / `onBatch`), OAuth token or API key. Attio's OAuth tokens do not expire and Attio
 * documents no refresh grant, so there is nothing to refresh: the host must see the action's own message and
 * the code INVALID_AUTHENTICATION (never actions-core's OAUTH_REFRESH_FAILED "Failed to refresh access token"),
 * and a batch must answer one outcome per event instead of throwing.
 */
import nock from 'nock'
import {
  createTestEvent,
  defaultValues,
  Destination,
  type JSONObject,
  type SegmentEvent
} from '@segment/actions-core'
import definition from '../../../src'
import { API, errorBody, mockSchema, useNock } from '../../helpers/attio-fixtures'

useNock()

const identify = (userId: string) =>
  createTestEvent({ type: 'identify', userId, traits: { email: `${userId}@example.com` } })

const subscription = (batch: boolean) => ({
  subscribe: 'type = "identify"',
  partnerAction: 'identifyUser',
  mapping: { ...defaultValues(definition.actions.identifyUser.fields), enable_batching: batch } as JSONObject
})

const CREDENTIALS: Array<[string, JSONObject]> = [
  ['an OAuth token', { oauth: { access_token: 'revoked-oauth-token', refresh_token: 'r' } }],
  ['an API key', { api_key: 'revoked-api-key', oauth: { access_token: 'unused', refresh_token: 'r' } }],
  ['no credential at all', { oauth: {} }]
]

/** Attio refuses every request with a 401, reads and writes alike. */
function refuseEverything(): { requests: number } {
  const seen = { requests: 0 }
  const body = errorBody(401, 'invalid_token', 'The token has been revoked.', 'auth_error')
  const refuse = () => {
    seen.requests += 1
    return body
  }
  nock(API).persist().get(/.*/).query(true).reply(401, refuse)
  nock(API).persist().put(/.*/).query(true).reply(401, refuse)
  nock(API).persist().post(/.*/).query(true).reply(401, refuse)
  return seen
}

/** The schema reads succeed (a cached schema); every write is refused with a 401. */
function refuseWritesOnly(): void {
  mockSchema()
  nock(API)
    .persist()
    .put(/.*/)
    .query(true)
    .reply(401, errorBody(401, 'invalid_token', 'The token has been revoked.', 'auth_error'))
}

const multistatusOf = (results: unknown) =>
  (results as Array<{ multistatus: Array<{ status: number; errortype?: string; errormessage?: string }> }>)[0]
    .multistatus

describe.each(CREDENTIALS)('Attio refuses %s', (_name, credentials) => {
  it("onEvent: the host gets the action's message and INVALID_AUTHENTICATION, not a failed refresh", async () => {
    refuseEverything()
    const error = await new Destination(definition)
      .onEvent(identify('u-1'), { ...credentials, subscription: subscription(false) })
      .then(
        () => undefined,
        (caught: unknown) => caught as { message: string; code?: string; status?: number }
      )
    expect(error).toBeDefined()
    expect(error?.message).not.toMatch(/Failed to refresh/)
    expect(error?.code).toBe('INVALID_AUTHENTICATION')
    expect(error?.status).toBe(403)
    expect(error?.message).toMatch(/^(Attio did not accept the credential|No Attio credential)/)
    expect(error?.message).not.toContain('revoked-')
  })

  it('onBatch: every event gets its own INVALID_AUTHENTICATION outcome with the message; nothing throws', async () => {
    const seen = refuseEverything()
    const results = await new Destination(definition).onBatch(
      [identify('u-1'), identify('u-2'), identify('u-3')] as SegmentEvent[],
      { ...credentials, subscription: subscription(true) }
    )
    const multistatus = multistatusOf(results)
    expect(multistatus).toHaveLength(3)
    // One refusal is enough to know: the other events send nothing more.
    expect(seen.requests).toBeLessThanOrEqual(1)
    for (const outcome of multistatus) {
      expect(outcome.errortype).toBe('INVALID_AUTHENTICATION')
      expect(outcome.errormessage).toMatch(/^(Attio did not accept the credential|No Attio credential)/)
      expect(outcome.errormessage).not.toContain('revoked-')
      // 403, not 401: actions-core would answer a 401 with a refresh Attio's tokens cannot have.
      expect(outcome.status).toBe(403)
    }
  })
})

it('a schema already read: the 401 of the write itself is reported the same way', async () => {
  refuseWritesOnly()
  const error = await new Destination(definition)
    .onEvent(identify('u-1'), { api_key: 'revoked-api-key', subscription: subscription(false) })
    .then(
      () => undefined,
      (caught: unknown) => caught as { message: string; code?: string }
    )
  expect(error).toMatchObject({ code: 'INVALID_AUTHENTICATION' })
  expect(error?.message).toMatch(
    /^Attio did not accept the credential for the Person \(invalid_token: The token has been revoked\.\)/
  )
})

it('a schema already read: the 401 of the bulk request gives each event of the batch its outcome', async () => {
  refuseWritesOnly()
  const results = await new Destination(definition).onBatch(
    [identify('u-1'), identify('u-2')] as SegmentEvent[],
    { api_key: 'revoked-api-key', subscription: subscription(true) }
  )
  const multistatus = multistatusOf(results)
  expect(multistatus.map((outcome) => [outcome.status, outcome.errortype])).toEqual([
    [403, 'INVALID_AUTHENTICATION'],
    [403, 'INVALID_AUTHENTICATION']
  ])
  expect(multistatus[0].errormessage).toMatch(/^Attio did not accept the credential for the batch/)
})
