/**
 * The fault soak: replays a deterministic workload through actions-core against the Attio emulator
 * twice, once with faults (500s, 503s, answers held past the client's time-out, cut connections, some
 * after the write was applied) and rate limits on, once on a fresh emulator without either, then
 * checks that nothing was lost or duplicated and that both runs left the same workspace.
 *
 * The workload also makes the changes a person working in Attio makes (deletions, a new option and attribute)
 * and delivers some events at the same time as a decoy; the fault run's answers come back with network latency,
 * so concurrent writes are answered in another order than they were applied. Both runs check that Group
 * Workspace never re-created a deleted User.
 */
import { randomBytes } from 'node:crypto'
import { clearSchemaCache, clearWriteMemory } from '../src/api'
import {
  startEmulator,
  type EmulatorOptions,
  type EmulatorState,
  type EmulatorStats,
  type FaultKind
} from '../src/emulator'
import {
  capturingLogger,
  DEFAULT_HOST_OPTIONS,
  LaneWorker,
  type AttioHands,
  type EventOutcome,
  type HostCounters,
  type HostOptions
} from './host'
import {
  canonicalState,
  compareStates,
  duplicatedRecords,
  type CanonicalResult,
  type StateDifference
} from './state'
import { generateWorkload, type Workload } from './workload'
import type { Settings } from '../src/destinations/attio/generated-types'
import { COPY_PATH } from '../scripts/spec-copy'

/** The project's copy of Attio's OpenAPI document: every request of the soak is validated against it. */
export const SPEC_PATH = COPY_PATH

export interface SoakOptions {
  events: number
  seed: number
  lanes: number
  faultRate: number
  faultSeed: number
  faultKinds: FaultKind[]
  /** How long a 'hang' holds its answer; above the client's time-out, so the client gives up first. */
  hangMs: number
  /** The destination's request time-out (ATTIO_REQUEST_TIMEOUT_MS) for both runs. */
  timeoutMs: number
  applyBeforeFault: number
  /** The emulator's per-token limits in the fault run (Attio: 100 reads, 25 writes a second). */
  readsPerSecond: number
  writesPerSecond: number
  /** Validate every request against Attio's OpenAPI document when it is there. */
  spec: boolean
  /** Redundant-write suppression in the fault run (on: the destination's default). */
  suppression: boolean
  /** Redundant-write suppression in the fault-free reference run (off: every write is sent). */
  referenceSuppression: boolean
  /** The fault run's network latency: each answer held this long at most (0: none). */
  latencyMs: number
  /** Share of identify events delivered at the same time as a decoy. */
  concurrentShare: number
  /** Chance, per event, of a record deleted in Attio before it. */
  deletionRate: number
  /** Whether each lane creates an option and an attribute in Attio part way through. */
  schemaDrift: boolean
  host: HostOptions
}

export const DEFAULT_SOAK_OPTIONS: SoakOptions = {
  events: 2000,
  seed: 1,
  lanes: 8,
  faultRate: 0.05,
  faultSeed: 7,
  faultKinds: ['500', '503', 'hang', 'reset'],
  hangMs: 1500,
  timeoutMs: 1000,
  applyBeforeFault: 0.5,
  readsPerSecond: 100,
  // The destination paces its writes at Attio's 25 a second per token by itself, so with the emulator at
  // exactly 25 it would (almost) never see a 429. 20 stands for other clients sharing the token's budget.
  writesPerSecond: 20,
  spec: true,
  suppression: true,
  referenceSuppression: false,
  latencyMs: 30,
  concurrentShare: 0.02,
  deletionRate: 0.01,
  schemaDrift: true,
  host: DEFAULT_HOST_OPTIONS
}

export interface RunResult {
  outcomes: Map<number, EventOutcome>
  canonical: CanonicalResult
  stats: EmulatorStats
  bulkDropped: number
  ms: number
  counters: HostCounters
  /** Messages and log lines that carried a credential. */
  leaks: string[]
  /** The changes made in Attio by hand. */
  byHand: AttioHands['done']
  /** Users deleted in Attio that exist at the end although no identify of them was delivered after: re-created. */
  resurrected: string[]
}

/** One replay of the workload against a fresh emulator. */
export async function runOnce(
  workload: Workload,
  emulatorOptions: EmulatorOptions,
  options: SoakOptions,
  settings: Omit<Settings, 'api_key'> = {},
  reference = false
): Promise<RunResult> {
  const tokens = workload.lanes.map((_, lane) => `soak_lane${lane}_${randomBytes(12).toString('hex')}`)
  const emulator = await startEmulator({
    port: 0,
    ...emulatorOptions,
    tokens: tokens.map((token) => ({
      token,
      scopes: ['record_permission:read-write', 'object_configuration:read']
    }))
  })
  const previous = {
    url: process.env.ATTIO_API_URL,
    timeout: process.env.ATTIO_REQUEST_TIMEOUT_MS
  }
  process.env.ATTIO_API_URL = emulator.url
  process.env.ATTIO_REQUEST_TIMEOUT_MS = String(options.timeoutMs)
  clearSchemaCache()
  // Records are deleted in Attio within seconds of being written: the fault run confirms every record with a
  // read before it skips a write (instead of trusting one Attio named in the last CONFIRM_MS), or a deletion
  // would be hidden by design (the README's reliability notes).
  clearWriteMemory(options.deletionRate > 0 ? { confirmMs: 0 } : undefined)
  const hands: AttioHands = {
    url: emulator.url,
    apiKey: emulator.apiKey,
    timeoutMs: Math.max(options.timeoutMs, options.hangMs) + 500,
    reference,
    done: { deletions: 0, deleted: 0, schemaChanges: 0 }
  }
  const outcomes = new Map<number, EventOutcome>()
  const counters: HostCounters = { attempts: 0, retries: 0, retryableByStatus: {} }
  const lines: string[] = []
  const messages: string[] = []
  const started = Date.now()
  try {
    await Promise.all(
      workload.lanes.map((deliveries, lane) =>
        new LaneWorker(
          workload,
          { ...settings, api_key: tokens[lane] },
          options.host,
          outcomes,
          counters,
          capturingLogger(lines),
          () => emulator.settle(),
          messages,
          hands
        ).run(deliveries)
      )
    )
    await emulator.settle()
    const ms = Date.now() - started
    const texts = [...messages, ...lines, ...[...outcomes.values()].map((outcome) => outcome.reason ?? '')]
    const state = emulator.state()
    return {
      byHand: hands.done,
      resurrected: resurrectedUsers(workload, outcomes, state),
      outcomes,
      canonical: canonicalState(state),
      stats: emulator.stats(),
      bulkDropped: emulator.bulkLog().length,
      ms,
      counters,
      leaks: texts.filter((text) => tokens.some((token) => text.includes(token)))
    }
  } finally {
    await emulator.close()
    restore('ATTIO_API_URL', previous.url)
    restore('ATTIO_REQUEST_TIMEOUT_MS', previous.timeout)
    clearSchemaCache()
    clearWriteMemory()
  }
}

/**
 * Users deleted in Attio by the workload that exist at the end although no identify event of them was delivered
 * after the deletion: something else (a Group Workspace link) created them again.
 */
function resurrectedUsers(
  workload: Workload,
  outcomes: Map<number, EventOutcome>,
  state: EmulatorState
): string[] {
  const gone = new Set<string>()
  for (const deliveries of workload.lanes) {
    for (const delivery of deliveries) {
      if (delivery.path === 'delete' && delivery.deletion?.object === 'users')
        gone.add(delivery.deletion.value)
      for (const index of delivery.events) {
        const event = workload.events[index]
        if (event.action === 'identifyUser' && event.userId && outcomes.get(index)?.result === 'delivered')
          gone.delete(event.userId)
      }
    }
  }
  const existing = new Set(
    (state.users ?? []).flatMap((user) => (user.values.user_id ?? []).map((value) => String(value.value)))
  )
  return [...gone].filter((userId) => existing.has(userId))
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}

export interface SoakReport {
  options: SoakOptions
  workload: { events: number; single: number; batched: number; chunks: number; concurrent: number }
  faulty: RunResult
  clean: RunResult
  events: number
  delivered: number
  failed: number
  /** Retryable when the attempts ran out. */
  lostRetryable: number
  /** No outcome at all. */
  lostNoOutcome: number
  /** Refused for good under faults, though the fault-free run delivered them (a fault misreported). */
  lostMisreported: number
  lost: number
  duplicated: number
  cleanDuplicated: number
  differences: StateDifference[]
  /** Events whose outcome differs between the runs in another way (delivered here, failed there). */
  outcomeMismatches: number[]
  equal: boolean
  ok: boolean
}

export async function runSoak(overrides: Partial<SoakOptions> = {}): Promise<SoakReport> {
  const options: SoakOptions = { ...DEFAULT_SOAK_OPTIONS, ...overrides }
  const workload = generateWorkload({
    events: options.events,
    seed: options.seed,
    lanes: options.lanes,
    concurrentShare: options.concurrentShare,
    deletionRate: options.deletionRate,
    schemaDrift: options.schemaDrift
  })
  const spec = options.spec ? { spec: SPEC_PATH } : {}

  const faulty = await runOnce(
    workload,
    {
      ...spec,
      ...(options.latencyMs > 0
        ? { latency: { minMs: 0, maxMs: options.latencyMs, seed: options.faultSeed } }
        : {}),
      rateLimits: { readsPerSecond: options.readsPerSecond, writesPerSecond: options.writesPerSecond },
      faults: {
        seed: options.faultSeed,
        rate: options.faultRate,
        kinds: options.faultKinds,
        hangMs: options.hangMs,
        applyBeforeFault: options.applyBeforeFault
      }
    },
    options,
    { suppress_unchanged_writes: options.suppression }
  )
  // The reference sends every write (no redundant-write suppression): nothing faulted, nothing skipped,
  // each event written once in order. The fault run uses the default settings, suppression on.
  const clean = await runOnce(
    workload,
    { ...spec },
    options,
    { suppress_unchanged_writes: options.referenceSuppression },
    true
  )

  let delivered = 0
  let failed = 0
  let lostRetryable = 0
  let lostNoOutcome = 0
  let lostMisreported = 0
  const outcomeMismatches: number[] = []
  for (const event of workload.events) {
    const outcome = faulty.outcomes.get(event.index)
    const reference = clean.outcomes.get(event.index)
    if (!outcome || outcome.result === 'none') lostNoOutcome += 1
    else if (outcome.result === 'retryable') lostRetryable += 1
    else if (outcome.result === 'failed' && reference?.result === 'delivered') lostMisreported += 1
    else if (outcome.result === 'failed') failed += 1
    else delivered += 1
    if (outcome?.result === 'delivered' && reference?.result !== 'delivered')
      outcomeMismatches.push(event.index)
  }
  const differences = compareStates(clean.canonical.state, faulty.canonical.state)
  const duplicated = duplicatedRecords(faulty.canonical.duplicates)
  const cleanDuplicated = duplicatedRecords(clean.canonical.duplicates)
  const lost = lostRetryable + lostNoOutcome + lostMisreported
  const equal = differences.length === 0
  const batched = workload.lanes.flat().filter((d) => d.path === 'batch')
  return {
    options,
    workload: {
      events: workload.events.length,
      single: workload.lanes.flat().filter((d) => d.path === 'single').length,
      batched: batched.reduce((sum, d) => sum + d.events.length, 0),
      chunks: batched.length,
      concurrent: workload.lanes.flat().filter((d) => d.path === 'concurrent').length
    },
    faulty,
    clean,
    events: workload.events.length,
    delivered,
    failed,
    lostRetryable,
    lostNoOutcome,
    lostMisreported,
    lost,
    duplicated,
    cleanDuplicated,
    differences,
    outcomeMismatches,
    equal,
    ok:
      lost === 0 &&
      duplicated === 0 &&
      cleanDuplicated === 0 &&
      equal &&
      // An assertion Attio accepted (202) and then dropped is lost without a word.
      faulty.bulkDropped === 0 &&
      clean.bulkDropped === 0 &&
      faulty.leaks.length === 0 &&
      clean.leaks.length === 0 &&
      faulty.resurrected.length === 0 &&
      clean.resurrected.length === 0
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** A reason with its particulars (quoted values, numbers) blanked, to group similar failures. */
function reasonClass(reason: string | undefined): string {
  return (reason ?? '(no reason)')
    .replace(/^[A-Z]\w*Error: /, '') // thrown (single path) and reported (batch) forms of one error alike
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 110)
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Array<[string, number]> {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
}

/** The report as printed lines; the last one is the summary line. */
export function formatReport(report: SoakReport): string[] {
  const { options, faulty, clean } = report
  const lines: string[] = []
  const stats = faulty.stats
  const totalRequests = (s: EmulatorStats) => Object.values(s.requests).reduce((a, b) => a + b, 0)
  lines.push(
    `soak: workload seed ${options.seed}: ${report.events} events (${report.workload.single} one by one, ${report.workload.batched} in ${report.workload.chunks} batch chunks), ${options.lanes} lanes`
  )
  lines.push(
    `soak: faults: rate ${options.faultRate} (seed ${options.faultSeed}; kinds ${options.faultKinds.join('/')}; ${Math.round(options.applyBeforeFault * 100)}% of faulted requests processed first), hang ${options.hangMs} ms vs client time-out ${options.timeoutMs} ms; rate limits ${options.writesPerSecond} writes / ${options.readsPerSecond} reads a second per token; up to ${options.host.maxAttempts} attempts; redundant-write suppression ${options.suppression ? 'on' : 'off'} (fault-free reference: ${options.referenceSuppression ? 'on' : 'off'})`
  )
  const kinds = Object.entries(stats.faults.byKind)
    .map(([kind, count]) => `${kind}: ${count}`)
    .join(', ')
  lines.push(
    `soak: fault run ${seconds(faulty.ms)}: ${totalRequests(stats)} requests (${stats.writes} writes), ${stats.faults.total} faults (${kinds}; ${stats.faults.applied} writes applied before their fault), ${stats.rateLimited} rate-limited (429); bulk: ${stats.bulk.requests} accepted, ${stats.bulk.applied} assertions applied, ${faulty.bulkDropped} dropped`
  )
  const retried = Object.entries(faulty.counters.retryableByStatus)
    .sort()
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ')
  lines.push(
    `soak: host: ${faulty.counters.attempts} attempts, ${faulty.counters.retries} retries (retryable answers by status: ${retried || 'none'})`
  )
  lines.push(
    `soak: fault-free run ${seconds(clean.ms)}: ${totalRequests(clean.stats)} requests, ${clean.stats.faults.total} faults, ${clean.stats.rateLimited} rate-limited; bulk: ${clean.stats.bulk.applied} assertions applied, ${clean.bulkDropped} dropped`
  )
  const failures = [...faulty.outcomes.values()].filter((o) => o.result === 'failed')
  const cleanDelivered = [...clean.outcomes.values()].filter((o) => o.result === 'delivered').length
  lines.push(
    `soak: outcomes: ${report.delivered} delivered (fault-free run: ${cleanDelivered}), ${report.failed} failed for good; non-retryable reasons:`
  )
  const reasonOfFailure = (o: (typeof failures)[number]) => `${o.status ?? '-'} ${reasonClass(o.reason)}`
  for (const [reason, count] of countBy(failures, reasonOfFailure).slice(0, 8)) {
    const single = failures.filter((o) => o.path === 'single' && reasonOfFailure(o) === reason).length
    lines.push(`soak:   ${String(count).padStart(5)} × ${reason} (single ${single}, batch ${count - single})`)
  }
  lines.push(
    `soak: lost: ${report.lostRetryable} still retryable after ${options.host.maxAttempts} attempts, ${report.lostNoOutcome} without an outcome, ${report.lostMisreported} refused under faults but delivered without them`
  )
  for (const [index, outcome] of [...faulty.outcomes]
    .filter(([, o]) => o.result === 'retryable')
    .slice(0, 5)) {
    lines.push(`soak:   event ${index} (${outcome.path}): ${outcome.status ?? '-'} ${outcome.reason ?? ''}`)
  }
  if (report.outcomeMismatches.length > 0) {
    lines.push(
      `soak: delivered under faults but not without them: events ${report.outcomeMismatches.slice(0, 10).join(', ')}`
    )
  }
  const records = Object.entries(faulty.canonical.state)
    .filter(([, byIdentity]) => byIdentity.size > 0)
    .map(([object, byIdentity]) => `${object} ${byIdentity.size}`)
    .join(', ')
  lines.push(
    `soak: records: ${records}; duplicated records ${report.duplicated} (fault-free run: ${report.cleanDuplicated}), without identity ${faulty.canonical.unidentified}; state differences ${report.differences.length}`
  )
  for (const duplicate of faulty.canonical.duplicates.slice(0, 5)) {
    lines.push(`soak:   ${duplicate.object} "${duplicate.identity}" exists ${duplicate.records} times`)
  }
  for (const difference of report.differences.slice(0, 10)) {
    lines.push(
      `soak:   ${difference.problem} ${difference.object} "${difference.identity}"${difference.detail ? `: ${difference.detail}` : ''}`
    )
  }
  const hand = faulty.byHand
  lines.push(
    `soak: by hand in Attio: ${hand.deletions} deletions (${hand.deleted} records), ${hand.schemaChanges} schema changes (an option and an attribute); ${report.workload.concurrent} concurrent pairs, answers held up to ${options.latencyMs} ms; users re-created by a link after their deletion: ${faulty.resurrected.length} (fault-free run: ${clean.resurrected.length})${[...faulty.resurrected, ...clean.resurrected].length > 0 ? ` (${[...new Set([...faulty.resurrected, ...clean.resurrected])].slice(0, 5).join(', ')})` : ''}`
  )
  lines.push(`soak: messages or log lines carrying a credential: ${faulty.leaks.length + clean.leaks.length}`)
  lines.push(
    `soak: ${report.events} events, ${report.delivered} delivered, ${report.failed} failed (non-retryable), ${report.lost} lost, ${report.duplicated} duplicated, state equal: ${report.equal ? 'yes' : 'no'}`
  )
  return lines
}
