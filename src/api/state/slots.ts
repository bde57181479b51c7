/**
 * One write budget per credential across every worker that shares the Redis: a sliding window of
 * reservations (a sorted set of send instants, on Redis's clock) taken atomically by a Lua script. A write
 * reserves the first instant at which the window has room and waits for it; one whose instant is further
 * away than its `maxWaitMs` reserves nothing and is handed back at once as a retryable 429, unsent (the
 * per-process limiter's promise, kept across processes). A 429 from Attio closes the gate for every worker
 * until its Retry-After.
 *
 * Redis down or slow: the write takes a slot of this process's own limiter instead (`WriteLimiter`), within
 * what is left of its `maxWaitMs`, so no write waits longer than it allowed and none is lost. That limiter
 * has counted this process's writes through the shared budget too, so it does not start with a full second.
 */
import { AttioApiError } from '../errors'
import { WRITE_WINDOW_MS } from '../core/http'
import { cancelled, WRITES_PER_SECOND, type WriteLimiter } from '../pacing'
import type { RedisState } from './redis'
import type { WriteSlots } from './types'

/** As the per-process limiter (`WRITE_WINDOW_MS`): a little over a second, for requests that arrive in the next one. */
const WINDOW_MS = WRITE_WINDOW_MS

/**
 * KEYS[1]: the reservations (sorted set, score = send instant in ms), KEYS[2]: the gate (closed until, ms).
 * ARGV: per window, window ms, max wait ms, a unique member. Returns the wait in ms (>= 0, reserved), or
 * -1 - wait when the wait would exceed the bound (nothing reserved).
 */
export const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local per = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local at = now
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > at then at = blocked end
local n = redis.call('ZCARD', KEYS[1])
if n >= per then
  local kth = redis.call('ZRANGE', KEYS[1], n - per, n - per, 'WITHSCORES')
  local freed = tonumber(kth[2]) + window
  if freed > at then at = freed end
end
local wait = at - now
if wait > maxWait then return -1 - wait end
redis.call('ZADD', KEYS[1], at, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window + maxWait + 1000)
return wait
`

/** KEYS[1]: the gate. ARGV[1]: closed until (epoch ms, Redis's clock is close enough for a Retry-After). */
export const BLOCK_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local closed = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if closed > current and closed > now then redis.call('SET', KEYS[1], ARGV[1], 'PX', closed - now) end
return 1
`

let members = 0

export class SharedWriteSlots implements WriteSlots {
  private readonly reservations: string
  private readonly gate: string

  constructor(
    private readonly redis: RedisState,
    workspaceKey: string,
    /** This process's limiter for the same credential: used while Redis is down or slow. */
    private readonly local: WriteLimiter,
    private readonly perWindow = WRITES_PER_SECOND,
    private readonly windowMs = WINDOW_MS
  ) {
    // The workspace key is already a hash of base URL and credential; it names the keys, never the token.
    this.reservations = `attio:slots:${workspaceKey}`
    this.gate = `attio:gate:${workspaceKey}`
  }

  async acquire(maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw cancelled()
    const asked = Date.now()
    const member = `${process.pid}:${++members}:${asked}`
    const answer = await this.redis.run(
      (client) =>
        client.eval(
          RESERVE_SCRIPT,
          2,
          this.reservations,
          this.gate,
          this.perWindow,
          this.windowMs,
          maxWaitMs,
          member
        ) as Promise<number>
    )
    if (typeof answer !== 'number') {
      // Redis did not answer: this process's own limiter, within what is left of the bound.
      return this.local.acquire(Math.max(0, maxWaitMs - (Date.now() - asked)), signal)
    }
    if (answer < 0) throw refusal(-1 - answer, this.perWindow)
    const wait = answer - (Date.now() - asked)
    // A cancelled wait leaves its reservation to expire unused: the write is not sent.
    if (wait > 0) await abortableWait(wait, signal)
    if (signal?.aborted) throw cancelled()
    // Sent: this process's limiter counts it too, for the second after a fall-back to it.
    this.local.noteSent()
  }

  blockUntil(until: number): void {
    this.local.blockUntil(until)
    void this.redis.run((client) => client.eval(BLOCK_SCRIPT, 1, this.gate, Math.ceil(until)))
  }
}

/** Resolves after `ms`, or at once when `signal` fires. */
function abortableWait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

function refusal(waitMs: number, perWindow: number): AttioApiError {
  return new AttioApiError(
    `Not sent: Attio's limit of ${perWindow} writes a second for this token, shared by every worker of the fleet, leaves no slot for this write for the next ${Math.ceil(waitMs / 1000)} s; it is safe to retry.`,
    429,
    'rate_limit_exceeded'
  )
}
