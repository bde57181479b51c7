/**
 * The named failure kinds the batch path and the records layer decide on: each says yes to the failure it
 * names and no to the look-alikes (a limiter's refusal against Attio's own 429, a missing link against any
 * other 404).
 */
import { HTTPError } from '@segment/actions-core'
import {
  AttioApiError,
  isMissingLink,
  isNoBulkEndpoint,
  isNoWriteSlot,
  isRateLimited,
  toActionError
} from '../../src/api/errors'
import { WriteLimiter } from '../../src/api/pacing'
import { linkExisting, linkNotAppliedYet, missingLink } from '../../src/api/records'

/** An actions-core HTTPError as the request client throws it, for a status and headers. */
function httpError(status: number, headers: Record<string, string> = {}): HTTPError {
  const response = new Response(JSON.stringify({ code: 'rate_limit_exceeded', message: 'slow down' }), {
    status,
    headers
  })
  // The request and options are not read by toActionError: only the response is.
  return new HTTPError(response as never, {} as never, {} as never)
}

const reference = linkExisting({
  object: 'users',
  attribute: 'user_id',
  value: 'u-1',
  label: 'User',
  field: 'user_ids',
  whenMissing: 'identify the user first.'
})

describe('named failure kinds', () => {
  it("no write slot: the limiter's own refusal, not Attio's 429 (which carries its Retry-After)", async () => {
    const limiter = new WriteLimiter(1, 60_000)
    await limiter.acquire(0)
    const refused = await limiter.acquire(0).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(isNoWriteSlot(refused)).toBe(true)
    expect(isRateLimited(refused)).toBe(true)
    const attio = toActionError(httpError(429, { 'retry-after': '2' }), 'the Person', [])
    expect(isRateLimited(attio)).toBe(true)
    expect(isNoWriteSlot(attio)).toBe(false)
    expect(isNoWriteSlot(new Error('429'))).toBe(false)
  })

  it('no bulk endpoint: a 404 or 405, nothing else', () => {
    expect(isNoBulkEndpoint(new AttioApiError('x', 404))).toBe(true)
    expect(isNoBulkEndpoint(new AttioApiError('x', 405))).toBe(true)
    expect(isNoBulkEndpoint(new AttioApiError('x', 400))).toBe(false)
    expect(isNoBulkEndpoint({ status: 404 })).toBe(false)
  })

  it('missing link: the two link errors, not any other 404 or 503', () => {
    expect(isMissingLink(missingLink(reference))).toBe(true)
    expect(isMissingLink(linkNotAppliedYet(reference))).toBe(true)
    expect(isMissingLink(new AttioApiError('x', 404, 'not_found'))).toBe(false)
    expect(isMissingLink(new AttioApiError('x', 503))).toBe(false)
  })
})
