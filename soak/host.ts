/**
 * A CDP host in miniature: hands events to the destination through actions-core (perform for single
 * events, performBatch for chunks) and retries what may be retried, the way a host does.
 *
 * Retryable: a thrown error whose status is 429 or 5xx, or that says `retry: true`, or that is a
 * time-out or a connection error; in a batch answer, each event whose status is 429 or 5xx. Those are
 * sent again after an exponential back-off, up to `maxAttempts` attempts in all. Everything else is
 * final: a 2xx is delivered, anything else failed with its reason.
 */
import { createTestIntegration, type Logger, type SegmentEvent } from '@segment/actions-core'
import destination from '../src'
import type { Settings } from '../src/destinations/attio/generated-types'
import type { Delivery, SoakEvent, Workload } from './workload'

export interface EventOutcome {
  /** delivered: a 2xx; failed: refused for good; retryable: still retryable when attempts ran out. */
  result: 'delivered' | 'failed' | 'retryable' | 'none'
  attempts: number
  status?: number
  reason?: string
  path: Delivery['path']
}

export interface HostOptions {
  maxAttempts: number
  /** First back-off; doubled on each further attempt, up to `backoffCapMs`. */
  backoffMs: number
  backoffCapMs: number
  /** An attempt that takes longer than this is abandoned and the event has no outcome. */
  attemptTimeoutMs: number
}

export const DEFAULT_HOST_OPTIONS: HostOptions = {
  maxAttempts: 8,
  backoffMs: 100,
  backoffCapMs: 2000,
  attemptTimeoutMs: 60_000
}

export interface HostCounters {
  attempts: number
  retries: number
  /** Thrown errors and batch entries by kind, for the report. */
  retryableByStatus: Record<string, number>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The HTTP-like status a thrown error carries, if any. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  if (typeof status === 'number') return status
  // actions-core's check of the payload against the fields' schema: a host answers it as a 400.
  return (error as { name?: unknown } | null)?.name === 'AggregateAjvError' ? 400 : undefined
}

const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET'])

/** Whether a host retries a thrown error. */
export function isRetryableError(error: unknown): boolean {
  const status = statusOf(error)
  if (status !== undefined && (status === 429 || status >= 500)) return true
  if ((error as { retry?: unknown } | null)?.retry === true) return true
  const name = (error as { name?: unknown } | null)?.name
  const code = (error as { code?: unknown } | null)?.code
  if (name === 'TimeoutError' || name === 'RequestTimeoutError' || name === 'AbortError') return true
  return typeof code === 'string' && CONNECTION_CODES.has(code)
}

export const isRetryableStatus = (status: number) => status === 429 || status >= 500

export function reasonOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

/** A logger that keeps every line, so the run can check that no credential was ever logged. */
export function capturingLogger(lines: string[]): Logger {
  const keep =
    (level: string) =>
    (...message: string[]) => {
      lines.push(`${level}: ${message.join(' ')}`)
    }
  return {
    level: 'debug',
    name: 'soak',
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
    crit: keep('crit'),
    log: keep('log'),
    withTags: () => undefined
  }
}

/** The destination gave no answer at all within the attempt's time: the event has no outcome. */
class NoAnswer extends Error {
  constructor(ms: number) {
    super(`the destination gave no answer within ${ms} ms`)
    this.name = 'NoAnswer'
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer(ms)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

interface BatchEntry {
  status?: number
  errormessage?: string
}

/** One worker of the host: delivers a lane's deliveries in order, each retried before the next. */
export class LaneWorker {
  private readonly integration = createTestIntegration(destination)

  constructor(
    private readonly workload: Workload,
    private readonly settings: Settings,
    private readonly options: HostOptions,
    private readonly outcomes: Map<number, EventOutcome>,
    private readonly counters: HostCounters,
    private readonly logger: Logger,
    /** Called after each batch delivery: waits until the bulk assertions it sent were applied. */
    private readonly afterBatch: () => Promise<void>,
    /** Every message the destination gave back (errors, batch entries), for the credential check. */
    private readonly messages: string[]
  ) {}

  async run(deliveries: readonly Delivery[]): Promise<void> {
    for (const delivery of deliveries) {
      if (delivery.path === 'single') await this.single(this.workload.events[delivery.events[0]], delivery)
      else await this.batch(delivery)
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.backoffCapMs, this.options.backoffMs * 2 ** (attempt - 1))
  }

  private async single(event: SoakEvent, delivery: Delivery): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.counters.attempts += 1
      try {
        await withTimeout(
          this.integration.testAction(delivery.action, {
            event: event.event as unknown as SegmentEvent,
            settings: this.settings,
            mapping: this.workload.mappings[delivery.action],
            useDefaultMappings: true,
            logger: this.logger
          }),
          this.options.attemptTimeoutMs
        )
        this.outcomes.set(event.index, {
          result: 'delivered',
          attempts: attempt,
          status: 200,
          path: 'single'
        })
        return
      } catch (error) {
        // A failed test action keeps its responses; drop them so a long run does not hold them all.
        this.integration.responses.length = 0
        const reason = reasonOf(error)
        this.messages.push(reason)
        if (error instanceof NoAnswer) {
          this.outcomes.set(event.index, { result: 'none', attempts: attempt, reason, path: 'single' })
          return
        }
        const status = statusOf(error)
        if (!isRetryableError(error)) {
          this.outcomes.set(event.index, {
            result: 'failed',
            attempts: attempt,
            status,
            reason,
            path: 'single'
          })
          return
        }
        const key = String(status ?? (error as { name?: string }).name ?? 'error')
        this.counters.retryableByStatus[key] = (this.counters.retryableByStatus[key] ?? 0) + 1
        if (attempt >= this.options.maxAttempts) {
          this.outcomes.set(event.index, {
            result: 'retryable',
            attempts: attempt,
            status,
            reason,
            path: 'single'
          })
          return
        }
        this.counters.retries += 1
        await sleep(this.backoff(attempt))
      }
    }
  }

  private async batch(delivery: Delivery): Promise<void> {
    let pending = [...delivery.events]
    for (let attempt = 1; pending.length > 0; attempt++) {
      this.counters.attempts += 1
      const retry: number[] = []
      let entries: BatchEntry[] | undefined
      try {
        await withTimeout(
          this.integration.testBatchAction(delivery.action, {
            events: pending.map((index) => this.workload.events[index].event as unknown as SegmentEvent),
            settings: this.settings,
            mapping: this.workload.mappings[delivery.action],
            useDefaultMappings: true,
            logger: this.logger
          }),
          this.options.attemptTimeoutMs
        )
        entries = (this.integration.results[0] as unknown as { multistatus?: BatchEntry[] }).multistatus
      } catch (error) {
        this.integration.responses.length = 0
        // performBatch answers per event; a throw is a failure of the whole call, for every event in it.
        const reason = `the whole batch call threw: ${reasonOf(error)}`
        this.messages.push(reason)
        const retryable = isRetryableError(error) && !(error instanceof NoAnswer)
        for (const index of pending) {
          if (retryable && attempt < this.options.maxAttempts) retry.push(index)
          else
            this.outcomes.set(index, {
              result: error instanceof NoAnswer ? 'none' : retryable ? 'retryable' : 'failed',
              attempts: attempt,
              status: statusOf(error),
              reason,
              path: 'batch'
            })
        }
      }
      if (entries) {
        pending.forEach((index, position) => {
          const entry = entries?.[position]
          if (!entry || typeof entry.status !== 'number') {
            this.outcomes.set(index, {
              result: 'none',
              attempts: attempt,
              reason: 'the batch answer has no entry for this event',
              path: 'batch'
            })
            return
          }
          if (entry.errormessage) this.messages.push(entry.errormessage)
          if (entry.status >= 200 && entry.status < 300) {
            this.outcomes.set(index, {
              result: 'delivered',
              attempts: attempt,
              status: entry.status,
              path: 'batch'
            })
          } else if (isRetryableStatus(entry.status)) {
            const key = String(entry.status)
            this.counters.retryableByStatus[key] = (this.counters.retryableByStatus[key] ?? 0) + 1
            if (attempt < this.options.maxAttempts) retry.push(index)
            else
              this.outcomes.set(index, {
                result: 'retryable',
                attempts: attempt,
                status: entry.status,
                reason: entry.errormessage,
                path: 'batch'
              })
          } else {
            this.outcomes.set(index, {
              result: 'failed',
              attempts: attempt,
              status: entry.status,
              reason: entry.errormessage,
              path: 'batch'
            })
          }
        })
      }
      await this.afterBatch()
      pending = retry
      if (pending.length > 0) {
        this.counters.retries += 1
        await sleep(this.backoff(attempt))
      }
    }
  }
}
