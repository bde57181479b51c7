/**
 * Keeps writes under Attio's limit of 25 a second per token. Every write the client sends takes a slot
 * first; slots are shared by everything in this process that uses the same credential (keyed by its
 * hash). A 429 received closes the gate until its Retry-After, so no request is sent into a known limit.
 */
import { LRUCache } from 'lru-cache'
import { retryAfterToEpoch, WRITE_WINDOW_MS, WRITES_PER_SECOND } from './core/http'
import { AttioApiError } from './errors'

export { retryAfterToEpoch, WRITES_PER_SECOND }

interface Waiter {
  /** The latest instant (epoch ms) this write may be sent: when it asked, plus its `maxWaitMs`. */
  deadline: number
  ahead: number
  resolve: () => void
  reject: (error: AttioApiError) => void
}

/**
 * Writes take slots in the order they ask for them (a queue, not a race), so a write's wait is decided by its
 * place in the queue: one that could not be sent within its `maxWaitMs` is refused when it asks, and one that
 * a later 429 would hold past that bound is refused then; no write is ever sent later than it allowed.
 */
export class WriteLimiter {
  /** When the writes of the current window were sent, oldest first. */
  private readonly sent: number[] = []
  private readonly queue: Waiter[] = []
  private blockedUntil = 0
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly perWindow = WRITES_PER_SECOND,
    private readonly windowMs = WRITE_WINDOW_MS,
    private readonly now: () => number = () => Date.now()
  ) {}

  /** How long a write asking now would wait, behind every write already waiting. */
  delay(): number {
    const now = this.now()
    return this.sendTime(now, this.queue.length) - now
  }

  /** When the write at `position` in the queue (0: its head) can be sent, if nothing else changes. */
  private sendTime(now: number, position: number): number {
    this.dropExpired(now)
    // A clock set back must not hold writes for as long: a send "in the future" counts as sent now.
    for (let index = this.sent.length - 1; index >= 0 && this.sent[index] > now; index--)
      this.sent[index] = now
    const times = [...this.sent]
    let at = now
    for (let index = 0; index <= position; index++) {
      const freed =
        times.length >= this.perWindow ? times[times.length - this.perWindow] + this.windowMs : now
      at = Math.max(now, this.blockedUntil, freed)
      times.push(at)
    }
    return at
  }

  /**
   * Waits for a slot and takes it. When the write could not be sent within `maxWaitMs`, nothing is sent and a
   * retryable 429 is thrown instead, so a caller with a deadline can hand the work back to its host. When the
   * host's `signal` fires (the invocation was cancelled), a waiting write leaves the queue with that same
   * retryable answer, and one asking after it does not wait at all.
   */
  acquire(maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled())
    const now = this.now()
    const ahead = this.queue.length
    const at = this.sendTime(now, ahead)
    if (at - now > maxWaitMs) return Promise.reject(this.refusal(at - now, ahead))
    if (at === now && ahead === 0) {
      this.sent.push(now)
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const position = this.queue.indexOf(waiter)
        if (position < 0) return
        this.queue.splice(position, 1)
        reject(cancelled())
        // Those behind it move up: their slots may have come.
        this.pump()
      }
      const waiter: Waiter = {
        deadline: now + maxWaitMs,
        ahead,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort)
          reject(error)
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.queue.push(waiter)
      this.pump()
    })
  }

  /** Sends the writes whose slot has come, refuses those that can no longer be sent in time, waits for the next. */
  private pump(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    for (;;) {
      const head = this.queue[0]
      if (!head) return
      const now = this.now()
      const at = this.sendTime(now, 0)
      if (at > head.deadline) {
        this.queue.shift()
        head.reject(this.refusal(at - now, head.ahead))
        continue
      }
      if (at > now) {
        this.timer = setTimeout(() => this.pump(), at - now)
        return
      }
      this.queue.shift()
      this.sent.push(now)
      head.resolve()
    }
  }

  private refusal(waitMs: number, ahead: number): AttioApiError {
    return new AttioApiError(
      `Not sent: Attio's limit of ${this.perWindow} writes a second for this token leaves no slot for this write for the next ${Math.ceil(waitMs / 1000)} s${ahead > 0 ? ` (${ahead} writes wait ahead of it)` : ''}; it is safe to retry.`,
      429,
      'rate_limit_exceeded'
    )
  }

  /**
   * A write of this process sent now by another budget (fleet mode's shared one): counted in this window too,
   * so that should that budget fail over to this limiter, it starts with what this process already sent this
   * second instead of a full second's budget.
   */
  noteSent(): void {
    const now = this.now()
    this.dropExpired(now)
    if (this.sent.length < this.perWindow) this.sent.push(now)
  }

  /** Forgets the sends that left the window. */
  private dropExpired(now: number): void {
    while (this.sent.length > 0 && this.sent[0] <= now - this.windowMs) this.sent.shift()
  }

  /** After a 429: no write before `until` (epoch ms). */
  blockUntil(until: number): void {
    if (until <= this.blockedUntil) return
    this.blockedUntil = until
    this.pump()
  }
}

/** The answer for a write the host cancelled before it had a slot: nothing was sent; it is safe to retry. */
export function cancelled(): AttioApiError {
  return new AttioApiError(
    "Not sent: the host cancelled this invocation while the write waited for a slot under Attio's write limit; it is safe to retry.",
    429,
    'rate_limit_exceeded'
  )
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
