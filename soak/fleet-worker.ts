/**
 * One worker process of `npm run fleet` (forked by soak/fleet.ts): regenerates the workload from its options
 * (deterministic), delivers its lanes through the destination with the fleet's one token, and sends back
 * what became of each event. Waiting for the emulator's bulk assertions (after each batch) is asked of the
 * parent, which runs the emulator. With ATTIO_STATE_URL set, the worker shares the write budget in Redis.
 */
import { clearWriteMemory } from '../src/api'
import { closeSharedState, sharedStateReady, sharedStateStatus } from '../src/api/state'
import {
  capturingLogger,
  LaneWorker,
  type AttioHands,
  type EventOutcome,
  type HostCounters,
  type HostOptions
} from './host'
import { generateWorkload, type WorkloadOptions } from './workload'
import type { Settings } from '../src/destinations/attio/generated-types'

export interface WorkerTask {
  workload: WorkloadOptions
  lanes: number[]
  settings: Settings
  host: HostOptions
  hands: Omit<AttioHands, 'done'>
  confirmMs?: number
}

export interface WorkerResult {
  outcomes: Array<[number, EventOutcome]>
  counters: HostCounters
  messages: string[]
  done: AttioHands['done']
  sharedState: ReturnType<typeof sharedStateStatus>
}

type FromParent = { type: 'task'; task: WorkerTask } | { type: 'settled'; id: number }

const settling = new Map<number, () => void>()
let settleIds = 0

/** Asks the parent to wait for the emulator's bulk assertions. */
function settle(): Promise<void> {
  const id = ++settleIds
  return new Promise((resolve) => {
    settling.set(id, resolve)
    process.send?.({ type: 'settle', id })
  })
}

async function run(task: WorkerTask): Promise<WorkerResult> {
  if (process.env.ATTIO_STATE_URL && !(await sharedStateReady(5000)))
    throw new Error('the shared state (Redis) did not answer')
  clearWriteMemory(task.confirmMs !== undefined ? { confirmMs: task.confirmMs } : undefined)
  const workload = generateWorkload(task.workload)
  const outcomes = new Map<number, EventOutcome>()
  const counters: HostCounters = { attempts: 0, retries: 0, retryableByStatus: {} }
  const lines: string[] = []
  const messages: string[] = []
  const hands: AttioHands = { ...task.hands, done: { deletions: 0, deleted: 0, schemaChanges: 0 } }
  await Promise.all(
    task.lanes.map((lane) =>
      new LaneWorker(
        workload,
        task.settings,
        task.host,
        outcomes,
        counters,
        capturingLogger(lines),
        settle,
        messages,
        hands
      ).run(workload.lanes[lane])
    )
  )
  return {
    outcomes: [...outcomes],
    counters,
    messages: [...messages, ...lines],
    done: hands.done,
    sharedState: sharedStateStatus()
  }
}

// Loaded (modules compiled, Redis connecting): the parent starts its clock once every worker is.
process.send?.({ type: 'ready' })

process.on('message', (message: FromParent) => {
  if (message.type === 'settled') {
    settling.get(message.id)?.()
    settling.delete(message.id)
    return
  }
  run(message.task)
    .then(async (result) => {
      await closeSharedState()
      process.send?.({ type: 'result', result }, () => process.exit(0))
    })
    .catch((error: unknown) => {
      process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) }, () =>
        process.exit(1)
      )
    })
})
