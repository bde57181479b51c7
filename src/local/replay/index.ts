/**
 * Replays an NDJSON file of Segment events through the destination, as a CDP host would deliver them:
 * each event goes to every subscription whose trigger matches it — the destination's presets (identify →
 * Identify User, group → Group Workspace), or the subscriptions of a mapping file; events none takes are
 * skipped and counted with the reason.
 *
 * - Pacing: the Attio client holds writes under 25 a second per credential in this process, so a few
 *   events in flight at once (1–4) go as fast as Attio allows without being rate-limited.
 * - Retries and the end-of-file try for 404s: see deliver.ts. Order: see schedule.ts.
 * - Checkpoint: after every finished event (or batch) the set of finished lines is written atomically next
 *   to the events file; `resume` skips them. On stop (SIGINT/SIGTERM) no new event starts, the ones in
 *   flight finish, the checkpoint is written, and the replay returns.
 * - Failures: see files.ts (names, line numbers, order).
 * - Batches: with `batchSize` > 1, events of the same subscription go through the batch path
 *   (performBatch) in chunks of that size; each event still gets its own outcome.
 */
import { existsSync, rmSync } from 'node:fs'
import { WRITE_WINDOW_MS } from '../../api/core/http'
import type { Settings } from '../../destinations/attio/generated-types'
import { CompletedLines, emptyTallies, writeCheckpointAtomically, type Tallies } from '../checkpoint'
import type { Subscription } from '../mapping-file'
import type { ProgressCounts } from '../progress'
import { SubscriptionRouter } from '../routing'
import type { LocalRunner } from '../runner'
import { Deliverer, sleep } from './deliver'
import { FailureJournal, readOrigins } from './files'
import { Ledger, type Item } from './ledger'
import { checkReplay, linesOf, type ReplayPlan } from './plan'
import { BatchAssembler, identityKeys, Scheduler } from './schedule'

export { defaultFailuresFile, reasonsFileFor } from './files'
export { reasonKey } from './ledger'
export { checkReplay, ReplayUsageError, type ReplayPlan } from './plan'
export { identityKeys } from './schedule'

export interface ReplayOptions {
  file: string
  runner: LocalRunner
  settings?: Partial<Settings>
  /** The subscriptions events go to (a mapping file's); default: the destination's presets. */
  subscriptions?: readonly Subscription[]
  /** Where `subscriptions` came from (the mapping file), for skip reasons. */
  subscriptionsFrom?: string
  /** 1 (default): one event at a time through perform; more: chunks through performBatch. */
  batchSize?: number
  /** Events (or batches) in flight at once: default 4 for single events, 1 for batches. */
  concurrency?: number
  resume?: boolean
  /** Default: `<events>.failures.ndjson` next to the events file (see files.ts). */
  failuresFile?: string
  /** Default: `<events>.checkpoint`. */
  checkpointFile?: string
  /** Attempts after the first for a retryable failure (default 5). */
  retries?: number
  backoff?: { baseMs: number; maxMs: number }
  /**
   * Batches only: how long to wait before the end-of-file try of events answered 404 (default 5000 ms):
   * Attio applies batches asynchronously. Single events are applied when answered: no wait.
   */
  deferMs?: number
  /** Aborting it stops the replay after the events in flight. */
  signal?: AbortSignal
  /** Told after every finished event (e.g. the progress bar). */
  progress?: ReplayProgress
  notice?: (line: string) => void
}

export interface ReplayProgress {
  update(counts: ProgressCounts, force?: boolean): void
  finish(counts: ProgressCounts): void
}

export interface ReplayResult {
  /** Events in the file (non-blank lines). */
  total: number
  /** Events already finished by the runs this one resumed. */
  alreadyDone: number
  /** Events finished by this run. */
  doneThisRun: number
  tallies: Tallies
  durationMs: number
  interrupted: boolean
  /** Attio refused the credential: the replay stopped, the refused events unfinished (its message). */
  credentialRefused?: string
  complete: boolean
  checkpointFile: string
  failuresFile: string
  reasonsFile: string
}

/** Attio counts writes per second; the client's limiter uses a window a little over that. */

/** One run of a replay: its state and the steps of `replay()`, each a method. */
class ReplayRun {
  readonly batchSize: number
  readonly ledger: Ledger
  readonly deliverer: Deliverer
  readonly scheduler: Scheduler
  readonly assembler: BatchAssembler
  readonly router: SubscriptionRouter
  readonly started = Date.now()

  constructor(
    readonly options: ReplayOptions,
    readonly plan: ReplayPlan,
    readonly completed: CompletedLines,
    readonly journal: FailureJournal,
    counts: { total: number; alreadyDone: number; tallies: Tallies }
  ) {
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 1))
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? (this.batchSize > 1 ? 1 : 4)))
    const origins = readOrigins(plan.file, options.notice ?? (() => undefined))
    this.ledger = new Ledger({
      file: plan.file,
      tallies: counts.tallies,
      completed,
      journal,
      origins,
      total: counts.total,
      alreadyDone: counts.alreadyDone,
      saveCheckpoint: (complete) => this.saveCheckpoint(complete),
      progress: options.progress
    })
    this.deliverer = new Deliverer({
      runner: options.runner,
      settings: options.settings,
      retries: Math.max(0, Math.floor(options.retries ?? 5)),
      backoff: options.backoff ?? { baseMs: 500, maxMs: 30_000 },
      signal: options.signal,
      ledger: this.ledger
    })
    this.scheduler = new Scheduler(concurrency)
    this.assembler = new BatchAssembler(this.batchSize, this.scheduler, (items, route) =>
      this.deliverer.chunk(items, route, true)
    )
    this.router = options.subscriptions
      ? new SubscriptionRouter(options.subscriptions, options.subscriptionsFrom ?? 'the mapping file')
      : SubscriptionRouter.ofPresets(options.runner.definition)
  }

  /** Stopped by a signal, or by Attio refusing the credential (which no other event would pass either). */
  get aborted(): boolean {
    return Boolean(this.options.signal?.aborted) || this.deliverer.refused !== undefined
  }

  saveCheckpoint(complete: boolean): void {
    const { plan, completed } = this
    writeCheckpointAtomically(plan.checkpointFile, {
      version: 1,
      file: plan.file,
      size: plan.print.size,
      headHash: plan.print.headHash,
      completedBelow: completed.completedBelow,
      completedAbove: completed.completedAbove,
      tallies: this.ledger.tallies,
      complete,
      updatedAt: new Date().toISOString()
    })
  }

  /** An event of the file, or undefined when the line is finished here (blank, done, unreadable, skipped). */
  private async read(line: number, text: string): Promise<Item | undefined> {
    if (text.trim() === '') {
      if (!this.completed.has(line)) this.completed.add(line)
      return undefined
    }
    if (this.completed.has(line)) return undefined
    let event: unknown
    try {
      event = JSON.parse(text)
    } catch (error) {
      this.ledger.reject({ line, text }, `line ${line} is not valid JSON (${(error as Error).message})`)
      this.ledger.flush()
      return undefined
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      this.ledger.reject({ line, text }, `line ${line} is not a JSON object (a Segment event)`)
      this.ledger.flush()
      return undefined
    }
    return { line, text, event: event as Record<string, unknown> }
  }

  /** Reads the file and sends each event to its subscriptions; stops on abort or on an error. */
  async sendFile(): Promise<void> {
    try {
      for await (const { line, text } of linesOf(this.plan.file)) {
        if (this.aborted || this.scheduler.firstError) break
        const item = await this.read(line, text)
        if (!item) continue
        const routed = await this.router.route(item.event)
        if (!routed.ok) {
          this.ledger.skip(item, routed.reason)
          this.ledger.flush()
          continue
        }
        this.ledger.expect(item, routed.routes.length)
        if (this.batchSize > 1) {
          for (const route of routed.routes) await this.assembler.add(item, route)
          continue
        }
        const keys = identityKeys(item.event)
        await this.scheduler.waitForRoom(keys)
        if (this.aborted) break
        this.scheduler.launch(
          Promise.all(routed.routes.map((route) => this.deliverer.one(item, route, true))).then(
            () => undefined
          ),
          keys
        )
      }
      if (!this.aborted && this.assembler.size > 0) await this.assembler.dispatch()
    } catch (error) {
      this.scheduler.firstError ??= error
    }
    await this.scheduler.drain()
    if (this.scheduler.firstError) throw this.scheduler.firstError
  }

  /** The end-of-file try of the events answered 404, in file order (see deliver.ts). */
  async retryDeferred(): Promise<void> {
    const deferred = this.deliverer.deferred.splice(0).sort((a, b) => a.item.line - b.item.line)
    if (deferred.length === 0 || this.aborted) return
    const batched = this.batchSize > 1
    const deferMs = batched ? (this.options.deferMs ?? 5000) : 0
    const count = `${deferred.length} event${deferred.length === 1 ? '' : 's'}`
    this.options.notice?.(
      `${count} referred to records Attio did not have yet (404); trying ${deferred.length === 1 ? 'it' : 'them'} once more${batched ? ` in ${Math.round(deferMs / 1000)} s, after Attio has applied the earlier batches` : ', now that the rest of the file is sent'}.`
    )
    if (!(await sleep(deferMs, this.options.signal))) return
    if (!batched) {
      for (const { item, route } of deferred) {
        const keys = identityKeys(item.event)
        await this.scheduler.waitForRoom(keys)
        if (this.aborted) break
        this.ledger.tallies.deferred += 1
        this.scheduler.launch(this.deliverer.one(item, route, false), keys)
      }
      await this.scheduler.drain()
      if (this.scheduler.firstError) throw this.scheduler.firstError
      return
    }
    const byRoute = new Map<number, typeof deferred>()
    for (const entry of deferred)
      byRoute.set(entry.route.index, [...(byRoute.get(entry.route.index) ?? []), entry])
    for (const entries of byRoute.values()) {
      for (let start = 0; start < entries.length && !this.aborted; start += this.batchSize) {
        const slice = entries.slice(start, start + this.batchSize)
        this.ledger.tallies.deferred += slice.length
        await this.deliverer.chunk(
          slice.map((entry) => entry.item),
          slice[0].route,
          false
        )
      }
    }
  }
}

/** The finished lines and tallies to start from, and the stale failures files removed on a fresh start. */
function startingPoint(
  options: ReplayOptions,
  plan: ReplayPlan
): { completed: CompletedLines; tallies: Tallies } {
  if (plan.previous) {
    return {
      completed: new CompletedLines(plan.previous.completedBelow, plan.previous.completedAbove),
      tallies: plan.previous.tallies
    }
  }
  if (options.resume)
    options.notice?.(`No checkpoint at ${plan.checkpointFile}: starting from the first event.`)
  for (const stale of [plan.failuresFile, plan.reasonsFile]) if (existsSync(stale)) rmSync(stale)
  return { completed: new CompletedLines(), tallies: emptyTallies() }
}

export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const plan = checkReplay(options)
  const { completed, tallies } = startingPoint(options, plan)

  // Count the events (and those already finished) for the progress and the summary.
  let total = 0
  let alreadyDone = 0
  for await (const { line, text } of linesOf(plan.file)) {
    if (text.trim() === '') continue
    total += 1
    if (completed.has(line)) alreadyDone += 1
  }

  // Writes the interrupted run sent in its last second still count against Attio's per-second limit, and
  // this process's limiter has not seen them: start after that second has passed.
  if (plan.previous) {
    const wait = Date.parse(plan.previous.updatedAt) + WRITE_WINDOW_MS - Date.now()
    if (wait > 0 && wait <= WRITE_WINDOW_MS) await sleep(wait, options.signal)
  }

  const journal = new FailureJournal(plan.failuresFile, plan.reasonsFile, tallies.failed > 0)
  const run = new ReplayRun(options, plan, completed, journal, { total, alreadyDone, tallies })
  options.progress?.update(run.ledger.counts(), true)
  try {
    await run.sendFile()
    await run.retryDeferred()
  } finally {
    journal.sort()
  }

  const done = alreadyDone + run.ledger.doneThisRun
  const complete = done >= total
  run.saveCheckpoint(complete)
  options.progress?.finish(run.ledger.counts())
  return {
    total,
    alreadyDone,
    doneThisRun: run.ledger.doneThisRun,
    tallies,
    durationMs: Date.now() - run.started,
    interrupted: Boolean(options.signal?.aborted) && !complete,
    ...(run.deliverer.refused ? { credentialRefused: run.deliverer.refused.message ?? 'refused' } : {}),
    complete,
    checkpointFile: plan.checkpointFile,
    failuresFile: journal.written ? plan.failuresFile : '',
    reasonsFile: journal.written ? plan.reasonsFile : ''
  }
}
