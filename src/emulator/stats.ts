import type { EmulatorStats, FaultKind } from './types'

export const emptyStats = (): EmulatorStats => ({
  requests: {},
  reads: 0,
  writes: 0,
  rateLimited: 0,
  faults: { total: 0, byKind: { '500': 0, '503': 0, hang: 0, reset: 0 }, applied: 0 },
  bulk: { requests: 0, applied: 0, dropped: 0, pending: 0 }
})

export class StatsRecorder {
  private stats = emptyStats()

  request(route: string, kind: 'read' | 'write' | null): void {
    this.stats.requests[route] = (this.stats.requests[route] ?? 0) + 1
    if (kind === 'read') this.stats.reads++
    if (kind === 'write') this.stats.writes++
  }

  rateLimited(): void {
    this.stats.rateLimited++
  }

  fault(kind: FaultKind, applied: boolean): void {
    this.stats.faults.total++
    this.stats.faults.byKind[kind]++
    if (applied) this.stats.faults.applied++
  }

  bulkAccepted(): void {
    this.stats.bulk.requests++
    this.stats.bulk.pending++
  }

  bulkDone(applied: number, dropped: number): void {
    this.stats.bulk.pending = Math.max(0, this.stats.bulk.pending - 1)
    this.stats.bulk.applied += applied
    this.stats.bulk.dropped += dropped
  }

  bulkCancelled(): void {
    this.stats.bulk.pending = Math.max(0, this.stats.bulk.pending - 1)
  }

  snapshot(): EmulatorStats {
    return structuredClone(this.stats)
  }

  /** Clears the counters; bulk requests still pending stay counted as pending. */
  reset(): void {
    const pending = this.stats.bulk.pending
    this.stats = emptyStats()
    this.stats.bulk.pending = pending
  }
}
