/** What a client needs of the write budget: a slot before each write, and a closed gate after a 429. */
export interface WriteSlots {
  /**
   * Waits for a slot and takes it; when none is free within `maxWaitMs`, nothing is sent and a retryable 429
   * (`AttioApiError`) is thrown instead.
   */
  acquire(maxWaitMs: number): Promise<void>
  /** After a 429: no write before `until` (epoch ms). */
  blockUntil(until: number): void
}
