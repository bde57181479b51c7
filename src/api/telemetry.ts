/**
 * What the destination tells the host that runs it: metrics through actions-core's `statsContext` (with
 * the host's tags) and debug lines through its `logger`. The client carries one `Telemetry`; without a
 * host context it does nothing. Metric names are listed in docs/observability.md.
 *
 * Log lines name objects, record ids and counts only, never values, and every line goes through the
 * credential scrubber before it leaves.
 */
import type { Logger, StatsContext } from '@segment/actions-core'
import { redactText, secretList } from './core/redact'

/** What actions-core hands an action that the client uses: its stats, its logger, its cancellation. */
export interface HostContext {
  statsContext?: StatsContext
  logger?: Logger
  signal?: AbortSignal
}

/** Every metric name the destination emits (documented in docs/observability.md). */
export const METRICS = {
  writesSent: 'attio.writes.sent',
  writesSuppressed: 'attio.writes.suppressed',
  writesFailed: 'attio.writes.failed',
  schemaHit: 'attio.schema.cache_hit',
  schemaMiss: 'attio.schema.cache_miss',
  schemaRefresh: 'attio.schema.refresh',
  rateLimited: 'attio.rate_limited',
  retryAfterWaitMs: 'attio.retry_after.wait_ms',
  bulkRequests: 'attio.bulk.requests',
  bulkAssertions: 'attio.bulk.assertions_per_request',
  queueFallbacks: 'attio.queue.fallbacks',
  writeSlotWaitMs: 'attio.write_slot.wait_ms',
  batchSize: 'attio.batch.size',
  stateFallbacks: 'attio.state.fallbacks'
} as const

export type MetricName = (typeof METRICS)[keyof typeof METRICS]

type Tags = Record<string, string | number>

/**
 * Counters are summed per name and tags while an action runs and handed to the host once, by `flush` (a
 * 1,000-event batch counts a schema hit for nearly every value: one call to the host per value would cost
 * the batch path CPU for nothing). Histograms go to the host as they are observed (a few per request).
 */
export class Telemetry {
  private readonly secrets: readonly string[]
  private readonly counters = new Map<string, { name: MetricName; value: number; tags: Tags }>()

  constructor(
    private readonly stats: StatsContext | undefined,
    private readonly logger: Logger | undefined,
    secrets: readonly string[] = []
  ) {
    this.secrets = secretList(secrets)
  }

  /** Adds `value` to a counter. */
  count(name: MetricName, value = 1, tags: Tags = {}): void {
    if (typeof this.stats?.statsClient?.incr !== 'function') return
    let key: string = name
    for (const tag in tags) key += `\u0000${tag}\u0000${String(tags[tag])}`
    const counter = this.counters.get(key)
    if (counter) counter.value += value
    else this.counters.set(key, { name, value, tags })
  }

  /** Hands the summed counters to the host (at the end of each action; safe to call any time). */
  flush(): void {
    const client = this.stats?.statsClient
    if (this.counters.size === 0 || typeof client?.incr !== 'function') return
    for (const { name, value, tags } of this.counters.values()) client.incr(name, value, this.tagsOf(tags))
    this.counters.clear()
  }

  /** Records one observation of a distribution (a wait, a size). */
  histogram(name: MetricName, value: number, tags: Tags = {}): void {
    const client = this.stats?.statsClient
    if (typeof client?.histogram !== 'function') return
    client.histogram(name, value, this.tagsOf(tags))
  }

  /** A warning for an operator (fleet mode's shared state), scrubbed like a debug line. */
  warn(message: string): void {
    if (typeof this.logger?.warn !== 'function') return
    this.logger.warn(redactText(`[attio] ${message}`, this.secrets))
  }

  /** A debug line for an operator: ids and counts only; the credential is scrubbed all the same. */
  debug(message: string): void {
    // actions-core's test harness passes `{}` as the logger; a host's has `debug`.
    if (typeof this.logger?.debug !== 'function') return
    this.logger.debug(redactText(`[attio] ${message}`, this.secrets))
  }

  private tagsOf(tags: Tags): string[] {
    const own = Object.entries(tags).map(([key, value]) => `${key}:${String(value)}`)
    return [...(this.stats?.tags ?? []), ...own]
  }
}

/** The sink of a client the host passed nothing to. */
export const NO_TELEMETRY = new Telemetry(undefined, undefined)
