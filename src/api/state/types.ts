/** What a client needs of the write budget: a slot before each write, and a closed gate after a 429. */
export interface WriteSlots {
  /**
   * Waits for a slot and takes it; when none is free within `maxWaitMs`, nothing is sent and a retryable 429
   * (`AttioApiError`) is thrown instead. Once `signal` (the host's) fires, a waiting write stops waiting and
   * the same retryable 429 is thrown: the write is not sent.
   */
  acquire(maxWaitMs: number, signal?: AbortSignal): Promise<void>
  /** After a 429: no write before `until` (epoch ms). */
  blockUntil(until: number): void
}
