/**
 * The benchmark runner: the same deterministic workload through the destination with redundant-write
 * suppression on and off, against the Attio emulator running in a child process.
 *
 * - Single path: every event through `perform`, in order, against an emulator without rate limits (the
 *   client still paces itself to 25 writes a second per credential). Requests and writes come from the
 *   emulator's stats; CPU is `process.cpuUsage()` of this process around the run, which does not include
 *   the emulator (it is another process).
 * - Batch path: the same workload shape through `performBatch`, identify events then group events, in
 *   1,000-event batches; bulk assertions are counted from the request bodies actions-core captured.
 * - One 10,000-event identify batch (1,000 users) in a fresh process: peak memory, requests, assertions.
 * - Rate-limited: the single-path workload against an emulator that enforces 25 writes a second, from
 *   several concurrent lanes: delivered events a second and 429s received.
 * - Warm cache: 1,000 identify events on the single path after the schema cache is warm.
 *
 * Every run uses its own API token (so credential-keyed state such as the pacing window is not shared),
 * starts from an empty emulator, and clears the write memory and the schema cache first.
 */
import os from 'node:os'
import type { SegmentEvent } from '@segment/actions-core'
import { clearSchemaCache, clearWriteMemory } from '../src/api'
import type { EmulatorStats } from '../src/emulator'
import { newIntegration, sendBatch, sendSingle, settingsFor } from './drive'
import { EmulatorProcess, forkTypeScript } from './emulator-handle'
import { measureFloor, type FloorFigures } from './floor'
import type { MemoryJob, MemoryReport } from './memory-process'
import { generateWorkload, type Workload } from './workload'

export interface BenchConfig {
  seed: number
  /** Events of the single-path and rate-limited runs (both bounded by 25 writes a second). */
  events: number
  /** Identify and group events of the batch-path run: whole batches per action. */
  batchIdentifies: number
  batchGroups: number
  /** Events per batch on the batch path (the `batch_size` field). */
  batchSize: number
  /** The big batch measured for memory: identify events, and the users they come from. */
  bigBatchEvents: number
  bigBatchUsers: number
  /** Identify events of the warm-cache request count. */
  warmIdentifies: number
  /** Concurrent lanes of the rate-limited run. */
  lanes: number
  /** Events sent once before measuring, so the JIT and module loading do not count against the first run. */
  warmupEvents: number
  /** Events of the batch CPU run against actions-core's floor (identify and group, 60:40). */
  cpuEvents: number
  /** Alternating floor and destination rounds of that run; the median counts. */
  cpuRounds: number
  /** Profile one more batch CPU round of the destination and report its functions' self time. */
  profile: boolean
}

export const DEFAULT_CONFIG: BenchConfig = {
  seed: 7,
  events: 400,
  batchIdentifies: 6000,
  batchGroups: 4000,
  batchSize: 1000,
  bigBatchEvents: 10_000,
  bigBatchUsers: 1000,
  warmIdentifies: 1000,
  lanes: 4,
  warmupEvents: 40,
  cpuEvents: 15_000,
  cpuRounds: 3,
  profile: false
}

export interface Machine {
  cpu: string
  cores: number
  memoryGb: number
  node: string
  os: string
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model?.trim() || 'unknown',
    cores: os.cpus().length,
    memoryGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.platform()} ${os.arch()})`
  }
}

export interface SingleFigures {
  events: number
  delivered: number
  failed: number
  requests: number
  reads: number
  writes: number
  wallMs: number
  /** This process (the destination and actions-core), per event. */
  cpuUsPerEvent: number
  /** The emulator process, per event (for reference; not part of the destination's figure). */
  emulatorCpuUsPerEvent: number
  errors: string[]
}

export interface BatchFigures {
  events: number
  batches: number
  delivered: number
  failed: number
  requests: number
  reads: number
  writes: number
  bulkRequests: number
  /** Record queries: the users group calls link, looked up by user_id. */
  lookupReads: number
  /** Object, attribute and option reads (zero when the schema cache is warm). */
  schemaReads: number
  /** Reads the cold start (the schema warm-up before the measured batches) made; not in the figures. */
  coldStartReads: number
  assertions: number
  nestedAssertions: number
  /** Top-level assertions Attio (the emulator) applied or dropped, after settling. */
  applied: number
  dropped: number
  errors: string[]
}

export interface BigBatchFigures extends MemoryReport {
  requests: number
  reads: number
  writes: number
  lookupReads: number
}

export interface LimitedFigures {
  events: number
  delivered: number
  failed: number
  wallMs: number
  eventsPerSecond: number
  writes: number
  rateLimited: number
  errors: string[]
}

export interface SettingFigures {
  single: SingleFigures
  batch: BatchFigures
  bigBatch: BigBatchFigures
  limited: LimitedFigures
}

export interface WarmCacheFigures {
  events: number
  users: number
  delivered: number
  requests: number
  reads: number
  writes: number
}

export interface WorkloadSummary {
  events: number
  identifies: number
  groups: number
  users: number
  workspaces: number
  companies: number
  changed: number
}

export interface StepTime {
  name: string
  seconds: number
}

export interface BenchResult {
  config: BenchConfig
  machine: Machine
  workload: WorkloadSummary
  batchWorkload: WorkloadSummary
  on: SettingFigures
  off: SettingFigures
  warmCache: WarmCacheFigures
  /** The batch path's CPU per event against actions-core's own floor (suppression on). */
  floor: FloorFigures
  cpuWorkload: WorkloadSummary
  /** Wall time of each step, in order. */
  steps: StepTime[]
  durationMs: number
}

const summarise = (workload: Workload): WorkloadSummary => ({
  events: workload.events.length,
  identifies: workload.identifies,
  groups: workload.groups,
  users: workload.users,
  workspaces: workload.workspaces,
  companies: workload.companies,
  changed: workload.changed
})

const requestsOf = (stats: EmulatorStats) => stats.reads + stats.writes
const lookupsOf = (stats: EmulatorStats) => stats.requests['POST /v2/objects/{object}/records/query'] ?? 0
const n = (value: number) => value.toLocaleString('en-US')
const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system

/** An empty emulator, zeroed stats, and no write memory or schema cache left from an earlier run. */
async function freshStart(emulator: EmulatorProcess): Promise<void> {
  await emulator.settle()
  await emulator.reset()
  await emulator.resetStats()
  clearSchemaCache()
  clearWriteMemory()
}

async function runSingle(
  emulator: EmulatorProcess,
  events: SegmentEvent[],
  token: string,
  suppress: boolean
): Promise<SingleFigures> {
  process.env.ATTIO_API_URL = emulator.url
  await freshStart(emulator)
  const emulatorBefore = await emulator.cpu()
  const started = Date.now()
  const cpu = process.cpuUsage()
  const outcome = await sendSingle(events, settingsFor(token, suppress))
  const used = process.cpuUsage(cpu)
  const wallMs = Date.now() - started
  const emulatorUsed = cpuMicros(await emulator.cpu()) - cpuMicros(emulatorBefore)
  const stats = await emulator.stats()
  return {
    events: events.length,
    delivered: outcome.delivered,
    failed: outcome.failed,
    requests: requestsOf(stats),
    reads: stats.reads,
    writes: stats.writes,
    wallMs,
    cpuUsPerEvent: cpuMicros(used) / Math.max(1, events.length),
    emulatorCpuUsPerEvent: emulatorUsed / Math.max(1, events.length),
    errors: outcome.errors
  }
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let start = 0; start < list.length; start += size) result.push(list.slice(start, start + size))
  return result
}

async function runBatch(
  emulator: EmulatorProcess,
  events: SegmentEvent[],
  token: string,
  suppress: boolean,
  batchSize: number
): Promise<BatchFigures> {
  process.env.ATTIO_API_URL = emulator.url
  await freshStart(emulator)
  const integration = newIntegration()
  const settings = settingsFor(token, suppress)
  // Steady state: a running destination has the schema cached (for 5 minutes per workspace), so a
  // one-event identify batch and group batch of a user outside the workload load it first; their reads
  // are reported apart as the cold start.
  const [identify] = events.filter((event) => event.type === 'identify')
  const [group] = events.filter((event) => event.type === 'group')
  const warmIdentify = {
    ...identify,
    userId: 'warmup-user',
    traits: { ...identify?.traits, email: 'warmup.user@warmup.com' }
  } as SegmentEvent
  await sendBatch(integration, 'identifyUser', [warmIdentify], settings, batchSize)
  await emulator.settle()
  if (group) {
    const warmGroup = {
      ...group,
      userId: 'warmup-user',
      groupId: 'warmup-workspace',
      traits: { ...group.traits, website: 'https://warmup.com/' }
    } as SegmentEvent
    await sendBatch(integration, 'groupWorkspace', [warmGroup], settings, batchSize)
    await emulator.settle()
  }
  const coldStart = await emulator.stats()
  await emulator.resetStats()
  const figures: BatchFigures = {
    events: events.length,
    batches: 0,
    delivered: 0,
    failed: 0,
    requests: 0,
    reads: 0,
    writes: 0,
    bulkRequests: 0,
    lookupReads: 0,
    schemaReads: 0,
    coldStartReads: coldStart.reads - lookupsOf(coldStart),
    assertions: 0,
    nestedAssertions: 0,
    applied: 0,
    dropped: 0,
    errors: []
  }
  // Batches are per action, as a CDP batches per subscription. Users are identified before the group
  // calls that link them; the group batches go out at once, while Attio may still be applying the identify
  // batches (a group batch asserts the users it links again, so it does not depend on that).
  for (const type of ['identify', 'group'] as const) {
    const action = type === 'group' ? 'groupWorkspace' : 'identifyUser'
    for (const batch of chunks(
      events.filter((event) => event.type === type),
      batchSize
    )) {
      const outcome = await sendBatch(integration, action, batch, settings, batchSize)
      figures.batches += 1
      figures.delivered += outcome.delivered
      figures.failed += outcome.failed
      figures.bulkRequests += outcome.bulkRequests
      figures.assertions += outcome.assertions
      figures.nestedAssertions += outcome.nestedAssertions
      if (figures.errors.length < 5)
        figures.errors.push(...outcome.errors.slice(0, 5 - figures.errors.length))
    }
  }
  await emulator.settle()
  const stats = await emulator.stats()
  figures.requests = requestsOf(stats)
  figures.reads = stats.reads
  figures.writes = stats.writes
  figures.lookupReads = lookupsOf(stats)
  figures.schemaReads = stats.reads - figures.lookupReads
  figures.applied = stats.bulk.applied
  figures.dropped = stats.bulk.dropped
  return figures
}

async function runBigBatch(
  emulator: EmulatorProcess,
  config: BenchConfig,
  token: string,
  suppress: boolean
): Promise<BigBatchFigures> {
  await freshStart(emulator)
  const job: MemoryJob = {
    url: emulator.url,
    apiKey: token,
    suppress,
    seed: config.seed,
    events: config.bigBatchEvents,
    users: config.bigBatchUsers,
    // The host sends a 10,000-event batch only when the batch size allows it.
    batchSize: Math.max(config.batchSize, config.bigBatchEvents)
  }
  const child = forkTypeScript('memory-process.ts', { BENCH_MEMORY_JOB: JSON.stringify(job) }, [
    '--expose-gc'
  ])
  const report = await new Promise<MemoryReport>((resolve, reject) => {
    let received: MemoryReport | undefined
    child.once('message', (message: MemoryReport) => (received = message))
    child.once('error', reject)
    child.once('exit', (code) =>
      received ? resolve(received) : reject(new Error(`the memory run exited without a report (${code})`))
    )
  })
  await emulator.settle()
  const stats = await emulator.stats()
  return {
    ...report,
    requests: requestsOf(stats),
    reads: stats.reads,
    writes: stats.writes,
    lookupReads: lookupsOf(stats)
  }
}

async function runLimited(
  emulator: EmulatorProcess,
  events: SegmentEvent[],
  token: string,
  suppress: boolean,
  lanes: number
): Promise<LimitedFigures> {
  process.env.ATTIO_API_URL = emulator.url
  await freshStart(emulator)
  const started = Date.now()
  const outcome = await sendSingle(events, settingsFor(token, suppress), lanes)
  const wallMs = Date.now() - started
  const stats = await emulator.stats()
  return {
    events: events.length,
    delivered: outcome.delivered,
    failed: outcome.failed,
    wallMs,
    eventsPerSecond: outcome.delivered / (wallMs / 1000),
    writes: stats.writes,
    rateLimited: stats.rateLimited,
    errors: outcome.errors
  }
}

async function runWarmCache(
  emulator: EmulatorProcess,
  config: BenchConfig,
  token: string
): Promise<WarmCacheFigures> {
  process.env.ATTIO_API_URL = emulator.url
  await freshStart(emulator)
  const workload = generateWorkload({
    seed: config.seed + 2,
    events: config.warmIdentifies,
    identifyOnly: true
  })
  const settings = settingsFor(token, true)
  // One identify of a user outside the measured events loads every attribute and option it needs.
  const [first] = workload.events
  const warmup = {
    ...first,
    userId: 'warmup-user',
    traits: { ...first.traits, email: 'warmup.user@warmup.com' }
  } as SegmentEvent
  await sendSingle([warmup], settings)
  await emulator.resetStats()
  const outcome = await sendSingle(workload.events, settings)
  const stats = await emulator.stats()
  return {
    events: workload.events.length,
    users: workload.users,
    delivered: outcome.delivered,
    requests: requestsOf(stats),
    reads: stats.reads,
    writes: stats.writes
  }
}

const TOKENS = {
  warmup: 'bench-warmup',
  single: { on: 'bench-single-on', off: 'bench-single-off' },
  batch: { on: 'bench-batch-on', off: 'bench-batch-off' },
  big: { on: 'bench-big-on', off: 'bench-big-off' },
  warmCache: 'bench-warm-cache',
  cpu: (round: number) => `bench-cpu-${round}`,
  limited: { on: 'bench-limited-on', off: 'bench-limited-off' }
}

/** Runs the whole benchmark; `log` receives progress lines. */
export async function runBench(
  config: BenchConfig = DEFAULT_CONFIG,
  log: (line: string) => void = () => undefined
): Promise<BenchResult> {
  const began = Date.now()
  const steps: StepTime[] = []
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now()
    log(`${name} …`)
    const value = await run()
    steps.push({ name, seconds: (Date.now() - started) / 1000 })
    log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return value
  }
  const workload = generateWorkload({ seed: config.seed, events: config.events })
  const batchWorkload = generateWorkload({
    seed: config.seed,
    counts: { identify: config.batchIdentifies, group: config.batchGroups }
  })
  const previousUrl = process.env.ATTIO_API_URL
  const started = await Promise.allSettled([
    EmulatorProcess.start({
      tokens: [
        TOKENS.warmup,
        TOKENS.single.on,
        TOKENS.single.off,
        TOKENS.batch.on,
        TOKENS.batch.off,
        TOKENS.big.on,
        TOKENS.big.off,
        TOKENS.warmCache,
        ...Array.from({ length: config.cpuRounds + 1 }, (_, round) => TOKENS.cpu(round))
      ]
    }),
    EmulatorProcess.start({ rateLimits: true, tokens: [TOKENS.limited.on, TOKENS.limited.off] })
  ])
  const emulators = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []))
  try {
    const [free, limited] = started.map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason
      return outcome.value
    })
    await step(`warm-up: ${n(config.warmupEvents)} events each way`, async () => {
      const warm = generateWorkload({ seed: config.seed + 1, events: config.warmupEvents })
      process.env.ATTIO_API_URL = free.url
      for (const suppress of [true, false]) {
        await freshStart(free)
        await sendSingle(warm.events, settingsFor(TOKENS.warmup, suppress))
      }
    })
    const settings = [
      ['on', true],
      ['off', false]
    ] as const
    const single: Partial<Record<'on' | 'off', SingleFigures>> = {}
    for (const [name, suppress] of settings) {
      single[name] = await step(`single path, suppression ${name}: ${n(workload.events.length)} events`, () =>
        runSingle(free, workload.events, TOKENS.single[name], suppress)
      )
    }
    const warmCache = await step(`warm cache: ${n(config.warmIdentifies)} identify events`, () =>
      runWarmCache(free, config, TOKENS.warmCache)
    )
    const batch: Partial<Record<'on' | 'off', BatchFigures>> = {}
    for (const [name, suppress] of settings) {
      batch[name] = await step(
        `batch path, suppression ${name}: ${n(batchWorkload.events.length)} events`,
        () => runBatch(free, batchWorkload.events, TOKENS.batch[name], suppress, config.batchSize)
      )
    }
    const cpuWorkload = generateWorkload({
      seed: config.seed + 3,
      counts: {
        identify: Math.round(config.cpuEvents * 0.6),
        group: config.cpuEvents - Math.round(config.cpuEvents * 0.6)
      }
    })
    const floor = await step(
      `batch CPU against actions-core's floor: ${n(cpuWorkload.events.length)} events, ${config.cpuRounds} rounds`,
      async () => {
        process.env.ATTIO_API_URL = free.url
        await freshStart(free)
        return measureFloor(cpuWorkload.events, {
          rounds: config.cpuRounds,
          batchSize: config.batchSize,
          tokens: TOKENS.cpu,
          reset: () => freshStart(free),
          profile: config.profile
        })
      }
    )
    const big: Partial<Record<'on' | 'off', BigBatchFigures>> = {}
    for (const [name, suppress] of settings) {
      big[name] = await step(
        `one ${n(config.bigBatchEvents)}-event batch, suppression ${name} (fresh process)`,
        () => runBigBatch(free, config, TOKENS.big[name], suppress)
      )
    }
    const limitedRuns: Partial<Record<'on' | 'off', LimitedFigures>> = {}
    for (const [name, suppress] of settings) {
      limitedRuns[name] = await step(
        `rate-limited, suppression ${name}: ${n(workload.events.length)} events, ${config.lanes} lanes`,
        () => runLimited(limited, workload.events, TOKENS.limited[name], suppress, config.lanes)
      )
    }
    const figures = (name: 'on' | 'off'): SettingFigures => ({
      single: single[name] as SingleFigures,
      batch: batch[name] as BatchFigures,
      bigBatch: big[name] as BigBatchFigures,
      limited: limitedRuns[name] as LimitedFigures
    })
    return {
      config,
      machine: machine(),
      workload: summarise(workload),
      batchWorkload: summarise(batchWorkload),
      on: figures('on'),
      off: figures('off'),
      warmCache,
      floor,
      cpuWorkload: summarise(cpuWorkload),
      steps,
      durationMs: Date.now() - began
    }
  } finally {
    if (previousUrl === undefined) delete process.env.ATTIO_API_URL
    else process.env.ATTIO_API_URL = previousUrl
    await Promise.all(emulators.map((emulator) => emulator.close()))
  }
}
