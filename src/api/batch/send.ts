/**
 * Step 4b of a batch: sending through Attio's bulk endpoint, request by request, with each request's outcome
 * for the records it carries. Tells the caller when Attio has no bulk endpoint, so the queue takes over.
 */
import { AttioApiError, isNoBulkEndpoint } from '../errors'
import { buildChunk, chunksOf, forgetSent, LinksChanged, recordsOfChunk, type Built } from './body'
import { refreshReasserts } from './links'
import { errorOutcome, setWorst } from './outcomes'
import { METRICS } from '../telemetry'
import type { BatchRun, EventOutcome, MergedRecord } from './types'

/**
 * Sends the roots in chunks (`chunksOf`). Returns true when Attio has no bulk endpoint (404/405 before any
 * request was accepted). Records each record's outcome in `run.status` and the fate of each link in
 * `run.linked`, and counts what it sent in `run.report`.
 */
export async function sendBulk(run: BatchRun): Promise<boolean> {
  const { client, records, resolved, report } = run
  let anySent = false
  for (const chunk of chunksOf(records, run.roots, run.batchSize)) {
    const concerned = recordsOfChunk(chunk)
    let outcome: EventOutcome | undefined
    for (let attempt = 1; outcome === undefined; attempt++) {
      try {
        await refreshReasserts(client, chunk.links, resolved)
      } catch (error) {
        outcome = errorOutcome(error)
        break
      }
      const built: Built = { assertions: 0, nested: 0, remembered: [], previous: [] }
      const units = chunk.roots.length + chunk.links.length
      try {
        // The body is built once the request has its slot under the write limit, with nothing to wait for
        // in between: what it asserts again is what this process sent last, and what it sends is remembered
        // before any later request can be built.
        await client.bulkAssert(
          () => buildChunk(run, chunk, built),
          `the batch of ${units} record${units > 1 ? 's' : ''} and links`
        )
        anySent = true
        client.telemetry.count(METRICS.bulkRequests)
        client.telemetry.histogram(METRICS.bulkAssertions, built.assertions)
        countByObject(run, concerned, METRICS.writesSent)
        report.path = 'bulk'
        report.assertions += built.assertions
        report.nestedAssertions += built.nested
        outcome = {
          ok: true,
          status: 202,
          sent: {},
          body: {
            accepted: true,
            message:
              'Accepted by Attio. Attio applies batched records asynchronously (usually within seconds); the destination checked every value before sending.'
          }
        }
      } catch (error) {
        if (error instanceof LinksChanged && attempt < 3) continue
        const status = error instanceof AttioApiError ? error.status : undefined
        if (status !== undefined && status < 500) {
          // Attio refused the request (4xx, 429): it applied none of it, so what earlier requests sent stands.
          for (let at = 0; at < built.remembered.length; at++)
            client.bulkSent.restore(built.remembered[at], built.previous[at])
        } else {
          // Attio may or may not have applied it (a 5xx): a later link looks these records up.
          for (const record of concerned) forgetSent(client, record)
        }
        if (isNoBulkEndpoint(error) && !anySent) return true
        countByObject(
          run,
          concerned,
          METRICS.writesFailed,
          error instanceof AttioApiError ? error.status : undefined
        )
        outcome = errorOutcome(
          error instanceof LinksChanged
            ? new AttioApiError(
                'Not sent: a linked record was written again while this batch was being sent; it is safe to retry.',
                503,
                'links_changed'
              )
            : error
        )
      }
    }
    for (const record of concerned) setWorst(run.status, record.key, outcome)
  }
  return false
}

/** The records a bulk request carried, counted per object (kind `bulk`; a failure tagged with its status). */
function countByObject(
  run: BatchRun,
  records: Iterable<MergedRecord>,
  metric: typeof METRICS.writesSent | typeof METRICS.writesFailed,
  status?: number
): void {
  const perObject = new Map<string, number>()
  for (const record of records) perObject.set(record.object, (perObject.get(record.object) ?? 0) + 1)
  for (const [object, count] of perObject) {
    const tags: Record<string, string> = { object, kind: 'bulk' }
    if (metric === METRICS.writesFailed) tags.reason = String(status ?? 'error')
    run.client.telemetry.count(metric, count, tags)
  }
}
