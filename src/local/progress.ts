/**
 * Replay progress on stderr: a bar redrawn in place with rate and ETA when stderr is a terminal, plain
 * lines every few seconds otherwise (CI logs, pipes).
 */

export interface ProgressCounts {
  /** Events finished in this run and in the runs it resumes. */
  done: number
  total: number
  delivered: number
  failed: number
  skipped: number
  /** Events finished in this run only (the rate is theirs). */
  doneThisRun: number
}

export interface ProgressStream {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?'
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

export class Progress {
  private readonly started = Date.now()
  private lastDraw = 0
  private lastLine = 0
  private drawn = false

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: { lineIntervalMs?: number; label?: string } = {}
  ) {}

  /** Events per second in this run. */
  rate(counts: ProgressCounts, now = Date.now()): number {
    const elapsed = (now - this.started) / 1000
    return elapsed > 0 ? counts.doneThisRun / elapsed : 0
  }

  describe(counts: ProgressCounts, now = Date.now()): string {
    const rate = this.rate(counts, now)
    const left = counts.total - counts.done
    const eta = rate > 0 ? formatDuration((left / rate) * 1000) : '?'
    const percent = counts.total > 0 ? Math.floor((counts.done / counts.total) * 100) : 100
    return `${counts.done}/${counts.total} (${percent}%)  ${rate.toFixed(1)} events/s  ETA ${eta}  delivered ${counts.delivered}  failed ${counts.failed}  skipped ${counts.skipped}`
  }

  update(counts: ProgressCounts, force = false): void {
    const now = Date.now()
    if (this.stream.isTTY) {
      if (!force && now - this.lastDraw < 100) return
      this.lastDraw = now
      const width = 24
      const filled = counts.total > 0 ? Math.round((counts.done / counts.total) * width) : width
      const bar = `${'█'.repeat(filled)}${'░'.repeat(Math.max(0, width - filled))}`
      const line = `${this.options.label ?? 'replay'} ${bar} ${this.describe(counts, now)}`
      const columns = this.stream.columns || 120
      this.stream.write(`\r${line.slice(0, Math.max(20, columns - 1))}\x1b[K`)
      this.drawn = true
      return
    }
    const interval = this.options.lineIntervalMs ?? 5000
    if (!force && now - this.lastLine < interval) return
    this.lastLine = now
    this.stream.write(`${this.options.label ?? 'replay'}: ${this.describe(counts, now)}\n`)
  }

  /** Ends the bar's line (TTY) so what follows starts on its own line. */
  finish(counts: ProgressCounts): void {
    this.update(counts, true)
    if (this.stream.isTTY && this.drawn) this.stream.write('\n')
  }
}
