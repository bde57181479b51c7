/**
 * Facts about Attio's HTTP answers that the client, the errors, the pacing and the local host share.
 * A leaf: imports nothing.
 */

/** Attio's write limit: 25 writes a second per token. */
export const WRITES_PER_SECOND = 25

/**
 * The window the write limit is counted over: a little over a second, since requests sent at the end of
 * one second may arrive in the next. Also how long replay waits after a write before the next run.
 */
export const WRITE_WINDOW_MS = 1100

/** Whether a failure with this HTTP status is worth sending again: a 429 or any 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500
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
