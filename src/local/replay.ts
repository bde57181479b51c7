/**
 * Replays an NDJSON file of Segment events through the destination, as a CDP host would deliver them:
 * each event goes to the action of the first preset that subscribes to it (identify → Identify User,
 * group → Group Workspace); events no preset takes are skipped and counted with the reason.
 *
 * - Pacing: the Attio client holds writes under 25 a second per credential in this process, so a few
 *   events in flight at once (1–4) go as fast as Attio allows without being rate-limited.
 * - Retries: 429, 5xx and errors flagged `retry` are tried again with exponential back-off, waiting at least
 *   as long as Attio's Retry-After says.
 * - Checkpoint: after every finished event (or batch) the set of finished lines is written atomically next
 *   to the events file; `resume` skips them. On stop (SIGINT/SIGTERM) no new event starts, the ones in
 *   flight finish, the checkpoint is written, and the replay returns.
 * - Failures: the failed events' lines are appended to a failures file (itself replayable) and their
 *   reasons to a sidecar NDJSON file, line for line.
 * - Order: events about the same user, group, email or domain are never in flight together and start in
 *   file order (a group event waits for the identify of its user before it).
 * - Batches: with `batchSize` > 1, events of the same action go through the batch path (performBatch) in
 *   chunks of that size; each event still gets its own outcome. Attio applies batches asynchronously, so
 *   events answered 404 (a record an earlier batch creates is not there yet) get one more try at the end.
 */
import { closeSync, createReadStream, existsSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { Settings } from '../destinations/attio/generated-types'
import {
  CompletedLines,
  DamagedCheckpointError,
  emptyTallies,
  fingerprint,
  readCheckpoint,
  writeCheckpointAtomically,
  type CheckpointData,
  type Tallies
} from './checkpoint'
import { isRetryableStatus } from './failure'
import type { ProgressCounts } from './progress'
import { PresetRouter, type PresetRoute } from './routing'
import type { ActionAnswer, LocalRunner } from './runner'

/** For each action, the actions whose records it links (Group Workspace links the Users Identify User writes). */
const LINKS_RECORDS_OF: Readonly<Record<string, readonly string[]>> = { groupWorkspace: ['identifyUser'] }

export interface ReplayOptions {
  file: string
  runner: LocalRunner
  settings?: Partial<Settings>
  /** 1 (default): one event at a time through perform; more: chunks through performBatch. */
  batchSize?: number
  /** Events (or batches) in flight at once: default 4 for single events, 1 for batches. */
  concurrency?: number
  resume?: boolean
  /** Default: `<events>.failures.ndjson` next to the events file. */
  failuresFile?: string
  /** Default: `<events>.checkpoint`. */
  checkpointFile?: string
  /** Attempts after the first for a retryable failure (default 5). */
  retries?: number
  backoff?: { baseMs: number; maxMs: number }
  /**
   * Batches only: how long to wait before the one more try of events answered 404 (default 5000 ms). Attio
   * applies batches asynchronously, so a record an earlier batch creates (the User a group event links) may
   * not be there yet when the next batch refers to it.
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
  complete: boolean
  checkpointFile: string
  failuresFile: string
  reasonsFile: string
}

export class ReplayUsageError extends Error {}

/** Attio counts writes per second; the client's limiter uses a window a little over that. */
const WRITE_WINDOW_MS = 1100

interface Item {
  line: number
  text: string
  event: Record<string, unknown>
}

interface Outcome {
  ok: boolean
  status: number
  message?: string
  code?: string
  field?: string
  retry: boolean
  retryAfter?: number
}

export function defaultFailuresFile(file: string): string {
  return file.endsWith('.ndjson')
    ? `${file.slice(0, -'.ndjson'.length)}.failures.ndjson`
    : `${file}.failures.ndjson`
}

export function reasonsFileFor(failuresFile: string): string {
  return failuresFile.endsWith('.ndjson')
    ? `${failuresFile.slice(0, -'.ndjson'.length)}.reasons.ndjson`
    : `${failuresFile}.reasons.ndjson`
}

/**
 * What an event is about. Events sharing one of these are never in flight at the same time and start in
 * file order, so a group event waits for the identify of its user that precedes it.
 */
export function identityKeys(event: Record<string, unknown>): string[] {
  const keys = new Set<string>()
  const add = (kind: string, value: unknown) => {
    if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number') {
      keys.add(`${kind}:${String(value).trim().toLowerCase()}`)
    }
  }
  add('user', event.userId)
  add('group', event.groupId)
  const traits = (event.traits ?? {}) as Record<string, unknown>
  add('email', traits.email)
  add('domain', traits.website)
  add('domain', traits.domain)
  return [...keys]
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

/** Appends and flushes to the disk, so that a checkpoint written afterwards never gets ahead of it. */
function appendDurably(file: string, text: string): void {
  const fd = openSync(file, 'a')
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Waits, or less when the signal aborts; resolves false when it was cut short. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

async function* linesOf(file: string): AsyncGenerator<{ line: number; text: string }> {
  const reader = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  let line = 0
  try {
    for await (const text of reader) {
      line += 1
      yield { line, text }
    }
  } finally {
    reader.close()
  }
}

/** The checkpoint; a damaged one is a usage error (exit 2) naming the file and what to do, never a crash. */
function readCheckpointOrExplain(checkpointFile: string, file: string): CheckpointData | undefined {
  try {
    return readCheckpoint(checkpointFile)
  } catch (error) {
    if (!(error instanceof DamagedCheckpointError)) throw error
    throw new ReplayUsageError(
      `${error.message}, so it cannot tell which events of ${file} were delivered. Delete it to start over (events delivered before would be sent again; that is safe, since every write is a create-or-update), or restore it from a copy and pass --resume. It was left as it is.`
    )
  }
}

export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const file = options.file
  if (!existsSync(file)) throw new ReplayUsageError(`${file} does not exist.`)
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1))
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? (batchSize > 1 ? 1 : 4)))
  const retries = Math.max(0, Math.floor(options.retries ?? 5))
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 }
  const checkpointFile = options.checkpointFile ?? `${file}.checkpoint`
  const failuresFile = options.failuresFile ?? defaultFailuresFile(file)
  const reasonsFile = reasonsFileFor(failuresFile)
  if (path.resolve(failuresFile) === path.resolve(file) || path.resolve(reasonsFile) === path.resolve(file)) {
    throw new ReplayUsageError('The failures file must not be the events file.')
  }
  const notice = options.notice ?? (() => undefined)
  const signal = options.signal

  const print = fingerprint(file)
  const previous = readCheckpointOrExplain(checkpointFile, file)
  let completed: CompletedLines
  let tallies: Tallies
  if (options.resume && previous) {
    if (previous.size !== print.size || previous.headHash !== print.headHash) {
      throw new ReplayUsageError(
        `${file} changed since ${checkpointFile} was written (size ${previous.size} → ${print.size}): resuming could skip or repeat events. Delete the checkpoint to start over.`
      )
    }
    completed = new CompletedLines(previous.completedBelow, previous.completedAbove)
    tallies = previous.tallies
  } else {
    if (previous && !previous.complete && !options.resume) {
      throw new ReplayUsageError(
        `${checkpointFile} is the checkpoint of an interrupted replay of ${file}: pass --resume to continue it, or delete it to start over (events already delivered would be sent again).`
      )
    }
    if (options.resume) notice(`No checkpoint at ${checkpointFile}: starting from the first event.`)
    completed = new CompletedLines()
    tallies = emptyTallies()
    for (const stale of [failuresFile, reasonsFile]) if (existsSync(stale)) rmSync(stale)
  }

  // Count the events (and those already finished) for the progress and the summary.
  let total = 0
  let alreadyDone = 0
  for await (const { line, text } of linesOf(file)) {
    if (text.trim() === '') continue
    total += 1
    if (completed.has(line)) alreadyDone += 1
  }

  // Writes the interrupted run sent in its last second still count against Attio's per-second limit, and
  // this process's limiter has not seen them: start after that second has passed.
  if (options.resume && previous) {
    const wait = Date.parse(previous.updatedAt) + WRITE_WINDOW_MS - Date.now()
    if (wait > 0 && wait <= WRITE_WINDOW_MS) await sleep(wait, signal)
  }

  const started = Date.now()
  let doneThisRun = 0
  let failuresWritten = tallies.failed > 0
  const counts = (): ProgressCounts => ({
    done: alreadyDone + doneThisRun,
    total,
    delivered: tallies.delivered,
    failed: tallies.failed,
    skipped: tallies.skipped,
    doneThisRun
  })

  const saveCheckpoint = (complete: boolean) => {
    const data: CheckpointData = {
      version: 1,
      file,
      size: print.size,
      headHash: print.headHash,
      completedBelow: completed.completedBelow,
      completedAbove: completed.completedAbove,
      tallies,
      complete,
      updatedAt: new Date().toISOString()
    }
    writeCheckpointAtomically(checkpointFile, data)
  }

  /** Records finished events, then writes the checkpoint once. */
  const finish = (
    entries: Array<{
      item: { line: number; text: string }
      action?: string
      outcome: Outcome | { skipped: string }
    }>
  ) => {
    for (const { item, action, outcome } of entries) {
      if ('skipped' in outcome) {
        tallies.skipped += 1
        bump(tallies.skipReasons, outcome.skipped)
      } else if (outcome.ok) {
        tallies.delivered += 1
        bump(tallies.deliveredByAction, action ?? 'unknown')
      } else {
        tallies.failed += 1
        const message = outcome.message ?? `HTTP ${outcome.status}`
        bump(tallies.failureReasons, reasonKey(outcome.status, message))
        // The failure is on disk before the checkpoint says the event is finished.
        appendDurably(failuresFile, `${item.text.trim()}\n`)
        appendDurably(
          reasonsFile,
          `${JSON.stringify({
            line: item.line,
            ...(action ? { action } : {}),
            status: outcome.status,
            ...(outcome.code ? { code: outcome.code } : {}),
            ...(outcome.field ? { field: outcome.field } : {}),
            reason: message
          })}\n`
        )
        failuresWritten = true
      }
      completed.add(item.line)
      doneThisRun += 1
    }
    saveCheckpoint(false)
    options.progress?.update(counts())
  }

  const backoffDelay = (attempt: number, retryAfter?: number): number => {
    const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt)
    const jittered = exponential / 2 + Math.random() * (exponential / 2)
    const untilAllowed = retryAfter ? retryAfter - Date.now() : 0
    return Math.max(jittered, untilAllowed, 0)
  }

  const countRateLimited = (answer: ActionAnswer) => {
    tallies.rateLimited += answer.exchanges.filter((exchange) => exchange.status === 429).length
  }

  const router = new PresetRouter(options.runner.definition)

  /** One event through perform, retried while retryable. Resolves undefined when abandoned on stop. */
  async function deliverOne(item: Item, route: PresetRoute): Promise<Outcome | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await options.runner.runAction(route.action, {
        payload: item.event,
        mapping: route.mapping,
        settings: options.settings
      })
      countRateLimited(answer)
      if (answer.ok) return { ok: true, status: 200, retry: false }
      const error = answer.error ?? { message: 'Failed', status: 500, retry: true }
      const outcome: Outcome = {
        ok: false,
        status: error.status,
        message: error.message,
        code: error.code,
        field: error.field,
        retry: error.retry,
        retryAfter: error.retryAfter
      }
      if (!outcome.retry || attempt >= retries) return outcome
      tallies.retries += 1
      if (!(await sleep(backoffDelay(attempt, outcome.retryAfter), signal))) return undefined
    }
  }

  /** A chunk through performBatch; events with a retryable outcome are sent again. */
  async function deliverChunk(items: Item[], route: PresetRoute, mayDefer = true): Promise<void> {
    let pending = items
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const answer = await options.runner.runAction(route.action, {
        payload: pending.map((item) => item.event),
        mapping: route.mapping,
        settings: options.settings
      })
      countRateLimited(answer)
      const retryable: Item[] = []
      const finished: Parameters<typeof finish>[0] = []
      let retryAfter: number | undefined
      if (answer.error || !answer.multistatus) {
        const error = answer.error ?? { message: 'No per-event outcome', status: 500, retry: true }
        retryAfter = error.retryAfter
        for (const item of pending) {
          if (error.retry && attempt < retries) retryable.push(item)
          else finished.push({ item, action: route.action, outcome: { ok: false, ...error } })
        }
      } else {
        pending.forEach((item, index) => {
          const entry = answer.multistatus?.[index] ?? {
            status: 500,
            errormessage: 'No outcome for this event'
          }
          const ok = entry.status >= 200 && entry.status < 300
          if (!ok && isRetryableStatus(entry.status) && attempt < retries) {
            retryable.push(item)
            return
          }
          if (!ok && entry.status === 404 && mayDefer) {
            deferred.push({ item, route })
            return
          }
          finished.push({
            item,
            action: route.action,
            outcome: {
              ok,
              status: entry.status,
              retry: false,
              ...(ok
                ? {}
                : {
                    message: entry.errormessage ?? `HTTP ${entry.status}`,
                    code: entry.errortype,
                    field: entry.field
                  })
            }
          })
        })
      }
      if (finished.length > 0) finish(finished)
      pending = retryable
      if (pending.length === 0) return
      tallies.retries += 1
      // On stop, the events still to retry stay unfinished: a resume sends them.
      if (!(await sleep(backoffDelay(attempt, retryAfter), signal))) return
    }
  }

  const deferred: Array<{ item: Item; route: PresetRoute }> = []
  let firstError: unknown
  const inflight = new Set<Promise<void>>()
  /** In-flight work by identity key (see identityKeys). */
  const busy = new Map<string, Promise<void>>()
  const launch = (work: Promise<void>, keys: readonly string[] = []) => {
    const tracked: Promise<void> = work
      .catch((error: unknown) => {
        firstError ??= error
      })
      .finally(() => {
        inflight.delete(tracked)
        for (const key of keys) if (busy.get(key) === tracked) busy.delete(key)
      })
    inflight.add(tracked)
    for (const key of keys) busy.set(key, tracked)
    return tracked
  }
  const waitForRoom = async (keys: readonly string[] = []) => {
    for (;;) {
      const blockers = keys.map((key) => busy.get(key)).filter((work) => work !== undefined)
      if (blockers.length > 0) await Promise.race(blockers)
      else if (inflight.size >= concurrency) await Promise.race(inflight)
      else return
    }
  }

  const open = new Map<string, { route: PresetRoute; items: Item[] }>()
  /** Batches in flight, by action. */
  const batchesInFlight = new Map<string, Set<Promise<void>>>()
  const dispatchOpenChunks = async () => {
    // The open chunks cover the same stretch of the file, interleaved. A chunk that links records another
    // action writes (Group Workspace: the Users of Identify User) goes after that action's chunks and waits
    // for them to be answered, so the records it links were sent before it; the others go in the order of
    // their first event.
    const linked = (action: string) => LINKS_RECORDS_OF[action] ?? []
    const rank = (chunk: { route: PresetRoute }) => (linked(chunk.route.action).length > 0 ? 1 : 0)
    const chunks = [...open.values()].sort((a, b) => rank(a) - rank(b) || a.items[0].line - b.items[0].line)
    open.clear()
    for (const chunk of chunks) {
      const action = chunk.route.action
      await Promise.all(linked(action).flatMap((other) => [...(batchesInFlight.get(other) ?? [])]))
      await waitForRoom()
      const tracked = launch(deliverChunk(chunk.items, chunk.route))
      const ofAction = batchesInFlight.get(action) ?? new Set<Promise<void>>()
      ofAction.add(tracked)
      batchesInFlight.set(action, ofAction)
      void tracked.finally(() => ofAction.delete(tracked))
    }
  }

  options.progress?.update(counts(), true)
  try {
    for await (const { line, text } of linesOf(file)) {
      if (signal?.aborted || firstError) break
      if (text.trim() === '') {
        if (!completed.has(line)) completed.add(line)
        continue
      }
      if (completed.has(line)) continue
      let event: unknown
      try {
        event = JSON.parse(text)
      } catch (error) {
        finish([
          {
            item: { line, text },
            outcome: {
              ok: false,
              status: 400,
              retry: false,
              message: `line ${line} is not valid JSON (${(error as Error).message})`
            }
          }
        ])
        continue
      }
      if (event === null || typeof event !== 'object' || Array.isArray(event)) {
        finish([
          {
            item: { line, text },
            outcome: {
              ok: false,
              status: 400,
              retry: false,
              message: `line ${line} is not a JSON object (a Segment event)`
            }
          }
        ])
        continue
      }
      const routed = await router.route(event)
      if (!routed.ok) {
        finish([{ item: { line, text }, outcome: { skipped: routed.reason } }])
        continue
      }
      const item: Item = { line, text, event: event as Record<string, unknown> }
      if (batchSize > 1) {
        const key = routed.route.action
        const chunk = open.get(key) ?? { route: routed.route, items: [] }
        chunk.items.push(item)
        open.set(key, chunk)
        if (chunk.items.length >= batchSize) await dispatchOpenChunks()
        continue
      }
      const keys = identityKeys(item.event)
      await waitForRoom(keys)
      if (signal?.aborted) break
      launch(
        deliverOne(item, routed.route).then((outcome) => {
          if (outcome) finish([{ item, action: routed.route.action, outcome }])
        }),
        keys
      )
    }
    if (!signal?.aborted && open.size > 0) await dispatchOpenChunks()
  } catch (error) {
    firstError ??= error
  }
  await Promise.allSettled([...inflight])
  if (firstError) throw firstError

  // Batches: one more try for the events answered 404, once Attio has had time to apply the earlier batches.
  if (deferred.length > 0 && !signal?.aborted) {
    const deferMs = options.deferMs ?? 5000
    notice(
      `${deferred.length} event${deferred.length === 1 ? '' : 's'} of the batches referred to records Attio did not have yet (404); trying ${deferred.length === 1 ? 'it' : 'them'} once more in ${Math.round(deferMs / 1000)} s, after Attio has applied the earlier batches.`
    )
    if (await sleep(deferMs, signal)) {
      deferred.sort((a, b) => a.item.line - b.item.line)
      const byAction = new Map<string, { route: PresetRoute; items: Item[] }>()
      for (const { item, route } of deferred) {
        const group = byAction.get(route.action) ?? { route, items: [] }
        group.items.push(item)
        byAction.set(route.action, group)
      }
      for (const { route, items } of byAction.values()) {
        for (let start = 0; start < items.length && !signal?.aborted; start += batchSize) {
          await deliverChunk(items.slice(start, start + batchSize), route, false)
        }
      }
    }
  }

  const complete = alreadyDone + doneThisRun >= total
  saveCheckpoint(complete)
  options.progress?.finish(counts())
  return {
    total,
    alreadyDone,
    doneThisRun,
    tallies,
    durationMs: Date.now() - started,
    interrupted: Boolean(signal?.aborted) && !complete,
    complete,
    checkpointFile,
    failuresFile: failuresWritten ? failuresFile : '',
    reasonsFile: failuresWritten ? reasonsFile : ''
  }
}
