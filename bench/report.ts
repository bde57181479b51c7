/**
 * The benchmark's output: the machine, one table (suppression on, off, and on as a ratio of off), the
 * extra lines, and the targets as PASS/FAIL lines; the same as Markdown for BENCHMARKS.md.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { ProfileLine } from './floor'
import type { BenchResult, Machine, SettingFigures } from './runner'

export interface Row {
  /** Section heading the row belongs to. */
  section: string
  label: string
  on: number
  off: number
  /** Digits after the decimal point. */
  digits: number
}

export interface Target {
  name: string
  pass: boolean
  detail: string
}

const peakRss = (f: SettingFigures) => Math.max(f.bigBatch.peakRssMb, f.bigBatch.maxRssMb)

const perThousand = (count: number, events: number) => (events > 0 ? (count * 1000) / events : 0)

export function rows(result: BenchResult): Row[] {
  const { config } = result
  const single = `Single path (perform), ${fmt(result.workload.events)} events in order, no rate limit`
  const batch = `Batch path (performBatch), ${fmt(result.batchWorkload.events)} events in ${fmt(config.batchSize)}-event batches, schema cache warm`
  const big = `One ${fmt(config.bigBatchEvents)}-event identify batch (${fmt(config.bigBatchUsers)} users) through performBatch, fresh process`
  const limited = `Rate-limited emulator (25 writes/s), ${fmt(result.workload.events)} events, ${config.lanes} concurrent lanes`
  const pick = (
    section: string,
    label: string,
    digits: number,
    value: (f: SettingFigures) => number
  ): Row => ({
    section,
    label,
    on: value(result.on),
    off: value(result.off),
    digits
  })
  return [
    pick(single, 'events delivered', 0, (f) => f.single.delivered),
    pick(single, 'Attio requests (reads + writes)', 0, (f) => f.single.requests),
    pick(single, 'Attio writes', 0, (f) => f.single.writes),
    pick(single, 'writes per event', 3, (f) => f.single.writes / Math.max(1, f.single.events)),
    pick(single, 'CPU µs per event (destination process)', 0, (f) => f.single.cpuUsPerEvent),
    pick(batch, 'events delivered', 0, (f) => f.batch.delivered),
    pick(batch, 'requests per 1,000 events', 2, (f) => perThousand(f.batch.requests, f.batch.events)),
    pick(batch, '  of which bulk writes', 2, (f) => perThousand(f.batch.bulkRequests, f.batch.events)),
    pick(batch, '  of which user lookups (reads)', 2, (f) =>
      perThousand(f.batch.lookupReads, f.batch.events)
    ),
    pick(batch, '  of which schema reads', 2, (f) => perThousand(f.batch.schemaReads, f.batch.events)),
    pick(batch, 'assertions per 1,000 events', 1, (f) => perThousand(f.batch.assertions, f.batch.events)),
    pick(batch, '  plus nested assertions', 1, (f) => perThousand(f.batch.nestedAssertions, f.batch.events)),
    pick(big, 'peak RSS, MB', 1, peakRss),
    pick(big, 'RSS growth over the run, MB', 1, (f) => peakRss(f) - f.bigBatch.baselineRssMb),
    pick(big, 'peak heap used, MB', 1, (f) => f.bigBatch.peakHeapMb),
    pick(big, 'heap growth over the run, MB', 1, (f) => f.bigBatch.peakHeapMb - f.bigBatch.baselineHeapMb),
    pick(limited, 'events delivered', 0, (f) => f.limited.delivered),
    pick(limited, 'delivered events per second', 1, (f) => f.limited.eventsPerSecond),
    pick(limited, '429s received', 0, (f) => f.limited.rateLimited)
  ]
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

export function ratio(on: number, off: number): string {
  if (off === 0) return on === 0 ? '–' : 'n/a'
  return `${(on / off).toFixed(2)}×`
}

export const WRITES_PER_EVENT_TARGET = 0.7
export const CPU_RATIO_TARGET = 1.2
export const BATCH_REQUESTS_TARGET = 1
/** Issue 18: the batch path's CPU per event at most this many times actions-core's own (no-op) floor. */
export const FLOOR_RATIO_TARGET = 1.8
/** Issue 18: the heap growth of the 10,000-event identify batch, suppression on, at most this (MB). */
export const BIG_BATCH_HEAP_TARGET_MB = 20

export const floorRatio = (result: BenchResult) =>
  result.floor.destinationUsPerEvent / Math.max(1e-9, result.floor.floorUsPerEvent)
const heapGrowth = (f: SettingFigures) => f.bigBatch.peakHeapMb - f.bigBatch.baselineHeapMb

export function targets(result: BenchResult): Target[] {
  const { on, off } = result
  const writesPerEvent = on.single.writes / Math.max(1, on.single.events)
  const offWritesPerEvent = off.single.writes / Math.max(1, off.single.events)
  const cpuRatio = on.single.cpuUsPerEvent / Math.max(1e-9, off.single.cpuUsPerEvent)
  const batchOn = perThousand(on.batch.requests, on.batch.events)
  const batchOff = perThousand(off.batch.requests, off.batch.events)
  const failed = (f: SettingFigures) =>
    f.single.failed + f.batch.failed + f.bigBatch.failed + f.limited.failed
  return [
    {
      name: `single path: at most ${WRITES_PER_EVENT_TARGET} writes per event with suppression on`,
      pass: writesPerEvent <= WRITES_PER_EVENT_TARGET,
      detail: `${fmt(writesPerEvent, 3)} (off: ${fmt(offWritesPerEvent, 3)})`
    },
    {
      name: 'rate-limited run: zero 429s received',
      pass: on.limited.rateLimited === 0 && off.limited.rateLimited === 0,
      detail: `on: ${on.limited.rateLimited}, off: ${off.limited.rateLimited}`
    },
    {
      name: `CPU per event with suppression on at most ${CPU_RATIO_TARGET}× suppression off`,
      pass: cpuRatio <= CPU_RATIO_TARGET,
      detail: `${fmt(cpuRatio, 2)}× (${fmt(on.single.cpuUsPerEvent)} vs ${fmt(off.single.cpuUsPerEvent)} µs)`
    },
    {
      name: `batch path: at most ${BATCH_REQUESTS_TARGET} request per 1,000 events`,
      pass: batchOn <= BATCH_REQUESTS_TARGET && batchOff <= BATCH_REQUESTS_TARGET,
      detail: `on: ${fmt(batchOn, 2)}, off: ${fmt(batchOff, 2)}`
    },
    {
      name: `batch path: CPU per event at most ${FLOOR_RATIO_TARGET}× actions-core's no-op floor (suppression on)`,
      pass: floorRatio(result) <= FLOOR_RATIO_TARGET,
      detail: `${fmt(floorRatio(result), 2)}× (${fmt(result.floor.destinationUsPerEvent, 1)} vs ${fmt(result.floor.floorUsPerEvent, 1)} µs per event)`
    },
    {
      name: `${fmt(result.config.bigBatchEvents)}-event identify batch: heap growth at most ${BIG_BATCH_HEAP_TARGET_MB} MB (suppression on)`,
      pass: heapGrowth(on) <= BIG_BATCH_HEAP_TARGET_MB,
      detail: `${fmt(heapGrowth(on), 1)} MB (off: ${fmt(heapGrowth(off), 1)} MB)`
    },
    {
      name: 'harness: every event of every run delivered',
      pass: failed(on) === 0 && failed(off) === 0 && result.floor.failed === 0,
      detail: `failed on: ${failed(on)}, off: ${failed(off)}, CPU run: ${result.floor.failed}`
    }
  ]
}

export function machineLine(m: Machine): string {
  return `Machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryGb, 1)} GiB memory, Node ${m.node}, ${m.os}`
}

export function bigBatchLine(result: BenchResult): string {
  const { on, off } = result
  const describe = ({ bigBatch: b }: SettingFigures) => {
    const parts = [`${fmt(b.bulkRequests)} bulk write${b.bulkRequests === 1 ? '' : 's'}`]
    if (b.writes > b.bulkRequests) parts.push(`${fmt(b.writes - b.bulkRequests)} other writes`)
    if (b.reads > b.lookupReads) parts.push(`${fmt(b.reads - b.lookupReads)} cold-cache schema reads`)
    if (b.lookupReads > 0) parts.push(`${fmt(b.lookupReads)} lookups`)
    return (
      `${fmt(b.requests)} requests (${parts.join(' + ')}), ` +
      `${fmt(b.assertions)} assertions + ${fmt(b.nestedAssertions)} nested`
    )
  }
  const figures =
    describe(on) === describe(off)
      ? `suppression on and off alike: ${describe(on)}`
      : `suppression on: ${describe(on)}; off: ${describe(off)}`
  return (
    `${fmt(on.bigBatch.events)}-event identify batch from ${fmt(on.bigBatch.users)} users through performBatch ` +
    `(batch_size ${fmt(Math.max(result.config.batchSize, result.config.bigBatchEvents))}), ${figures}`
  )
}

export function floorLine(result: BenchResult): string {
  const f = result.floor
  const w = result.cpuWorkload
  return (
    `Batch CPU against actions-core's floor: ${fmt(f.events)} events (${fmt(w.identifies)} identify + ${fmt(w.groups)} group) ` +
    `in ${fmt(result.config.batchSize)}-event batches, suppression on, median of ${f.rounds} rounds: ` +
    `${fmt(f.destinationUsPerEvent, 1)} µs per event, floor (every perform/performBatch a no-op) ` +
    `${fmt(f.floorUsPerEvent, 1)} µs: ${fmt(floorRatio(result), 2)}× (rounds: ` +
    `${f.samples.map((s) => `${fmt(s.destination, 1)}/${fmt(s.floor, 1)}`).join(', ')})`
  )
}

export function warmCacheLine(result: BenchResult): string {
  const w = result.warmCache
  return (
    `${fmt(w.events)} identify events (${fmt(w.users)} users) on the single path with the schema cache warm ` +
    `(suppression on): ${fmt(w.requests)} requests = ${fmt(w.writes)} writes + ${fmt(w.reads)} reads`
  )
}

function workloadLines(result: BenchResult): string[] {
  const w = result.workload
  const b = result.batchWorkload
  return [
    `Workload (seed ${result.config.seed}): ${fmt(w.events)} events = ${fmt(w.identifies)} identify + ${fmt(w.groups)} group, ` +
      `${fmt(w.users)} users, ${fmt(w.workspaces)} workspaces, ${fmt(w.companies)} companies, ${fmt(w.changed)} events with a changed trait`,
    `Batch workload (same generator): ${fmt(b.events)} events = ${fmt(b.identifies)} identify + ${fmt(b.groups)} group, ` +
      `${fmt(b.users)} users, ${fmt(b.workspaces)} workspaces, ${fmt(b.companies)} companies`
  ]
}

/** The table as aligned text. */
export function textTable(result: BenchResult): string {
  const header = ['', 'suppression on', 'suppression off', 'on ÷ off']
  const body: string[][] = []
  let section = ''
  for (const row of rows(result)) {
    if (row.section !== section) {
      section = row.section
      body.push([section])
    }
    body.push([`  ${row.label}`, fmt(row.on, row.digits), fmt(row.off, row.digits), ratio(row.on, row.off)])
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.filter((cells) => cells.length > 1).map((cells) => cells[column].length))
  )
  const line = (cells: string[]) =>
    cells.length === 1
      ? cells[0]
      : cells
          .map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column])))
          .join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [line(header), rule, ...body.map(line)].join('\n')
}

/** A profile's functions as lines: share of the profiled time, self milliseconds, function, file. */
export function profileLines(profile: readonly ProfileLine[]): string[] {
  return profile.map(
    (line) =>
      `${fmt(line.share * 100, 1).padStart(5)}%  ${fmt(line.selfMs).padStart(6)} ms  ${line.name}${line.where ? `  (${line.where})` : ''}`
  )
}

/**
 * The profile taken before issue 18's work, kept beside the bench so BENCHMARKS.md shows before and after:
 * `bench/profile-before.json`, `{ commit, usPerEvent, floorUsPerEvent, lines }`.
 */
interface SavedProfile {
  commit: string
  usPerEvent: number
  floorUsPerEvent: number
  lines: ProfileLine[]
}

export function savedProfile(file = path.join(__dirname, 'profile-before.json')): SavedProfile | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SavedProfile) : undefined
}

function profileSection(result: BenchResult): string[] {
  const before = savedProfile()
  const table = (lines: readonly ProfileLine[]) => [
    '| share | self ms | function | where |',
    '| ---: | ---: | --- | --- |',
    ...lines.map(
      (line) => `| ${fmt(line.share * 100, 1)}% | ${fmt(line.selfMs)} | \`${line.name}\` | ${line.where} |`
    )
  ]
  const lines: string[] = []
  if (result.floor.profile) {
    lines.push(
      '## Profile of the batch CPU run (this run)',
      '',
      `One more destination round of the batch CPU run under V8's profiler (not in the figures above): the ${result.floor.profile.length} functions with the most self time, as a share of the profiled time (idle excluded).`,
      '',
      ...table(result.floor.profile),
      ''
    )
  }
  if (before) {
    lines.push(
      `## Profile before issue 18's work (commit ${before.commit})`,
      '',
      `The same run on the same machine: ${fmt(before.usPerEvent, 1)} µs per event against a floor of ${fmt(before.floorUsPerEvent, 1)} µs (${fmt(before.usPerEvent / before.floorUsPerEvent, 2)}×). Kept in bench/profile-before.json.`,
      '',
      ...table(before.lines),
      ''
    )
  }
  return lines
}

export function textReport(result: BenchResult): string {
  return [
    machineLine(result.machine),
    ...workloadLines(result),
    '',
    textTable(result),
    '',
    bigBatchLine(result),
    warmCacheLine(result),
    floorLine(result),
    '',
    ...targets(result).map((t) => `${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}`),
    ...(result.floor.profile
      ? ['', 'Profile of one more batch CPU round (self time):', ...profileLines(result.floor.profile)]
      : []),
    '',
    `Bench took ${fmt(result.durationMs / 1000, 1)} s.`,
    ...problems(result)
  ].join('\n')
}

/** The first errors of runs where events failed, so a failure is never only a number. */
function problems(result: BenchResult): string[] {
  const lines: string[] = []
  for (const [name, f] of [
    ['on', result.on],
    ['off', result.off]
  ] as const) {
    for (const [run, errors] of [
      ['single', f.single.errors],
      ['batch', f.batch.errors],
      ['big batch', f.bigBatch.errors],
      ['rate-limited', f.limited.errors]
    ] as const) {
      for (const error of errors) lines.push(`  error (${run}, suppression ${name}): ${error}`)
    }
  }
  return lines.length > 0 ? ['', 'Errors seen:', ...lines] : []
}

export function markdownReport(result: BenchResult, command: string, date: Date): string {
  const table: string[] = [
    '| | suppression on | suppression off | on ÷ off |',
    '| --- | ---: | ---: | ---: |'
  ]
  let section = ''
  for (const row of rows(result)) {
    if (row.section !== section) {
      section = row.section
      table.push(`| **${section}** | | | |`)
    }
    table.push(
      `| ${row.label.trim()} | ${fmt(row.on, row.digits)} | ${fmt(row.off, row.digits)} | ${ratio(row.on, row.off)} |`
    )
  }
  return [
    '# Benchmarks',
    '',
    'The latest figures of `npm run bench` (issue #7): the destination through actions-core against the Attio',
    'emulator, with redundant-write suppression (`suppress_unchanged_writes`) on and off. This file is',
    'regenerated by the command below; do not edit it by hand. See docs/benchmarks.md for what is measured',
    'and how.',
    '',
    `- Command: \`${command}\``,
    `- Date: ${date.toISOString().slice(0, 10)}; the bench took ${fmt(result.durationMs / 1000, 1)} s`,
    `- ${machineLine(result.machine)}`,
    ...workloadLines(result).map((line) => `- ${line}`),
    '',
    ...table,
    '',
    `- ${bigBatchLine(result)}`,
    `- ${warmCacheLine(result)}`,
    `- ${floorLine(result)}`,
    '',
    '## Targets',
    '',
    ...targets(result).map((t) => `- ${t.pass ? 'PASS' : 'FAIL'}: ${t.name}: ${t.detail}`),
    '',
    ...profileSection(result),
    '## How the figures were taken',
    '',
    ...methodNotes(result).map((note) => `- ${note}`),
    '',
    '## Time per step',
    '',
    ...result.steps.map((step) => `- ${step.name}: ${fmt(step.seconds, 1)} s`),
    ''
  ].join('\n')
}

/** What BENCHMARKS.md says about how each figure was taken, with the run's own numbers. */
export function methodNotes(result: BenchResult): string[] {
  const { on, off, workload, config } = result
  const naiveWrites = workload.identifies * 2 + workload.groups * 3
  return [
    'The emulator runs in a child process. CPU is `process.cpuUsage()` of the bench process (user + system) ' +
      'around the single-path run: actions-core, the destination and its HTTP client, not the emulator ' +
      `(which used ${fmt(on.single.emulatorCpuUsPerEvent)} µs per event with suppression on, ` +
      `${fmt(off.single.emulatorCpuUsPerEvent)} µs off). ${fmt(config.warmupEvents)} warm-up events each way ` +
      'run first, so module loading and JIT warm-up do not count against either run.',
    "The single path is bounded by the client's own pacing (at most 25 writes a second per credential, " +
      'in-process) even where the emulator does not limit: it took ' +
      `${fmt(on.single.wallMs / 1000, 1)} s with suppression on and ${fmt(off.single.wallMs / 1000, 1)} s off. ` +
      `That is why it and the rate-limited run use a modest ${fmt(workload.events)} events.`,
    'Without suppression an identify costs 2 writes (Person, User) and a group 3 (Company, Workspace, and ' +
      `the append that links the user, after a lookup read): ${fmt(workload.identifies)} × 2 + ` +
      `${fmt(workload.groups)} × 3 = ${fmt(naiveWrites)} writes expected, ${fmt(off.single.writes)} measured. ` +
      `Single-path requests include the cold schema cache's reads.`,
    "Requests, writes and 429s are the emulator's counts; bulk assertions (top level and nested) are read " +
      'from the bulk request bodies actions-core captured, and match what the emulator applied ' +
      `(${fmt(on.batch.applied)} on, ${fmt(off.batch.applied)} off; dropped: ${fmt(on.batch.dropped + off.batch.dropped)}).`,
    `The batch path sends the identify events in ${fmt(config.batchSize)}-event batches, then at once (without ` +
      'waiting for the emulator to apply them) the group events: a CDP batches per action. Before that, a ' +
      'one-event identify and group batch of a user outside the workload warms the schema cache, as in a running ' +
      `destination; that cold start made ${fmt(on.batch.coldStartReads)} schema reads and is not in the figures. ` +
      "A group batch sends each Workspace's links in an assertion of their own (counted above with the top-level " +
      'assertions); a user that an identify batch of the same process sent less than 10 s before is asserted again, ' +
      'nested in it (counted with the nested assertions), so it needs no lookup; other users are looked up, one ' +
      'query per 500.',
    `The ${fmt(config.bigBatchEvents)}-event batch runs in a fresh process (ts-node, \`--expose-gc\`), with ` +
      `batch_size ${fmt(Math.max(config.batchSize, config.bigBatchEvents))} so it is one batch. Memory is sampled every 2 ms, ` +
      "and the kernel's peak RSS is taken too. Before the batch the process held " +
      `${fmt(on.bigBatch.baselineRssMb, 1)} MB RSS and ${fmt(on.bigBatch.baselineHeapMb, 1)} MB heap ` +
      '(mostly ts-node and the TypeScript compiler); growth is peak minus that.',
    `The rate-limited run sends the single-path workload from ${config.lanes} concurrent lanes (a user's events ` +
      'stay in order in one lane) to an emulator that enforces 25 writes a second per token.',
    'Every run uses its own API token, an emptied emulator, and cleared write memory and schema cache ' +
      '(`clearWriteMemory()`, `clearSchemaCache()`), so runs are independent.'
  ]
}
