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
import { clearSchemaCache } from '../src/api'
import { BULK_APPLY_WINDOW_MS } from '../src/api/suppression'
import type { Settings } from '../src/destinations/attio/generated-types'
import { DRIFT, type Deletion, type Delivery, type SoakEvent, type Workload } from './workload'

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

/**
 * How the host reaches Attio itself (the emulator's all-scopes key), to make the changes a person working in
 * Attio makes: delete records, create an option and an attribute.
 */
export interface AttioHands {
  url: string
  apiKey: string
  /** Give up on one request after this long (the emulator may fault it), then try again. */
  timeoutMs: number
  /** The fault-free reference run: forget the cached schema at once after a schema change (an ideal destination). */
  reference: boolean
  /** What was done, for the report. */
  done: { deletions: number; deleted: number; schemaChanges: number }
}

/** A request to Attio made by hand, tried again (up to 20 times) while it is faulted or rate-limited. */
async function byHand(
  hands: AttioHands,
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; data: unknown }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${hands.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${hands.apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(hands.timeoutMs)
      })
      const text = await response.text()
      if (response.status < 500 && response.status !== 429)
        return {
          status: response.status,
          data: text ? (JSON.parse(text) as { data?: unknown }).data : undefined
        }
    } catch {
      // A cut connection or a time-out: the emulator faulted it. Try again.
    }
    if (attempt >= 20) throw new Error(`${method} ${path} kept failing`)
    await sleep(Math.min(1000, 50 * 2 ** attempt))
  }
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
    private readonly messages: string[],
    private readonly hands?: AttioHands
  ) {}

  /** When a batch carrying each user last went out (epoch ms). */
  private readonly batchedAt = new Map<string, number>()

  async run(deliveries: readonly Delivery[]): Promise<void> {
    for (const delivery of deliveries) {
      if (delivery.path === 'single') await this.single(this.workload.events[delivery.events[0]], delivery)
      else if (delivery.path === 'concurrent')
        // Two hosts' workers at once: each with an integration of its own.
        await Promise.all(
          delivery.events.map((index) =>
            this.single(this.workload.events[index], delivery, createTestIntegration(destination))
          )
        )
      else if (delivery.path === 'delete') await this.delete(delivery.deletion as Deletion)
      else if (delivery.path === 'schema') await this.changeSchema()
      else await this.batch(delivery)
    }
  }

  /**
   * Deletes a record in Attio, as a person working in it would: some time after it appeared. A User is deleted
   * only once `BULK_APPLY_WINDOW_MS` has passed since a batch of this lane last carried it: within that window
   * the destination cannot tell "not applied yet" from "deleted", and a group batch asserts the User again
   * (the README's reliability notes).
   */
  private async delete(deletion: Deletion): Promise<void> {
    const hands = this.hands
    if (!hands) return
    await this.afterBatch()
    const batched = deletion.object === 'users' ? this.batchedAt.get(deletion.value) : undefined
    if (batched !== undefined) {
      const wait = batched + BULK_APPLY_WINDOW_MS + 100 - Date.now()
      if (wait > 0) await sleep(wait)
    }
    const found = await byHand(hands, 'POST', `/v2/objects/${deletion.object}/records/query`, {
      filter: { [deletion.attribute]: deletion.value },
      limit: 10
    })
    const records = (found.data as Array<{ id: { record_id: string } }> | undefined) ?? []
    hands.done.deletions += 1
    for (const record of records) {
      const deleted = await byHand(
        hands,
        'DELETE',
        `/v2/objects/${deletion.object}/records/${record.id.record_id}`
      )
      if (deleted.status === 200) hands.done.deleted += 1
    }
  }

  /** Creates the drift option and attribute in Attio (once for all lanes: a conflict means it exists). */
  private async changeSchema(): Promise<void> {
    const hands = this.hands
    if (!hands) return
    await byHand(hands, 'POST', `/v2/objects/${DRIFT.object}/attributes/${DRIFT.option.attribute}/options`, {
      data: { title: DRIFT.option.title }
    })
    await byHand(hands, 'POST', `/v2/objects/${DRIFT.object}/attributes`, {
      data: {
        title: 'Tier',
        description: null,
        api_slug: DRIFT.attribute,
        type: 'text',
        is_required: false,
        is_unique: false,
        is_multiselect: false,
        config: {}
      }
    })
    hands.done.schemaChanges += 1
    if (hands.reference) clearSchemaCache()
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.backoffCapMs, this.options.backoffMs * 2 ** (attempt - 1))
  }

  private async single(event: SoakEvent, delivery: Delivery, integration = this.integration): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.counters.attempts += 1
      try {
        await withTimeout(
          integration.testAction(delivery.action, {
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
        integration.responses.length = 0
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
      if (delivery.action === 'identifyUser')
        for (const index of delivery.events) {
          const userId = this.workload.events[index].userId
          if (userId !== undefined) this.batchedAt.set(userId, Date.now())
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
