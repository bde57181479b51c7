/**
 * Sending events to their subscriptions' actions, one at a time (perform) or in chunks (performBatch),
 * with retries, and the one more try at the end for events answered 404.
 *
 * - Retries: 429, 5xx and errors flagged `retry` are sent again with exponential back-off, never before
 *   Attio's Retry-After. `tallies.retries` counts the events sent again this way (a chunk of 50 sent
 *   again is 50), in both modes.
 * - The end-of-file try: an event answered 404 (most often a group whose User the file identifies later,
 *   or that an earlier batch sent and Attio has not applied yet) is held back and sent once more after
 *   the rest of the file, in both modes, so that where a User's identify is in the file does not decide
 *   the outcome. `tallies.deferred` counts those sends.
 */
import type { Settings } from '../../destinations/attio/generated-types'
import type { Tallies } from '../checkpoint'
import { isRetryableStatus } from '../../api/core/http'
import type { SubscriptionRoute } from '../routing'
import type { ActionAnswer, LocalRunner } from '../runner'
import type { Item, Ledger, Outcome } from './ledger'

/** Waits, or less when the signal aborts; resolves false when it was cut short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export interface DelivererOptions {
  runner: LocalRunner
  settings?: Partial<Settings>
  retries: number
  backoff: { baseMs: number; maxMs: number }
  signal?: AbortSignal
  ledger: Ledger
}

/** A delivery held back for the end-of-file try. */
export interface Deferred {
  item: Item
  route: SubscriptionRoute
}

/** Attio refused the credential: true of every event, so the replay stops instead of failing them all. */
export function refusesCredential(outcome: Outcome): boolean {
  return !outcome.ok && outcome.code === 'INVALID_AUTHENTICATION'
}

export class Deliverer {
  readonly deferred: Deferred[] = []
  /** The first credential refusal; once set, nothing more is sent and the refused events stay unfinished. */
  refused: Outcome | undefined
  private readonly tallies: Tallies

  constructor(private readonly options: DelivererOptions) {
    this.tallies = options.ledger.tallies
  }

  private delay(attempt: number, retryAfter?: number): number {
    const { baseMs, maxMs } = this.options.backoff
    const exponential = Math.min(maxMs, baseMs * 2 ** attempt)
    const jittered = exponential / 2 + Math.random() * (exponential / 2)
    const untilAllowed = retryAfter ? retryAfter - Date.now() : 0
    return Math.max(jittered, untilAllowed, 0)
  }

  private send(route: SubscriptionRoute, payload: unknown): Promise<ActionAnswer> {
    return this.options.runner.runAction(route.action, {
      payload,
      mapping: route.mapping,
      settings: this.options.settings
    })
  }

  private countRateLimited(answer: ActionAnswer): void {
    this.tallies.rateLimited += answer.exchanges.filter((exchange) => exchange.status === 429).length
  }

  /**
   * One event through perform, retried while retryable. Settles it in the ledger, holds it back for the
   * end-of-file try (404, when `mayDefer`), or leaves it unfinished when the replay stops meanwhile.
   */
  async one(item: Item, route: SubscriptionRoute, mayDefer: boolean): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.send(route, item.event)
      this.countRateLimited(answer)
      const outcome = outcomeOfAnswer(answer)
      if (refusesCredential(outcome)) {
        this.refused ??= outcome
        return
      }
      if (!outcome.ok && outcome.retry && attempt < this.options.retries) {
        this.tallies.retries += 1
        if (!(await sleep(this.delay(attempt, outcome.retryAfter), this.options.signal))) return
        continue
      }
      if (!outcome.ok && outcome.status === 404 && mayDefer) {
        this.deferred.push({ item, route })
        return
      }
      this.options.ledger.settle(item, route.action, outcome)
      this.options.ledger.flush()
      return
    }
  }

  /** A chunk through performBatch; events with a retryable outcome are sent again, the others settled. */
  async chunk(items: Item[], route: SubscriptionRoute, mayDefer: boolean): Promise<void> {
    let pending = items
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const answer = await this.send(
        route,
        pending.map((item) => item.event)
      )
      this.countRateLimited(answer)
      const outcomes = outcomesOfBatch(answer, pending.length)
      const retryable: Item[] = []
      pending.forEach((item, index) => {
        const outcome = outcomes[index]
        if (refusesCredential(outcome)) this.refused ??= outcome
        else if (!outcome.ok && outcome.retry && attempt < this.options.retries) retryable.push(item)
        else if (!outcome.ok && outcome.status === 404 && mayDefer) this.deferred.push({ item, route })
        else this.options.ledger.settle(item, route.action, outcome)
      })
      this.options.ledger.flush()
      pending = retryable
      if (pending.length === 0 || this.refused) return
      this.tallies.retries += pending.length
      const retryAfter = Math.max(0, ...outcomes.map((outcome) => outcome.retryAfter ?? 0)) || undefined
      // On stop, the events still to retry stay unfinished: a resume sends them.
      if (!(await sleep(this.delay(attempt, retryAfter), this.options.signal))) return
    }
  }
}

/** A single event's answer as an outcome. */
function outcomeOfAnswer(answer: ActionAnswer): Outcome {
  if (answer.ok) return { ok: true, status: 200, retry: false }
  const error = answer.error ?? { message: 'Failed', status: 500, retry: true }
  return {
    ok: false,
    status: error.status,
    message: error.message,
    code: error.code,
    field: error.field,
    retry: error.retry,
    retryAfter: error.retryAfter
  }
}

/** A batch's answer as one outcome per event (the batch's own error for each, when it failed whole). */
function outcomesOfBatch(answer: ActionAnswer, count: number): Outcome[] {
  if (answer.error || !answer.multistatus) {
    const whole = outcomeOfAnswer({ ...answer, ok: false })
    return Array.from({ length: count }, () => whole)
  }
  return Array.from({ length: count }, (_, index): Outcome => {
    const entry = answer.multistatus?.[index] ?? { status: 500, errormessage: 'No outcome for this event' }
    const ok = entry.status >= 200 && entry.status < 300
    if (ok) return { ok, status: entry.status, retry: false }
    return {
      ok,
      status: entry.status,
      retry: isRetryableStatus(entry.status),
      message: entry.errormessage ?? `HTTP ${entry.status}`,
      code: entry.errortype,
      field: entry.field
    }
  })
}
