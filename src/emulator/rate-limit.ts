/** Attio's per-token rate limits: N reads and M writes per clock second; over that a 429 with Retry-After. */

export type RequestKind = 'read' | 'write'

export interface RateLimitConfig {
  readsPerSecond: number
  writesPerSecond: number
}

export const ATTIO_RATE_LIMITS: RateLimitConfig = { readsPerSecond: 100, writesPerSecond: 25 }

interface Window {
  second: number
  read: number
  write: number
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>()

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now
  ) {}

  /** Counts the request if it is within the limit; otherwise returns the Retry-After HTTP date. */
  take(tokenId: string, kind: RequestKind): { ok: true } | { ok: false; retryAfter: string } {
    const ms = this.now()
    const second = Math.floor(ms / 1000)
    let w = this.windows.get(tokenId)
    if (!w || w.second !== second) {
      w = { second, read: 0, write: 0 }
      this.windows.set(tokenId, w)
    }
    const limit = kind === 'read' ? this.config.readsPerSecond : this.config.writesPerSecond
    if (w[kind] >= limit) return { ok: false, retryAfter: new Date((second + 1) * 1000).toUTCString() }
    w[kind]++
    return { ok: true }
  }
}
