/**
 * Turning Attio's answers into actions-core errors a CDP host acts on correctly: the HTTP status is
 * kept (so 429 and 5xx are retried and 4xx are not), the message names the record being written, and
 * no message ever carries the credential.
 */
import {
  IntegrationError,
  InvalidAuthenticationError,
  RetryableError,
  HTTPError
} from '@segment/actions-core'
import { isRetryableStatus, retryAfterToEpoch } from './core/http'
import { redact } from './core/redact'
import { DEVELOPER_SETTINGS, REQUIRED_SCOPES } from './requirements'
import { attioErrorBody, type AttioErrorBody } from './wire'

export { redact }

/**
 * Attio refused the credential (its 401), or there is none. Reported with status 403 and the code
 * INVALID_AUTHENTICATION, not with 401: actions-core answers any 401 of an OAuth destination by refreshing
 * the token, which Attio's cannot be (they do not expire and Attio documents no refresh grant), so a 401
 * would reach the host as OAUTH_REFRESH_FAILED "Failed to refresh access token" instead of this message, and
 * would make a whole batch throw instead of answering per event.
 */
export class CredentialRefusedError extends InvalidAuthenticationError {
  constructor(message: string) {
    super(message)
    this.status = 403
  }
}

/** An error answered by Attio (or by the network on the way to it), with the status kept. */
export class AttioApiError extends IntegrationError {
  /** For a 429: the instant (epoch ms) Attio's Retry-After names. */
  retryAfter?: number

  constructor(
    message: string,
    status: number,
    readonly attioCode?: string
  ) {
    super(message, errorCodeFor(status), status)
    this.retry = isRetryableStatus(status)
  }
}

/**
 * The named kinds of failure the layers above act on, as predicates over `AttioApiError` (so every error
 * keeps its status and message for the host, and the decision reads as what it means).
 */

/**
 * The write limiter (`pacing`) found no slot for a write before its deadline: a 429 made here, without an
 * Attio Retry-After, so nothing was sent and waiting longer would pass the caller's bound.
 */
export function isNoWriteSlot(error: unknown): error is AttioApiError {
  return error instanceof AttioApiError && error.status === 429 && !error.retryAfter
}

/** Attio rate-limited the request (a 429, with or without its Retry-After). */
export function isRateLimited(error: unknown): error is AttioApiError {
  return error instanceof AttioApiError && error.status === 429
}

/** Attio has no bulk endpoint here (404 or 405 on it): the batch goes through the queue instead. */
export function isNoBulkEndpoint(error: unknown): error is AttioApiError {
  return error instanceof AttioApiError && (error.status === 404 || error.status === 405)
}

/** The code of the error for a linked record that does not exist (the linking record is still written). */
export const MISSING_LINK = 'missing_link'
/** The code of the error for a linked record sent in a batch moments ago (retryable; the record is written). */
export const LINK_NOT_APPLIED = 'link_not_applied_yet'
const LINK_CODES: ReadonlySet<string> = new Set([MISSING_LINK, LINK_NOT_APPLIED])

/** A link to an existing record that Attio does not have (`missingLink`), or not yet (`linkNotAppliedYet`). */
export function isMissingLink(error: unknown): error is AttioApiError {
  return error instanceof AttioApiError && LINK_CODES.has(error.attioCode ?? '')
}

function errorCodeFor(status: number): string {
  if (status === 400) return 'BAD_REQUEST'
  if (status === 403) return 'FORBIDDEN'
  if (status === 404) return 'NOT_FOUND'
  if (status === 409) return 'CONFLICT'
  if (status === 429) return 'TOO_MANY_REQUESTS'
  if (status >= 500) return status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR'
  return 'BAD_REQUEST'
}

/** Reads Attio's JSON error body from a failed response, whatever form the request client left it in. */
export function readErrorBody(data: unknown, content: unknown): AttioErrorBody {
  let candidate = data
  if ((candidate === undefined || typeof candidate === 'string') && typeof content === 'string') {
    try {
      candidate = JSON.parse(content)
    } catch {
      candidate = undefined
    }
  }
  const parsed = attioErrorBody.safeParse(candidate)
  return parsed.success ? parsed.data : {}
}

/** "value_not_found: No attribute was found…" from Attio's body, or the HTTP status text. */
export function describeAttioBody(body: AttioErrorBody, status: number): string {
  const details = body.validation_errors
    ?.map((error) => [error.path?.join('.'), error.message].filter(Boolean).join(': '))
    .filter(Boolean)
    .slice(0, 5)
    .join('; ')
  const message = [body.message, details].filter(Boolean).join(' ')
  if (body.code && message) return `${body.code}: ${message}`
  return body.code ?? (message || `HTTP ${status}`)
}

interface ResponseLike {
  status: number
  data?: unknown
  content?: unknown
  headers?: { get(name: string): string | null }
}

/**
 * Maps any failure of a call to Attio into an actions-core error.
 * @param what the record or listing concerned, e.g. "the Person" or "the attributes of users"
 */
export function toActionError(
  error: unknown,
  what: string,
  secrets: ReadonlyArray<string | undefined>
): Error {
  const clean = (text: string) => redact(text, secrets)
  if (error instanceof HTTPError || hasResponse(error)) {
    const response = (error as { response: ResponseLike }).response
    const status = response.status
    const body = readErrorBody(response.data, response.content)
    const detail = clean(describeAttioBody(body, status))
    if (status === 401) {
      return new CredentialRefusedError(
        `Attio did not accept the credential for ${what} (${detail}). Reconnect the destination to Attio or enter a valid workspace API key (Attio's OAuth tokens do not expire: a refused one was revoked, or the app was removed from the workspace).`
      )
    }
    if (status === 403) {
      return new AttioApiError(
        `Attio refused access to ${what} (${detail}). The token needs the scopes ${REQUIRED_SCOPES.join(' and ')}: edit the API key's scopes in Attio (${DEVELOPER_SETTINGS}) or reconnect.`,
        403,
        body.code
      )
    }
    if (status === 429) {
      const retryAfter = response.headers?.get('retry-after')
      const limited = new AttioApiError(
        `Attio rate-limited ${what} (${detail})${retryAfter ? `; retry after ${retryAfter}` : ''}.`,
        429,
        body.code
      )
      limited.retryAfter = retryAfterToEpoch(retryAfter)
      return limited
    }
    if (status >= 500) {
      return new AttioApiError(`Attio failed on ${what} (${detail}); it is safe to retry.`, status, body.code)
    }
    return new AttioApiError(`Attio rejected ${what}: ${detail}`, status, body.code)
  }
  if (
    error instanceof IntegrationError ||
    error instanceof InvalidAuthenticationError ||
    error instanceof RetryableError
  ) {
    error.message = clean(error.message)
    return error
  }
  const name = (error as { name?: string } | null)?.name ?? ''
  const code = (error as { code?: string } | null)?.code ?? ''
  const message = clean((error as { message?: string } | null)?.message ?? String(error))
  if (
    name === 'TimeoutError' ||
    name === 'RequestTimeoutError' ||
    code === 'ETIMEDOUT' ||
    code === 'REQUESTTIMEOUTERROR'
  ) {
    return new AttioApiError(`Attio did not answer in time for ${what}; it is safe to retry.`, 504)
  }
  return new AttioApiError(`Could not reach Attio for ${what} (${message}); it is safe to retry.`, 503)
}

function hasResponse(error: unknown): boolean {
  const response = (error as { response?: { status?: unknown } } | null)?.response
  return typeof response?.status === 'number'
}
