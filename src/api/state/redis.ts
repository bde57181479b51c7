/**
 * The connection to the fleet's Redis (`ATTIO_STATE_URL=redis://…`): every command is short (a time-out of
 * `COMMAND_TIMEOUT_MS`, nothing queued while disconnected), so a Redis that is down or slow costs a caller at
 * most that long before it falls back to per-process state. The first failure logs one warning (the URL
 * without its password, never a credential), and the connection is retried in the background; when Redis
 * answers again, shared state is used again (and that is logged once too).
 */
import Redis from 'ioredis'

/** How long one Redis command may take before the caller falls back to per-process state. */
export const COMMAND_TIMEOUT_MS = 250

/** What a host can read of the shared state's health (a metric). */
export interface SharedStateStatus {
  /** Whether shared state is configured at all (`ATTIO_STATE_URL`). */
  configured: boolean
  /** Whether it is in use now (false: configured but Redis is down or slow, per-process state in use). */
  shared: boolean
  /** How many times this process fell back to per-process state. */
  fallbacks: number
  /** Redis commands that failed or timed out. */
  errors: number
}

/**
 * The URL as it may be shown: scheme, host, port and database number only. No user name, password, query
 * (`?password=…`) or fragment, which is where a password with an unescaped `#` or `@` would spill.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    const db = /^\/\d+$/.test(parsed.pathname) ? parsed.pathname : ''
    return `${parsed.protocol}//${parsed.host}${db}`
  } catch {
    return 'redis://(unparsable URL)'
  }
}

/** What Redis said when it refused this client (a password or ACL problem), for the warning; never a secret. */
function refusal(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : ''
  const code = /^(WRONGPASS|NOAUTH|NOPERM)\b/.exec(message)?.[1]
  return code
    ? `Redis refused this client (${code}: check the user and password in ATTIO_STATE_URL)`
    : undefined
}

export type Warn = (message: string) => void

export class RedisState {
  readonly client: Redis
  private healthy = true
  private fallbacks = 0
  private errors = 0
  private readonly shown: string
  /** When the last "not answering" warning was logged: a flapping Redis logs one a minute, not one a flap. */
  private warnedAt = -Infinity
  /** Whether this outage was warned of, so its end is told only then (one pair of lines per outage). */
  private outageWarned = false
  /** Why Redis refused this client, when it did (WRONGPASS, NOAUTH): told in the outage's warning. */
  private refused: string | undefined

  constructor(
    url: string,
    private readonly warn: Warn = (message) => console.warn(message)
  ) {
    this.shown = redactUrl(url)
    this.client = new Redis(url, {
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 1000,
      disconnectTimeout: 200,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
      // Reconnect for ever, a little slower each time, at most every 2 s.
      retryStrategy: (times) => Math.min(100 * times, 2000)
    })
    // Errors are counted where commands fail; the connection's own errors must not crash the host.
    this.client.on('error', (error: unknown) => {
      this.refused = refusal(error) ?? this.refused
      this.down()
    })
    this.client.on('end', () => this.down())
    this.client.on('close', () => this.down())
    this.client.on('ready', () => this.up())
  }

  /** Whether shared state may be used now (connected, and no command has failed since). */
  get usable(): boolean {
    return this.healthy && this.client.status === 'ready'
  }

  status(): SharedStateStatus {
    return { configured: true, shared: this.usable, fallbacks: this.fallbacks, errors: this.errors }
  }

  /** A command failed or timed out: per-process state from now until Redis is ready again. */
  failed(error?: unknown): void {
    this.errors += 1
    this.refused = refusal(error) ?? this.refused
    const wasHealthy = this.healthy
    this.down()
    // A timed-out command leaves the connection up: reconnect, so 'ready' says when Redis answers again.
    // Once per outage: the commands that time out together must not each start a reconnection.
    if (wasHealthy && this.client.status === 'ready') this.client.disconnect(true)
  }

  private down(): void {
    if (!this.healthy) return
    this.healthy = false
    this.fallbacks += 1
    this.outageWarned = Date.now() - this.warnedAt >= 60_000
    if (!this.outageWarned) return
    this.warnedAt = Date.now()
    const why = this.refused ? `: ${this.refused}` : ''
    this.warn(
      `attio-destination: the shared state at ${this.shown} is not answering${why}; this process uses its own state (write budget, write memory) until it is back. No event is lost; writes may meet more 429s meanwhile.`
    )
  }

  private up(): void {
    if (this.healthy) return
    this.healthy = true
    this.refused = undefined
    if (this.outageWarned)
      this.warn(`attio-destination: the shared state at ${this.shown} answers again; shared state is in use.`)
    this.outageWarned = false
  }

  /** Waits (at most `COMMAND_TIMEOUT_MS`) for a connection still being made; whether Redis is usable. */
  private async connected(): Promise<boolean> {
    if (this.usable) return true
    if (!this.healthy || this.client.status !== 'connecting') return false
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.client.off('ready', done)
        resolve()
      }
      const timer = setTimeout(done, COMMAND_TIMEOUT_MS)
      this.client.once('ready', done)
    })
    return this.usable
  }

  /** Resolves once Redis is ready (true) or `timeoutMs` passed (false): for hosts and harnesses at start. */
  async ready(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    // A refused password does not mend itself: no use waiting for it.
    while (!this.usable && !this.refused && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20))
    return this.usable
  }

  /** Runs a command when Redis is usable; undefined (and the fallback) when it is not or it fails. */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    if (!(await this.connected())) return undefined
    try {
      return await command(this.client)
    } catch (error) {
      this.failed(error)
      return undefined
    }
  }

  async close(): Promise<void> {
    this.client.removeAllListeners()
    this.client.on('error', () => undefined)
    this.client.disconnect(false)
  }
}
