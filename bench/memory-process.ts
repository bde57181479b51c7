/**
 * One big batch through `performBatch` in a fresh process, so its peak memory is the batch's and not
 * what earlier runs left behind. Started by `measureBigBatch` (runner.ts) with `--expose-gc` and its job
 * in `BENCH_MEMORY_JOB` (JSON); answers with a `MemoryReport` over IPC and exits.
 */
import { newIntegration, sendBatch, settingsFor, type BatchOutcome } from './drive'
import { generateWorkload } from './workload'

export interface MemoryJob {
  url: string
  apiKey: string
  suppress: boolean
  seed: number
  events: number
  users: number
  batchSize: number
}

export interface MemoryReport extends BatchOutcome {
  events: number
  users: number
  wallMs: number
  cpuMs: number
  baselineRssMb: number
  baselineHeapMb: number
  peakRssMb: number
  peakHeapMb: number
  maxRssMb: number
  gcExposed: boolean
}

const MB = 1024 * 1024

/** Runs the job in `BENCH_MEMORY_JOB` and sends the report to the parent. */
export async function measureBatchMemory(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_MEMORY_JOB ?? '{}') as MemoryJob
  process.env.ATTIO_API_URL = job.url
  const workload = generateWorkload({
    seed: job.seed,
    events: job.events,
    users: job.users,
    identifyOnly: true,
    order: 'rounds'
  })
  const integration = newIntegration()
  const collect = (globalThis as { gc?: () => void }).gc
  collect?.()
  const baseline = process.memoryUsage()
  let peakRss = baseline.rss
  let peakHeap = baseline.heapUsed
  const sample = () => {
    const usage = process.memoryUsage()
    peakRss = Math.max(peakRss, usage.rss)
    peakHeap = Math.max(peakHeap, usage.heapUsed)
  }
  const sampler = setInterval(sample, 2)
  const started = Date.now()
  const cpu = process.cpuUsage()
  const outcome = await sendBatch(
    integration,
    'identifyUser',
    workload.events,
    settingsFor(job.apiKey, job.suppress),
    job.batchSize
  )
  const used = process.cpuUsage(cpu)
  const wallMs = Date.now() - started
  clearInterval(sampler)
  sample()
  const report: MemoryReport = {
    ...outcome,
    events: workload.events.length,
    users: workload.users,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    baselineRssMb: baseline.rss / MB,
    baselineHeapMb: baseline.heapUsed / MB,
    peakRssMb: peakRss / MB,
    peakHeapMb: peakHeap / MB,
    // The kernel's high-water mark for the whole process: catches a peak between two samples.
    maxRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    gcExposed: collect !== undefined
  }
  process.send?.(report, () => process.exit(0))
}

if (require.main === module) {
  measureBatchMemory().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
