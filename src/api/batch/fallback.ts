/**
 * Step 4c of a batch: the queue, when Attio has no bulk endpoint. Each merged record goes through the
 * single path's documented calls, a few at a time, under the write limit and the host's time budget.
 */
import type { RecordId } from '../core/wire-types'
import { isNoWriteSlot, isRateLimited } from '../errors'
import { writeRecord, type LinkFates, type WriteOutcome } from '../records'
import { linkKey } from './links'
import { carried, toPrepared } from './merge'
import { errorOutcome, setWorst } from './outcomes'
import type { BatchRun, EventOutcome, MergedRecord } from './types'

const QUEUE_CONCURRENCY = 4

/**
 * The queue: each merged record through the documented single-record calls (referenced records first),
 * a few at a time, under the write limit (a 429 closes the gate until its Retry-After, then the record
 * is tried again). It stops starting records before the time budget runs out; the records it did not
 * start are reported as retryable, so the host sends them again instead of losing them.
 */
export async function sendQueued(run: BatchRun, timeBudgetMs: number): Promise<void> {
  const { client, records, roots, status, linked, report } = run
  report.path = 'queue'
  // Each link's fate is its event's own outcome, as on the bulk path: one missing User fails its event only.
  const linkFates: LinkFates = (key, reference, fate) => linked.set(linkKey({ key }, reference), fate)
  const deadline = Date.now() + timeBudgetMs
  const written = new Map<string, Promise<RecordId>>()
  const previousWait = client.maxWriteWaitMs
  let slowest = 0
  let next = 0

  const outOfTime = (): EventOutcome => ({
    ok: false,
    status: 429,
    errortype: 'TOO_MANY_REQUESTS',
    message: `Not sent: the batch used its ${Math.round(timeBudgetMs / 1000)} s time budget under Attio's write limit before reaching this event; it is safe to retry.`
  })

  const deliver = async (root: MergedRecord): Promise<EventOutcome> => {
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now()
      if (remaining < Math.max(slowest * 2, 1000)) return outOfTime()
      client.maxWriteWaitMs = Math.max(0, remaining - 1000)
      const began = Date.now()
      try {
        const outcomes: WriteOutcome[] = []
        await writeRecord(client, toPrepared(records, root), outcomes, written, linkFates)
        return { ok: true, status: 200, sent: {}, body: { records: outcomes } }
      } catch (error) {
        if (isNoWriteSlot(error)) {
          // The host cancelled the invocation while the write waited: nothing was sent; retryable.
          if (client.signal?.aborted) return errorOutcome(error)
          // The write limit left no slot before the deadline: nothing was sent for this write.
          return outOfTime()
        }
        // A 429 was not processed: the limiter now holds every write until Retry-After; try again.
        if (!(isRateLimited(error) && attempt < 3)) return errorOutcome(error)
      } finally {
        slowest = Math.max(slowest, Date.now() - began)
      }
    }
  }

  const worker = async () => {
    while (next < roots.length) {
      const root = roots[next++]
      const outcome = await deliver(root)
      for (const record of carried(records, root)) setWorst(status, record.key, outcome)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(QUEUE_CONCURRENCY, roots.length) }, worker))
  } finally {
    client.maxWriteWaitMs = previousWait
  }
  report.assertions = written.size
}
