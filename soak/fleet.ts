/**
 * `npm run fleet [-- --workers 4 --events 600 …]`: fleet mode end to end. Starts the emulator with Attio's
 * rate limits on (25 writes a second per token) and the soak's faults, a real redis-server, and W worker
 * processes that split the soak's event stream (its lanes, round-robin) and share one token and, through
 * `ATTIO_STATE_URL`, one write budget. The same stream is also delivered by one process alone (the single
 * process's writes per event and events a second) and without faults or limits (the reference state).
 * Then the crossing phase (soak/crossing.ts) re-delivers a sample on other workers, its line before the run's
 * total time and the last line. Ends with: `fleet: W workers, N events, D delivered, L lost, U duplicated, 429s Q, writes/event X
 * (single process Y), state equal: yes|no` (the main phase's figures; the final state); exits non-zero unless
 * nothing was lost or duplicated and the state equals the reference's.
 */
import { randomBytes } from 'node:crypto'
import { startEmulator, type EmulatorStats } from '../src/emulator'
import {
  crossingSample,
  formatCrossing,
  runCrossing,
  type CrossingEvent,
  type CrossingFigures
} from './crossing'
import { startWorker, stopWorker, work } from './fleet-processes'
import { diagnose, isLost, lostOutcomes } from './fleet-report'
import { DEFAULT_HOST_OPTIONS, type EventOutcome } from './host'
import { RedisServer } from './redis-server'
import { DEFAULT_SOAK_OPTIONS, runOnce, SPEC_PATH } from './soak'
import { canonicalState, compareStates, duplicatedRecords } from './state'
import { generateWorkload, type WorkloadOptions } from './workload'
import type { WorkerTask } from './fleet-worker'

export interface FleetOptions {
  workers: number
  events: number
  seed: number
  lanes: number
  faultRate: number
  writesPerSecond: number
  /** Share the write budget in Redis (off: what a fleet does without fleet mode). */
  shared: boolean
}

export const DEFAULT_FLEET_OPTIONS: FleetOptions = {
  workers: 4,
  events: 600,
  seed: 1,
  lanes: 8,
  faultRate: 0.02,
  writesPerSecond: 25,
  shared: true
}

interface RunFigures {
  outcomes: Map<number, EventOutcome>
  stats: EmulatorStats
  ms: number
  /** The final state (after the crossing phase, if it ran); `mainState` is the state before it. */
  state: ReturnType<typeof canonicalState>
  mainState: ReturnType<typeof canonicalState>
  crossing?: CrossingFigures
  bulkDropped: number
  fallbacks: number
  leaks: number
}

/** One delivery of the stream by `processes` worker processes against a fresh emulator with limits and faults. */
async function runProcesses(
  options: FleetOptions,
  workload: WorkloadOptions,
  processes: number,
  stateUrl: string | undefined,
  /** The events to re-deliver on another worker after the main phase (soak/crossing.ts), if any. */
  crossingOf?: (outcomes: ReadonlyMap<number, EventOutcome>) => CrossingEvent[]
): Promise<RunFigures> {
  const token = `fleet_${randomBytes(12).toString('hex')}`
  const emulator = await startEmulator({
    port: 0,
    spec: SPEC_PATH,
    latency: { minMs: 0, maxMs: DEFAULT_SOAK_OPTIONS.latencyMs, seed: DEFAULT_SOAK_OPTIONS.faultSeed },
    rateLimits: {
      readsPerSecond: DEFAULT_SOAK_OPTIONS.readsPerSecond,
      writesPerSecond: options.writesPerSecond
    },
    faults: {
      seed: DEFAULT_SOAK_OPTIONS.faultSeed,
      rate: options.faultRate,
      kinds: DEFAULT_SOAK_OPTIONS.faultKinds,
      hangMs: DEFAULT_SOAK_OPTIONS.hangMs,
      applyBeforeFault: DEFAULT_SOAK_OPTIONS.applyBeforeFault
    },
    tokens: [{ token, scopes: ['record_permission:read-write', 'object_configuration:read'] }]
  })
  const timeoutMs = DEFAULT_SOAK_OPTIONS.timeoutMs
  const base: Omit<WorkerTask, 'lanes'> = {
    workload,
    settings: { api_key: token, suppress_unchanged_writes: true },
    host: DEFAULT_HOST_OPTIONS,
    hands: {
      url: emulator.url,
      apiKey: emulator.apiKey,
      timeoutMs: Math.max(timeoutMs, DEFAULT_SOAK_OPTIONS.hangMs) + 500,
      reference: false
    },
    ...(DEFAULT_SOAK_OPTIONS.deletionRate > 0 ? { confirmMs: 0 } : {})
  }
  const env = {
    ATTIO_API_URL: emulator.url,
    ATTIO_REQUEST_TIMEOUT_MS: String(timeoutMs),
    ATTIO_STATE_URL: undefined
  }
  const children = await Promise.all(
    Array.from({ length: processes }, () => startWorker({ ...env, ATTIO_STATE_URL: stateUrl }))
  )
  // Timed from when every worker is loaded: starting processes is not what is measured.
  const started = Date.now()
  try {
    const results = await Promise.all(
      children.map((child, worker) => {
        const lanes = Array.from({ length: options.lanes }, (_, lane) => lane).filter(
          (lane) => lane % processes === worker
        )
        return work(child, { ...base, lanes }, () => emulator.settle())
      })
    )
    await emulator.settle()
    const ms = Date.now() - started
    // The main phase's figures are taken here, before the crossing phase adds its writes.
    const stats = emulator.stats()
    const mainState = canonicalState(emulator.state())
    const outcomes = new Map<number, EventOutcome>(results.flatMap((result) => result.outcomes))
    const sample = crossingOf?.(outcomes)
    const crossing = sample
      ? await runCrossing({ sample, workers: children, task: base, env, emulator })
      : undefined
    const texts = [...results.flatMap((result) => result.messages), ...(crossing?.messages ?? [])]
    return {
      outcomes,
      stats,
      ms,
      state: crossing ? canonicalState(emulator.state()) : mainState,
      mainState,
      crossing,
      bulkDropped: emulator.bulkLog().length,
      fallbacks: results.reduce((sum, result) => sum + result.sharedState.fallbacks, 0),
      leaks: texts.filter((text) => text.includes(token)).length
    }
  } finally {
    await Promise.all(children.map((child) => stopWorker(child)))
    await emulator.close()
  }
}

export interface FleetReport {
  options: FleetOptions
  events: number
  delivered: number
  lost: number
  duplicated: number
  rateLimited: number
  writesPerEvent: number
  singleWritesPerEvent: number
  eventsPerSecond: number
  singleEventsPerSecond: number
  singleRateLimited: number
  /** Events the single process lost (reported, with their outcomes; the run's verdict is the fleet's). */
  singleLost: number
  equal: boolean
  singleEqual: boolean
  /** The single process's differences from the reference, with the events of each record (up to 3). */
  singleDiagnosis: string[]
  differences: string[]
  /**
   * For each record whose state differs (up to 3), the events that name it, with how the fleet and the
   * reference delivered each: what a reader needs to find why (the defect of docs/fleet.md).
   */
  diagnosis: string[]
  fallbacks: number
  leaks: number
  /** Bulk assertions the emulator dropped (a record named by key that did not exist). */
  bulkDropped: number
  /** The crossing phase's figures (soak/crossing.ts); undefined when it did not run (`crossingSkipped` says why). */
  crossing?: CrossingFigures
  crossingSkipped: string
  /** Sampled events not delivered again, and whether the re-delivery changed an equal state. */
  crossingNotes: string[]
  ok: boolean
}

export async function runFleet(overrides: Partial<FleetOptions> = {}): Promise<FleetReport> {
  const options = { ...DEFAULT_FLEET_OPTIONS, ...overrides }
  const workloadOptions: WorkloadOptions = {
    events: options.events,
    seed: options.seed,
    lanes: options.lanes,
    concurrentShare: DEFAULT_SOAK_OPTIONS.concurrentShare,
    deletionRate: DEFAULT_SOAK_OPTIONS.deletionRate,
    schemaDrift: DEFAULT_SOAK_OPTIONS.schemaDrift
  }
  const workload = generateWorkload(workloadOptions)
  // The reference: one process, no faults, no limits, every write sent (the soak's fault-free run).
  const reference = await runOnce(
    workload,
    { spec: SPEC_PATH },
    { ...DEFAULT_SOAK_OPTIONS, events: options.events, seed: options.seed, lanes: options.lanes },
    { suppress_unchanged_writes: false },
    true
  )
  const single = await runProcesses(options, workloadOptions, 1, undefined)
  const redis = options.shared ? await RedisServer.start() : undefined
  let fleet: RunFigures
  try {
    // The crossing phase needs the shared state and a second worker (soak/crossing.ts).
    const crossing =
      redis && options.workers > 1
        ? (outcomes: ReadonlyMap<number, EventOutcome>) => crossingSample(workload, outcomes, options.workers)
        : undefined
    fleet = await runProcesses(options, workloadOptions, options.workers, redis?.url, crossing)
  } finally {
    await redis?.stop()
  }

  let delivered = 0
  const lostEvents: number[] = []
  const singleLost: number[] = []
  for (const event of workload.events) {
    const outcome = fleet.outcomes.get(event.index)
    const expected = reference.outcomes.get(event.index)
    if (isLost(outcome, expected)) lostEvents.push(event.index)
    else if (outcome?.result === 'delivered') delivered += 1
    if (isLost(single.outcomes.get(event.index), expected)) singleLost.push(event.index)
  }
  const lost = lostEvents.length
  const differences = compareStates(reference.canonical.state, fleet.state.state)
  const singleDifferences = compareStates(reference.canonical.state, single.state.state)
  const duplicated = duplicatedRecords(fleet.state.duplicates)
  const events = workload.events.length
  const report: FleetReport = {
    options,
    events,
    delivered,
    lost,
    duplicated,
    rateLimited: fleet.stats.rateLimited,
    writesPerEvent: fleet.stats.writes / events,
    singleWritesPerEvent: single.stats.writes / events,
    eventsPerSecond: events / (fleet.ms / 1000),
    singleEventsPerSecond: events / (single.ms / 1000),
    singleRateLimited: single.stats.rateLimited,
    singleLost: singleLost.length,
    equal: differences.length === 0,
    singleEqual: singleDifferences.length === 0,
    singleDiagnosis: [
      ...lostOutcomes(singleLost, workload.events, single.outcomes, reference.outcomes),
      ...singleDifferences
        .slice(0, 10)
        .map((d) => `${d.problem} ${d.object} "${d.identity}"${d.detail ? `: ${d.detail}` : ''}`),
      ...diagnose(singleDifferences, workload.events, single.outcomes, reference.outcomes)
    ],
    differences: differences
      .slice(0, 10)
      .map((d) => `${d.problem} ${d.object} "${d.identity}"${d.detail ? `: ${d.detail}` : ''}`),
    diagnosis: [
      ...lostOutcomes(lostEvents, workload.events, fleet.outcomes, reference.outcomes),
      ...diagnose(differences, workload.events, fleet.outcomes, reference.outcomes)
    ],
    fallbacks: fleet.fallbacks,
    leaks: fleet.leaks + single.leaks,
    bulkDropped: fleet.bulkDropped,
    crossing: fleet.crossing,
    crossingSkipped: options.shared ? 'one worker' : 'no shared state',
    crossingNotes: [
      ...(fleet.crossing?.notDelivered ?? []),
      ...(fleet.crossing &&
      differences.length > 0 &&
      compareStates(reference.canonical.state, fleet.mainState.state).length === 0
        ? ['crossing: the re-delivery changed the state (it equalled the reference before)']
        : [])
    ],
    ok: false
  }
  report.ok =
    lost === 0 &&
    duplicated === 0 &&
    report.equal &&
    report.bulkDropped === 0 &&
    report.leaks === 0 &&
    (fleet.crossing?.notDelivered.length ?? 0) === 0
  return report
}

export function formatFleet(report: FleetReport): string[] {
  const { options } = report
  const fixed = (n: number) => n.toFixed(2)
  return [
    `fleet: ${report.events} events over ${options.lanes} lanes, ${options.workers} worker processes sharing one token, emulator at ${options.writesPerSecond} writes a second, fault rate ${options.faultRate}; shared state (Redis): ${options.shared ? 'on' : 'off'}${options.shared ? `, fallbacks to per-process state ${report.fallbacks}` : ''}`,
    `fleet: throughput ${report.eventsPerSecond.toFixed(1)} events/s (single process ${report.singleEventsPerSecond.toFixed(1)}); 429s ${report.rateLimited} (single process ${report.singleRateLimited}); single process's lost ${report.singleLost}, state equal: ${report.singleEqual ? 'yes' : 'no'}`,
    ...report.singleDiagnosis.map((line) => `fleet:   single process: ${line}`),
    ...report.differences.map((line) => `fleet:   ${line}`),
    ...report.diagnosis.map((line) => `fleet:   ${line}`),
    `fleet: messages or log lines carrying a credential: ${report.leaks}`,
    ...report.crossingNotes.map((line) => `fleet:   ${line}`),
    formatCrossing(report.crossing, report.crossingSkipped),
    `fleet: ${options.workers} workers, ${report.events} events, ${report.delivered} delivered, ${report.lost} lost, ${report.duplicated} duplicated, 429s ${report.rateLimited}, writes/event ${fixed(report.writesPerEvent)} (single process ${fixed(report.singleWritesPerEvent)}), state equal: ${report.equal ? 'yes' : 'no'}`
  ]
}

type Cli = Partial<FleetOptions>

function parseArgs(argv: string[]): Cli {
  const options: Cli = {}
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const number = () => {
      const raw = argv[++i]
      const parsed = Number(raw)
      if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag}: "${raw}" is not a number`)
      return parsed
    }
    if (flag === '--workers') options.workers = Math.max(1, Math.floor(number()))
    else if (flag === '--events') options.events = Math.max(1, Math.floor(number()))
    else if (flag === '--seed') options.seed = Math.floor(number())
    else if (flag === '--lanes') options.lanes = Math.max(1, Math.floor(number()))
    else if (flag === '--fault-rate') options.faultRate = Math.min(1, number())
    else if (flag === '--write-limit') options.writesPerSecond = Math.max(1, Math.floor(number()))
    else if (flag === '--no-shared-state') options.shared = false
    else
      throw new Error(
        `unknown option ${flag}\nusage: npm run fleet -- [--workers 4] [--events 600] [--lanes 8] [--seed 1] [--fault-rate 0.02] [--write-limit 25] [--no-shared-state]`
      )
  }
  return options
}

async function main(options: Cli): Promise<boolean> {
  const started = Date.now()
  const report = await runFleet(options)
  const lines = formatFleet(report)
  for (const line of lines.slice(0, -1)) console.log(line)
  console.log(`fleet: total ${((Date.now() - started) / 1000).toFixed(1)} s`)
  console.log(lines.at(-1))
  return report.ok
}

if (require.main === module) {
  let cli: Cli
  try {
    cli = parseArgs(process.argv.slice(2))
  } catch (error) {
    console.error((error as Error).message)
    process.exit(2)
  }
  main(cli)
    .then((ok) => {
      process.exitCode = ok ? 0 : 1
    })
    .catch((error: unknown) => {
      console.error('fleet: crashed:', error)
      process.exit(1)
    })
}
