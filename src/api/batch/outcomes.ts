/**
 * Step 5 of a batch: outcomes. What a failure answers for the events it concerns, the worst outcome of a
 * record several requests carry, what an event asked for (its outcome's `sent`), and one outcome for every
 * event in the end.
 */
import { PayloadValidationError } from '@segment/actions-core'
import { AttioApiError } from '../errors'
import type { PreparedRecord } from '../records'
import type { BatchReport, EventOutcome, MergedRecord } from './types'

export function errorOutcome(error: unknown): EventOutcome {
  if (error instanceof PayloadValidationError) {
    return { ok: false, status: 400, errortype: 'PAYLOAD_VALIDATION_FAILED', message: error.message }
  }
  if (error instanceof AttioApiError) {
    return {
      ok: false,
      status: error.status ?? 500,
      errortype: String(error.code ?? 'UNKNOWN_ERROR'),
      message: error.message
    }
  }
  const status = (error as { status?: number }).status ?? 500
  const code = (error as { code?: string }).code
  return {
    ok: false,
    status,
    errortype:
      code && /^[A-Z_]+$/.test(code) ? code : status === 401 ? 'INVALID_AUTHENTICATION' : 'UNKNOWN_ERROR',
    message: error instanceof Error ? error.message : String(error)
  }
}

export function setWorst(status: Map<string, EventOutcome>, key: string, outcome: EventOutcome): void {
  const current = status.get(key)
  if (!current || (current.ok && !outcome.ok)) status.set(key, outcome)
}

/** What an event asked for, as its outcome's `sent`. */
export function summary(records: MergedRecord[]): Record<string, unknown> {
  return Object.fromEntries(
    records.map((record) => [record.label, JSON.parse(record.matchingKey) as unknown])
  )
}

export function finish(report: BatchReport, outcomes: Array<EventOutcome | undefined>): BatchReport {
  report.outcomes = outcomes.map(
    (outcome) =>
      outcome ?? { ok: false, status: 500, errortype: 'UNKNOWN_ERROR', message: 'The event got no outcome.' }
  )
  return report
}

/** Whether the host retries an event that failed with this error (429, 5xx, time-outs, connection failures). */
export function isRetried(error: unknown): boolean {
  return error instanceof AttioApiError ? error.retry === true : (error as { retry?: unknown }).retry === true
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
 * An event that failed before sending in a way the host retries (a schema read Attio did not answer) is sent
 * again later, on its own. Had the events received after it been sent now, that retry would write its older
 * values over theirs, and Attio would keep the older ones. So those events are not sent either: they get a
 * retryable outcome too, and the host's retry sends them all again in order. (Events received before it are
 * sent: a retry of it comes after them anyway.)
 */
export function holdBackAfter(
  retried: { index: number; receivedAt: string },
  prepared: Array<{ index: number; record: PreparedRecord; receivedAt: string }>,
  outcomes: Array<EventOutcome | undefined>
): void {
  const kept = prepared.filter(({ index, receivedAt }) => receivedBefore(index, receivedAt, retried))
  for (const { index } of prepared) {
    if (kept.some((entry) => entry.index === index)) continue
    outcomes[index] = {
      ok: false,
      status: 503,
      errortype: 'SERVICE_UNAVAILABLE',
      message: `Not sent: event ${retried.index} of this batch, received before this one, failed in a way that is retried; this event is held back so that the retry writes them in the order they were received. It is safe to retry.`
    }
  }
  prepared.splice(0, prepared.length, ...kept)
}
