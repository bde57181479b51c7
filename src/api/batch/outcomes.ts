/**
 * Step 5 of a batch: outcomes. What a failure answers for the events it concerns, the worst outcome of a
 * record several requests carry, what an event asked for (its outcome's `sent`), and one outcome for every
 * event in the end.
 */
import { ErrorCodes, PayloadValidationError } from '@segment/actions-core'
import { isRetryableStatus } from '../core/http'
import { AttioApiError } from '../errors'
import type { BatchReport, ErrorType, EventOutcome, MergedRecord } from './types'

export function errorOutcome(error: unknown): EventOutcome {
  if (error instanceof PayloadValidationError) {
    return { ok: false, status: 400, errortype: 'PAYLOAD_VALIDATION_FAILED', message: error.message }
  }
  if (error instanceof AttioApiError) {
    return {
      ok: false,
      status: error.status ?? 500,
      errortype: isErrorType(error.code) ? error.code : 'UNKNOWN_ERROR',
      message: error.message
    }
  }
  const status = (error as { status?: number }).status ?? 500
  const code = (error as { code?: string }).code
  return {
    ok: false,
    status,
    // A network error's code (ECONNRESET) is no error type a host knows.
    errortype: isErrorType(code) ? code : status === 401 ? 'INVALID_AUTHENTICATION' : 'UNKNOWN_ERROR',
    message: error instanceof Error ? error.message : String(error)
  }
}

/** Whether a code is one of actions-core's error types (what a host reads `errortype` as). */
const isErrorType = (code: unknown): code is ErrorType =>
  typeof code === 'string' && Object.prototype.hasOwnProperty.call(ErrorCodes, code)

export function setWorst(status: Map<string, EventOutcome>, key: string, outcome: EventOutcome): void {
  const current = status.get(key)
  if (!current || (current.ok && !outcome.ok)) status.set(key, outcome)
}

/** Adds what an event asked of one record to its outcome's `sent`. */
export function summarise(sent: Record<string, unknown>, record: MergedRecord): void {
  sent[record.label] = matchingValueOf(record)
}

/** A record's matching values, as the first event that carried it wrote them (merging keeps them). */
const matchingValueOf = (record: MergedRecord): unknown => record.assertValues[record.matchingAttribute]

export function finish(report: BatchReport, outcomes: Array<EventOutcome | undefined>): BatchReport {
  report.outcomes = outcomes.map(
    (outcome) =>
      outcome ?? { ok: false, status: 500, errortype: 'UNKNOWN_ERROR', message: 'The event got no outcome.' }
  )
  return report
}

/**
 * Whether the host retries an event that failed with this error: its outcome's status is 429 or 5xx (time-outs,
 * connection failures and unexpected errors answer 500). The one rule the three batch paths (upsert, sync
 * modes, list entries) use to hold later events back.
 */
export function isRetried(error: unknown): boolean {
  return isRetryableStatus(errorOutcome(error).status)
}

/** Whether an event (at `index`, received at `receivedAt`) comes before `other` in received order. */
export function receivedBefore(
  index: number,
  receivedAt: string,
  other: { index: number; receivedAt: string }
): boolean {
  return receivedAt < other.receivedAt || (receivedAt === other.receivedAt && index < other.index)
}

/**
 * The outcome of an event held back because event `earlier` of its batch, which it must follow (`which`
 * says how they relate), failed in a way the host retries. Sending it now would let that retry write older
 * values over its own; held back, it is retried too, after that one, in order.
 */
export function heldBackOutcome(earlier: number, which = 'received before this one'): EventOutcome {
  return {
    ok: false,
    status: 503,
    errortype: 'SERVICE_UNAVAILABLE',
    message: `Not sent: event ${earlier} of this batch, ${which}, failed in a way that is retried; this event is held back so that the retry writes them in the order they were received. It is safe to retry.`
  }
}

/**
 * The outcome of an event Attio took (its records were sent) that carries a record of event `earlier` of its
 * batch, received before it, whose outcome the host retries: the retry would write that event's older values
 * of the record over this one's, so this event is retried with it (merged again, in received order).
 */
export function retriedWithOutcome(earlier: number, sent: Record<string, unknown>): EventOutcome {
  return {
    ok: false,
    status: 503,
    errortype: 'SERVICE_UNAVAILABLE',
    message: `Sent, but to be retried: event ${earlier} of this batch, received before this one, carries one of its records and failed in a way that is retried; retrying this event with it keeps the retry from writing that event's older values over this one's. It is safe to retry.`,
    sent
  }
}
