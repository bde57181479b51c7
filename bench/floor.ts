/**
 * actions-core's own floor for the batch path: the same definition with every `perform` and
 * `performBatch` replaced by a no-op, so what is left is actions-core's work on a batch (building the test
 * events, mapping and schema validation). The batch CPU run measures the destination against it: the same
 * events, mappings and batches through both definitions, in alternating rounds.
 */
import { Session } from 'node:inspector/promises'
import path from 'node:path'
import type { DestinationDefinition, SegmentEvent } from '@segment/actions-core'
import destination from '../src'
import { clearSchemaCache, clearWriteMemory } from '../src/api'
import type { Settings } from '../src/destinations/attio/generated-types'
import { MAPPINGS, settingsFor, type ActionName } from './drive'
import { createTestIntegration } from '@segment/actions-core'

type Definition = DestinationDefinition<Settings>

/** The destination with every action's work replaced by nothing: fields, defaults and hooks unchanged. */
export function noOpDestination(definition: Definition = destination): Definition {
  const actions = Object.fromEntries(
    Object.entries(definition.actions).map(([name, action]) => [
      name,
      { ...action, perform: async () => undefined, performBatch: async () => undefined }
    ])
  )
  return { ...definition, actions }
}

/** CPU (user + system) of this process, in microseconds, spent sending `events` through `performBatch`. */
export async function batchCpu(
  definition: Definition,
  events: readonly SegmentEvent[],
  apiKey: string,
  batchSize: number
): Promise<{ cpuUs: number; failed: number }> {
  const integration = createTestIntegration(definition)
  const settings = settingsFor(apiKey, true)
  let failed = 0
  const cpu = process.cpuUsage()
  for (const type of ['identify', 'group'] as const) {
    const action: ActionName = type === 'group' ? 'groupWorkspace' : 'identifyUser'
    const list = events.filter((event) => event.type === type)
    for (let start = 0; start < list.length; start += batchSize) {
      await integration.testBatchAction(action, {
        events: list.slice(start, start + batchSize),
        settings,
        mapping: { ...MAPPINGS[action], enable_batching: true, batch_size: batchSize },
        useDefaultMappings: true
      })
      const result = integration.results.at(-1) as { multistatus?: Array<{ status: number }> } | undefined
      failed += (result?.multistatus ?? []).filter((entry) => entry.status >= 300).length
      // The test integration keeps every response; a host does not.
      integration.responses.length = 0
      integration.results.length = 0
    }
  }
  const used = process.cpuUsage(cpu)
  return { cpuUs: used.user + used.system, failed }
}

export interface FloorFigures {
  events: number
  rounds: number
  /** The median of the rounds, in µs per event. */
  floorUsPerEvent: number
  destinationUsPerEvent: number
  /** Every round's figures, floor then destination. */
  samples: Array<{ floor: number; destination: number }>
  failed: number
  /** With `profile`: the destination's last round, self time per function. */
  profile?: ProfileLine[]
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * Alternates floor and destination rounds (so both see the same machine load), each from an emptied
 * emulator (`reset`), with write memory and schema cache cleared; the destination's rounds therefore
 * include loading the schema once per round, as a fresh worker would.
 */
export async function measureFloor(
  events: readonly SegmentEvent[],
  options: {
    rounds: number
    batchSize: number
    tokens: (round: number) => string
    reset: () => Promise<void>
    /** Profile one more destination round after the measured ones (not counted in the figures). */
    profile?: boolean
  }
): Promise<FloorFigures> {
  const samples: FloorFigures['samples'] = []
  const figures: Pick<FloorFigures, 'profile'> = {}
  let failed = 0
  const floor = noOpDestination()
  for (let round = 0; round < options.rounds; round++) {
    const perEvent = (cpuUs: number) => cpuUs / Math.max(1, events.length)
    const noOp = await batchCpu(floor, events, options.tokens(round), options.batchSize)
    await options.reset()
    clearSchemaCache()
    clearWriteMemory()
    const ours = await batchCpu(destination, events, options.tokens(round), options.batchSize)
    failed += ours.failed
    samples.push({ floor: perEvent(noOp.cpuUs), destination: perEvent(ours.cpuUs) })
  }
  if (options.profile) {
    await options.reset()
    clearSchemaCache()
    clearWriteMemory()
    const session = new Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
    await batchCpu(destination, events, options.tokens(options.rounds), options.batchSize)
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile }
    session.disconnect()
    figures.profile = summariseProfile(profile, path.resolve(__dirname, '..'))
  }
  return {
    events: events.length,
    rounds: options.rounds,
    floorUsPerEvent: median(samples.map((sample) => sample.floor)),
    destinationUsPerEvent: median(samples.map((sample) => sample.destination)),
    samples,
    failed,
    ...figures
  }
}

/** One line of a CPU profile: a function and the share of the profiled time it spent itself. */
export interface ProfileLine {
  name: string
  where: string
  selfMs: number
  share: number
}

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Self time per function of a V8 CPU profile, largest first; paths relative to the repository. */
export function summariseProfile(profile: CpuProfile, root: string, top = 20): ProfileLine[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<string, { name: string; where: string; micros: number }>()
  let total = 0
  profile.samples.forEach((id, index) => {
    const node = byId.get(id)
    const delta = profile.timeDeltas[index] ?? 0
    if (!node) return
    const { functionName, url, lineNumber } = node.callFrame
    // Idle time is not work; `dispatch` (no file) is the inspector session's own, not the destination's.
    if (functionName === '(idle)' || functionName === '(program)' || (functionName === 'dispatch' && !url))
      return
    total += delta
    const file = url
      .replace(/^file:\/\//, '')
      .replace(`${root}/`, '')
      .replace(/.*node_modules\//, '')
    const where = file ? `${file}:${lineNumber + 1}` : ''
    const key = `${functionName}\u0000${where}`
    const entry = self.get(key) ?? { name: functionName || '(anonymous)', where, micros: 0 }
    entry.micros += delta
    self.set(key, entry)
  })
  return [...self.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top)
    .map((entry) => ({
      name: entry.name,
      where: entry.where,
      selfMs: entry.micros / 1000,
      share: total > 0 ? entry.micros / total : 0
    }))
}
