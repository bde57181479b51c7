/**
 * Keeps writes under Attio's limit of 25 a second per token. Every write the client sends takes a slot
 * first; slots are shared by everything in this process that uses the same credential (keyed by its
 * hash). A 429 received closes the gate until its Retry-After, so no request is sent into a known limit.
 */
import { LRUCache } from 'lru-cache'
import { AttioApiError } from './errors'

export const WRITES_PER_SECOND = 25
/** The window is a little over a second: requests sent at the end of one second may arrive in the next. */
const WINDOW_MS = 1100

export class WriteLimiter {
  private readonly sent: number[] = []
  private blockedUntil = 0

  constructor(
    private readonly perWindow = WRITES_PER_SECOND,
    private readonly windowMs = WINDOW_MS,
    private readonly now: () => number = Date.now
  ) {}

  /** How long a write would have to wait now. */
  delay(): number {
    const now = this.now()
    while (this.sent.length > 0 && this.sent[0] <= now - this.windowMs) this.sent.shift()
    const byWindow = this.sent.length < this.perWindow ? 0 : this.sent[0] + this.windowMs - now
    return Math.max(byWindow, this.blockedUntil - now, 0)
  }

  /**
   * Waits for a slot and takes it. When the wait would be longer than `maxWaitMs`, nothing is sent and a
   * retryable 429 is thrown instead, so a caller with a deadline can hand the work back to its host.
   */
  async acquire(maxWaitMs: number): Promise<void> {
    for (;;) {
      const wait = this.delay()
      if (wait === 0) {
        this.sent.push(this.now())
        return
      }
      if (wait > maxWaitMs) {
        throw new AttioApiError(
          `Not sent: Attio's limit of ${this.perWindow} writes a second for this token is used up for the next ${Math.ceil(wait / 1000)} s; it is safe to retry.`,
          429,
          'rate_limit_exceeded'
        )
      }
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  /** After a 429: no write before `until` (epoch ms). */
  blockUntil(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until)
  }
}

const limiters = new LRUCache<string, WriteLimiter>({ max: 10_000, ttl: 10 * 60 * 1000 })

/** The limiter shared by every write with this workspace key. */
export function limiterFor(workspaceKey: string): WriteLimiter {
  let limiter = limiters.get(workspaceKey)
  if (!limiter) {
    limiter = new WriteLimiter()
    limiters.set(workspaceKey, limiter)
  }
  return limiter
}

/** The instant a Retry-After header names (an HTTP date, or seconds), or one second from now. */
export function retryAfterToEpoch(header: string | null | undefined, now = Date.now()): number {
  if (header) {
    const seconds = Number(header)
    if (Number.isFinite(seconds)) return now + seconds * 1000
    const date = Date.parse(header)
    if (Number.isFinite(date)) return Math.max(date, now)
  }
  return now + 1000
}
