/**
 * The fleet run's crossing phase (`npm run fleet`, docs/fleet.md). The main phase sends each lane to one worker,
 * so no worker ever writes a record another wrote and the shared write memory never makes a worker skip. After
 * it, this phase delivers a sample of the delivered events once more, each to the NEXT worker (not the one that
 * delivered it), with the shared state on: those workers' own memory knows nothing of these records, so only
 * Redis can make them skip. Then the same events go, the same way, to a fresh set of workers without
 * `ATTIO_STATE_URL` (empty memory, no Redis): what the re-delivery costs without the shared memory. Both count
 * the writes the emulator received during the phase.
 *
 * The sample must leave Attio as it was: for each company (a cluster of records no other company's events
 * name), the last event of its lane that names it, after the lane's last change made by hand (a deletion or the
 * schema change), when the main phase delivered it. Nothing after it in the stream writes its records, so
 * writing it again must change nothing (the run compares the final state to the reference as before). It is
 * deterministic (one event per company that qualifies, about one in 20 events) and the most recent writes of
 * each record, which matters: another worker's write is skipped only within `SHARED_WINDOW_MS` (30 s) of it.
 */
import type { ChildProcess } from 'node:child_process'
import { startWorker, stopWorker, work } from './fleet-processes'
import { describeOutcome } from './fleet-report'
import type { WorkerTask } from './fleet-worker'
import type { EventOutcome } from './host'
import type { Delivery, SoakAction, SoakEvent, Workload } from './workload'

/** One sampled event: which worker delivered it in the main phase, and which delivers it again. */
export interface CrossingEvent {
  index: number
  action: SoakAction
  lane: number
  from: number
  to: number
}

export interface CrossingFigures {
  events: number
  /** Writes the emulator received while the workers re-delivered the sample with the shared state on. */
  writes: number
  /** The same re-delivery by workers without the shared state (empty memory, no Redis). */
  writesWithout: number
  /** A sampled event not delivered again (in either pass), with both outcomes: the run fails on it. */
  notDelivered: string[]
  /** What the destination said in both passes (for the run's credential check). */
  messages: string[]
}

/** The company whose records an event names (`u<n>-<k>` users, `ws-<n>-<k>` workspaces), if it says. */
function companyOf(event: SoakEvent): string | undefined {
  const id = event.action === 'groupWorkspace' ? event.event.groupId : event.event.userId
  const match = typeof id === 'string' ? /^(?:ws-|u)(\d+)-/.exec(id) : null
  return match?.[1]
}

/**
 * The sample (module comment): per lane, walking its deliveries backwards until its last change made by hand
 * or an event whose company it cannot tell, the first event met of each company, if it was delivered and is
 * not half of a concurrent pair. Sorted by index; `to` is the worker after the one that delivered the lane.
 */
export function crossingSample(
  workload: Workload,
  outcomes: ReadonlyMap<number, EventOutcome>,
  workers: number
): CrossingEvent[] {
  const sample: CrossingEvent[] = []
  workload.lanes.forEach((deliveries, lane) => {
    const seen = new Set<string>()
    for (const delivery of [...deliveries].reverse()) {
      if (delivery.path === 'delete' || delivery.path === 'schema') return
      for (const index of [...delivery.events].reverse()) {
        const event = workload.events[index]
        const company = companyOf(event)
        if (company === undefined) return
        if (seen.has(company)) continue
        seen.add(company)
        if (
          outcomes.get(index)?.result !== 'delivered' ||
          event.pinned === 'decoy' ||
          event.pinned === 'pair'
        )
          continue
        const from = lane % workers
        sample.push({ index, action: event.action, lane, from, to: (from + 1) % workers })
      }
    }
  })
  return sample.sort((a, b) => a.index - b.index)
}

interface Emulator {
  stats(): { writes: number }
  settle(): Promise<void>
}

/** Each worker re-delivers its share of the sample, one event at a time; the writes the emulator counted. */
async function redeliver(
  children: readonly ChildProcess[],
  sample: readonly CrossingEvent[],
  task: Omit<WorkerTask, 'lanes'>,
  emulator: Emulator
): Promise<{ writes: number; outcomes: Map<number, EventOutcome>; messages: string[] }> {
  await emulator.settle()
  const before = emulator.stats().writes
  const results = await Promise.all(
    children.map((child, worker) => {
      const redeliver = sample
        .filter((event) => event.to === worker)
        .map((event): Delivery => ({ path: 'single', action: event.action, events: [event.index] }))
      if (redeliver.length === 0) return undefined
      return work(child, { ...task, lanes: [], redeliver }, () => emulator.settle())
    })
  )
  await emulator.settle()
  return {
    writes: emulator.stats().writes - before,
    outcomes: new Map(results.flatMap((result) => result?.outcomes ?? [])),
    messages: results.flatMap((result) => result?.messages ?? [])
  }
}

/**
 * The crossing phase, right after the main phase (its workers still up, Redis still holding their writes):
 * the sample on the other workers, then on as many fresh workers started with `env` (no `ATTIO_STATE_URL`).
 */
export async function runCrossing(context: {
  sample: readonly CrossingEvent[]
  workers: readonly ChildProcess[]
  task: Omit<WorkerTask, 'lanes'>
  env: Record<string, string | undefined>
  emulator: Emulator
}): Promise<CrossingFigures> {
  const { sample, task, emulator } = context
  const shared = await redeliver(context.workers, sample, task, emulator)
  const fresh = await Promise.all(context.workers.map(() => startWorker(context.env)))
  let without: Awaited<ReturnType<typeof redeliver>>
  try {
    without = await redeliver(fresh, sample, task, emulator)
  } finally {
    await Promise.all(fresh.map((child) => stopWorker(child)))
  }
  const notDelivered = sample
    .filter(
      (event) =>
        shared.outcomes.get(event.index)?.result !== 'delivered' ||
        without.outcomes.get(event.index)?.result !== 'delivered'
    )
    .map(
      (event) =>
        `crossing: event ${event.index} (lane ${event.lane}, ${event.action}) not delivered again: on worker ${event.to} ${describeOutcome(shared.outcomes.get(event.index))}; without shared memory ${describeOutcome(without.outcomes.get(event.index))}`
    )
  return {
    events: sample.length,
    writes: shared.writes,
    writesWithout: without.writes,
    notDelivered,
    messages: [...shared.messages, ...without.messages]
  }
}

/** The phase's line of the report (before the closing line); why it did not run, when it did not. */
export function formatCrossing(crossing: CrossingFigures | undefined, why: string): string {
  return crossing
    ? `fleet: crossing: ${crossing.events} re-delivered events on another worker, writes ${crossing.writes} (without shared memory: ${crossing.writesWithout})`
    : `fleet: crossing: not run (${why})`
}
