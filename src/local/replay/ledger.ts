/**
 * What a replay has done, line by line: each event is finished once every subscription it went to has
 * its outcome (or it was skipped, or could not be read). A finished event is counted in the tallies,
 * written to the failures file when it failed, marked in the set of finished lines, and then the
 * checkpoint is written, in that order, so that the checkpoint never counts a failure the failures file
 * does not hold.
 */
import { type CompletedLines, type Tallies } from '../checkpoint'
import type { ProgressCounts } from '../progress'
import type { FailureJournal, Origin, ReasonEntry } from './files'

/** An event of the file. */
export interface Item {
  line: number
  text: string
  event: Record<string, unknown>
}

/** The outcome of one delivery (one event to one subscription). */
export interface Outcome {
  ok: boolean
  status: number
  message?: string
  code?: string
  field?: string
  retry: boolean
  retryAfter?: number
}

/** A failure's reason for grouping: the status and the message with quoted values elided. */
export function reasonKey(status: number, message: string): string {
  const elided = message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\s+/g, ' ')
    .trim()
  return `${status} ${elided.length > 200 ? `${elided.slice(0, 199)}…` : elided}`
}

const bump = (record: Record<string, number>, key: string, by = 1) => {
  record[key] = (record[key] ?? 0) + by
}

interface Open {
  item: { line: number; text: string }
  remaining: number
  failures: Array<{ action?: string; outcome: Outcome }>
}

export interface LedgerOptions {
  file: string
  tallies: Tallies
  completed: CompletedLines
  journal: FailureJournal
  /** Where the events of a replayed failures file came from (by line). */
  origins: ReadonlyMap<number, Origin>
  total: number
  alreadyDone: number
  saveCheckpoint(complete: boolean): void
  progress?: { update(counts: ProgressCounts, force?: boolean): void }
}

export class Ledger {
  readonly tallies: Tallies
  doneThisRun = 0
  private readonly open = new Map<number, Open>()

  constructor(private readonly options: LedgerOptions) {
    this.tallies = options.tallies
  }

  counts(): ProgressCounts {
    const { tallies } = this
    return {
      done: this.options.alreadyDone + this.doneThisRun,
      total: this.options.total,
      delivered: tallies.delivered,
      failed: tallies.failed,
      skipped: tallies.skipped,
      doneThisRun: this.doneThisRun
    }
  }

  /** The event goes to this many subscriptions; it is finished when each has settled. */
  expect(item: Item, deliveries: number): void {
    this.open.set(item.line, { item, remaining: deliveries, failures: [] })
  }

  /** One delivery's outcome. Call `flush` once after a group of them. */
  settle(item: Item, action: string, outcome: Outcome): void {
    const entry = this.open.get(item.line)
    if (!entry) return
    if (outcome.ok) bump(this.tallies.deliveredByAction, action)
    else entry.failures.push({ action, outcome })
    entry.remaining -= 1
    if (entry.remaining > 0) return
    this.open.delete(item.line)
    if (entry.failures.length === 0) this.tallies.delivered += 1
    else this.recordFailure(entry.item, entry.failures)
    this.markDone(item.line)
  }

  skip(item: { line: number }, reason: string): void {
    this.tallies.skipped += 1
    bump(this.tallies.skipReasons, reason)
    this.markDone(item.line)
  }

  /** An event no subscription could take: a line that is not a JSON object. */
  reject(item: { line: number; text: string }, message: string): void {
    this.recordFailure(item, [{ outcome: { ok: false, status: 400, retry: false, message } }])
    this.markDone(item.line)
  }

  /** Writes the checkpoint and tells the progress. */
  flush(): void {
    this.options.saveCheckpoint(false)
    this.options.progress?.update(this.counts())
  }

  private markDone(line: number): void {
    this.options.completed.add(line)
    this.doneThisRun += 1
  }

  private recordFailure(
    item: { line: number; text: string },
    failures: Array<{ action?: string; outcome: Outcome }>
  ): void {
    this.tallies.failed += 1
    const described = failures.map(({ action, outcome }) => {
      const reason = outcome.message ?? `HTTP ${outcome.status}`
      bump(this.tallies.failureReasons, reasonKey(outcome.status, reason))
      return {
        ...(action ? { action } : {}),
        status: outcome.status,
        ...(outcome.code ? { code: outcome.code } : {}),
        ...(outcome.field ? { field: outcome.field } : {}),
        reason
      }
    })
    const origin = this.options.origins.get(item.line) ?? { line: item.line, file: this.options.file }
    const [first, ...others] = described
    const entry: ReasonEntry = {
      line: origin.line,
      file: origin.file,
      ...first,
      ...(others.length > 0 ? { alsoFailed: others as ReasonEntry['alsoFailed'] } : {})
    }
    // The failure is on disk before the checkpoint says the event is finished.
    this.options.journal.append(item.text, entry)
  }
}
