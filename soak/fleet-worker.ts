/**
 * One worker process of `npm run fleet` (forked by soak/fleet.ts, soak/fleet-processes.ts): regenerates the
 * workload from its options (deterministic), delivers its lanes through the destination with the fleet's one
 * token, and sends back what became of each event. Waiting for the emulator's bulk assertions (after each
 * batch) is asked of the parent, which runs the emulator. With ATTIO_STATE_URL set, the worker shares the write
 * budget and the write memory in Redis. It stays up, with its memory, for further tasks (the crossing phase,
 * soak/crossing.ts, re-delivers other workers' events to it) until the parent says `close`.
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
import { generateWorkload, type Delivery, type WorkloadOptions } from './workload'
import type { Settings } from '../src/destinations/attio/generated-types'

export interface WorkerTask {
  workload: WorkloadOptions
  lanes: number[]
  /** Instead of lanes: these deliveries, in order (another worker's events delivered once more). */
  redeliver?: Delivery[]
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

type FromParent = { type: 'task'; task: WorkerTask } | { type: 'settled'; id: number } | { type: 'close' }

const settling = new Map<number, () => void>()
let settleIds = 0
/** Tasks begun: only the first starts from an empty write memory (a later one keeps what this worker wrote). */
let tasks = 0

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
  if (tasks++ === 0)
    clearWriteMemory(task.confirmMs !== undefined ? { confirmMs: task.confirmMs } : undefined)
  const workload = generateWorkload(task.workload)
  const outcomes = new Map<number, EventOutcome>()
  const counters: HostCounters = { attempts: 0, retries: 0, retryableByStatus: {} }
  const lines: string[] = []
  const messages: string[] = []
  const hands: AttioHands = { ...task.hands, done: { deletions: 0, deleted: 0, schemaChanges: 0 } }
  const sequences = task.redeliver ? [task.redeliver] : task.lanes.map((lane) => workload.lanes[lane])
  await Promise.all(
    sequences.map((deliveries) =>
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
      ).run(deliveries)
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

// The parent is gone (it crashed or was killed): nothing will ask for a result or say close.
process.on('disconnect', () => process.exit(1))

process.on('message', (message: FromParent) => {
  if (message.type === 'settled') {
    settling.get(message.id)?.()
    settling.delete(message.id)
    return
  }
  if (message.type === 'close') {
    void closeSharedState().finally(() => process.exit(0))
    return
  }
  run(message.task)
    .then((result) => {
      process.send?.({ type: 'result', result })
    })
    .catch((error: unknown) => {
      process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) }, () =>
        process.exit(1)
      )
    })
})
