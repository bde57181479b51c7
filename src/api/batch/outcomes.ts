/**
 * Step 5 of a batch: outcomes. What a failure answers for the events it concerns, the worst outcome of a
 * record several requests carry, what an event asked for (its outcome's `sent`), and one outcome for every
 * event in the end.
 */
import { PayloadValidationError } from '@segment/actions-core'
import { AttioApiError } from '../errors'
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
