/**
 * The batch path: many events into few requests, and an outcome for every event.
 *
 * Every event is built and checked exactly as on the single path; an invalid one gets its own error and
 * is not sent. Valid records with the same identity (object, matching attribute, matching value) are
 * merged in `received_at` order (later single values win, multiselect values are unioned), then sent as
 * assertions to Attio's bulk endpoint with referenced records nested, at most `batchSize` per request.
 * When the bulk endpoint does not exist (404/405), the same merged records go through a queue of
 * documented single-record calls that respects the write limit and the host's time budget.
 */
import { batchTimeBudgetMs } from '../core/config'
import { isRetryableStatus } from '../core/http'
import type { AttioClient } from '../client'
import { AttioApiError, CredentialRefusedError } from '../errors'
import { prepareRecord, WrittenValues } from '../records'
import type { WorkspaceSchema } from '../schema'
import { namesRecordByKey } from './body'
import { sendQueued } from './fallback'
import { linkKey, resolveLookups, type Resolved } from './links'
import { absorb, normaliseReceivedAt, rootsOf, type EventLookup, type Merge } from './merge'
import { errorOutcome, finish, heldBackOutcome, isRetried, retriedWithOutcome, summarise } from './outcomes'
import { sendBulk } from './send'
import { METRICS } from '../telemetry'
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_TIME_BUDGET_MS,
  MAX_BATCH_SIZE,
  type BatchItem,
  type BatchOptions,
  type BatchReport,
  type BatchRun,
  type EventOutcome,
  type MergedRecord
} from './types'

export { bulkAssertion, MAX_BULK_REQUEST_BYTES } from './body'
export { DEFAULT_BATCH_SIZE, DEFAULT_TIME_BUDGET_MS, MAX_BATCH_SIZE } from './types'
export type { BatchItem, BatchOptions, BatchReport, EventOutcome } from './types'
export { errorOutcome, heldBackOutcome, isRetried } from './outcomes'

/**
 * One delivery of a batch, from the events to their outcomes: what every step of `deliverBatch` reads (the
 * client, the events, the options) and fills in (each event's outcome, the merged records, the report).
 */
interface Delivery {
  client: AttioClient
  items: BatchItem[]
  options: BatchOptions
  /** Top-level assertions per bulk request, at most. */
  batchSize: number
  /** Filled in: each event's outcome, by its index in `items`. */
  outcomes: Array<EventOutcome | undefined>
  report: BatchReport
  /** The merged records, and which event carries which record and link. */
  merge: Merge
  /** The events merged, in received order. */
  merged: number[]
}

/**
 * Delivers a batch of events; returns one outcome per item, in order. The steps are docs/batching.md's:
 * build and merge in received order, the links, the bulk endpoint or the queue, the events' outcomes.
 */
export async function deliverBatch(
  client: AttioClient,
  schema: WorkspaceSchema,
  items: BatchItem[],
  options: BatchOptions = {}
): Promise<BatchReport> {
  const delivery: Delivery = {
    client,
    items,
    options,
    batchSize: Math.min(Math.max(Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE), 1), MAX_BATCH_SIZE),
    outcomes: new Array(items.length),
    report: { outcomes: [], requests: 0, assertions: 0, nestedAssertions: 0, path: 'none' },
    merge: {
      records: new Map(),
      identities: new Map(),
      eventRecords: new Array(items.length),
      eventLookups: new Array(items.length)
    },
    merged: []
  }
  const now = new Date().toISOString()
  const before = client.sent.reads + client.sent.writes
  client.telemetry.histogram(METRICS.batchSize, items.length)
  await buildAndMerge(delivery, schema, now)
  if (delivery.merged.length > 0) {
    const run = await resolveLinks(delivery)
    if (run.status.size === 0) await sendRecords(run, delivery.options)
    settleOutcomes(delivery, run)
  }
  delivery.report.requests = client.sent.reads + client.sent.writes - before
  return finish(delivery.report, delivery.outcomes)
}

/**
 * 1. Build and check every event the way the single path does, in the order the CDP received them; a
 * failure is that event's alone. 2. Each record is merged at once into those of the same identity (so a
 * batch holds its merged records, not every event's): later single values win.
 */
async function buildAndMerge(delivery: Delivery, schema: WorkspaceSchema, now: string): Promise<void> {
  const { items, outcomes, merge, merged } = delivery
  // Flat lists by event index, not an object per event kept to the end of merging.
  const receivedAts: string[] = new Array(items.length)
  const order = new Uint32Array(items.length)
  for (let index = 0; index < items.length; index++) {
    receivedAts[index] = normaliseReceivedAt(items[index].receivedAt) ?? now
    order[index] = index
  }
  // Received order, then the batch's order (as `receivedBefore`).
  order.sort((a, b) => {
    const first = receivedAts[a]
    const second = receivedAts[b]
    return first < second ? -1 : first > second ? 1 : a - b
  })
  // Once Attio refuses the credential, it refuses it for every event: no request more to learn that.
  let refused: EventOutcome | undefined
  /** The first event (in received order) that failed in a way the host retries: see `heldBackOutcome`. */
  let retried: { index: number; receivedAt: string } | undefined
  // What the batch wrote of each plain value: its events repeat them (a user's email, a plan), written once.
  const written = new WrittenValues()
  for (const index of order) {
    const item = items[index]
    const receivedAt = receivedAts[index]
    try {
      const assertion = item.build()
      if (refused) {
        outcomes[index] = refused
        continue
      }
      // Most records need nothing read: those are not awaited (an await per record is a batch's microtasks).
      const ready = prepareRecord(schema, assertion, item.options, written)
      const record = ready instanceof Promise ? await ready : ready
      // Sent now, it would be overwritten by the retry of the earlier event: held back, it is retried after it.
      if (retried) outcomes[index] = heldBackOutcome(retried.index)
      else {
        absorb(merge, record, index, receivedAt)
        merged.push(index)
      }
    } catch (error) {
      outcomes[index] = errorOutcome(error)
      if (error instanceof CredentialRefusedError) refused = outcomes[index]
      else if (isRetried(error) && !retried) retried = { index, receivedAt }
    }
  }
}

/**
 * 3. Existing records the events link to (never created): one query per object and attribute. Returns the
 * run the sending steps read and fill; when the lookups failed, every record has that failure as its outcome.
 */
async function resolveLinks(delivery: Delivery): Promise<BatchRun> {
  const { client, merge, batchSize, report } = delivery
  const roots = rootsOf(merge.records)
  const status = new Map<string, EventOutcome>()
  let resolved: Resolved = new Map()
  try {
    resolved = await resolveLookups(client, merge.records.values())
  } catch (error) {
    const failed = errorOutcome(error)
    for (const record of merge.records.values()) status.set(record.key, failed)
  }
  return { client, records: merge.records, roots, batchSize, resolved, status, linked: new Map(), report }
}

/**
 * 4. Send through the bulk endpoint, falling back to the queue when Attio has none. Records that name
 * another record by its key go through the queue's documented asserts (see `namesRecordByKey`).
 */
async function sendRecords(run: BatchRun, options: BatchOptions): Promise<void> {
  const { client, records, roots, report } = run
  const byKey = new Set(roots.filter((root) => carriesNamedByKey(records, root)))
  const bulkRoots = byKey.size === 0 ? roots : roots.filter((root) => !byKey.has(root))
  const fallback = bulkRoots.length > 0 && (await sendBulk({ ...run, roots: bulkRoots }))
  if (!fallback && byKey.size > 0) {
    client.telemetry.count(METRICS.queueFallbacks, 1, { reason: 'names_record_by_key' })
    client.telemetry.debug(
      `bulk fallback: ${byKey.size} record(s) name another record by its key and go through the queue of single-record writes`
    )
    const path = report.path
    await sendQueued({ ...run, roots: [...byKey] }, options.timeBudgetMs ?? timeBudgetFromEnv())
    if (path === 'bulk') report.path = 'bulk'
  }
  if (fallback) {
    client.telemetry.count(METRICS.queueFallbacks, 1, { reason: 'no_bulk_endpoint' })
    client.telemetry.debug(
      `bulk fallback: Attio has no bulk endpoint here; ${roots.length} record(s) go through the queue of single-record writes`
    )
    // Nothing went through the bulk endpoint: what its requests answered says nothing of the records.
    run.status.clear()
    run.linked.clear()
    await sendQueued(run, options.timeBudgetMs ?? timeBudgetFromEnv())
  }
}

/**
 * 5. Every event gets the outcome of the records it carries (the worst one), or its missing link; and, in
 * received order, one that carries a record of an earlier event the host retries is retried too (see
 * `retriedWithOutcome`).
 */
function settleOutcomes(delivery: Delivery, run: BatchRun): void {
  const { merge, outcomes } = delivery
  const { status, linked } = run
  /** The records of the events answered retryable so far, each with the first such event (made at the first). */
  let retried: Map<string, number> | undefined
  // Most batches make every link they ask for: then no event's links need looking up one by one.
  const someMissing = hasMissingLink(linked)
  /** What events carrying the same records (one list of keys, shared: `carriedWith`) are answered. */
  const byRecords = new Map<readonly string[], Settled>()
  for (const index of delivery.merged) {
    const keys = merge.eventRecords[index] ?? NO_KEYS
    let settled = byRecords.get(keys)
    if (!settled) byRecords.set(keys, (settled = settledOf(keys, merge, status)))
    const { sent } = settled
    const missing =
      settled.failed || !someMissing ? undefined : missingLink(merge.eventLookups[index], linked)
    if (missing) outcomes[index] = { ...errorOutcome(missing), sent }
    else if (settled.outcome) outcomes[index] = settled.outcome
    const outcome = outcomes[index]
    // No outcome is answered 500 (`finish`), which the host retries too.
    const retryable = outcome === undefined || (!outcome.ok && isRetryableStatus(outcome.status))
    const earlier = retried && !retryable ? firstRetried(keys, retried) : undefined
    if (earlier !== undefined) outcomes[index] = retriedWithOutcome(earlier, sent)
    if (retryable || earlier !== undefined) {
      retried ??= new Map()
      for (const key of keys) if (!retried.has(key)) retried.set(key, earlier ?? index)
    }
  }
}

/** The outcome of an event by the records it carries, shared by the events that carry the same ones. */
interface Settled {
  sent: Record<string, unknown>
  /** The worst of the records' outcomes (with `sent`), if any was sent. */
  outcome: EventOutcome | undefined
  failed: boolean
}

const NO_KEYS: readonly string[] = Object.freeze([])

function settledOf(keys: readonly string[], merge: Merge, status: BatchRun['status']): Settled {
  const sent: Record<string, unknown> = {}
  let failed: EventOutcome | undefined
  let accepted: EventOutcome | undefined
  for (const key of keys) {
    summarise(sent, merge.records.get(key) as MergedRecord)
    const outcome = status.get(key)
    if (outcome && !outcome.ok) failed ??= outcome
    else if (outcome) accepted ??= outcome
  }
  const worst = failed ?? accepted
  return { sent, outcome: worst && { ...worst, sent }, failed: failed !== undefined }
}

/** Whether a root or a record nested in it names another record by its key (`namesRecordByKey`), listing none. */
function carriesNamedByKey(records: BatchRun['records'], root: MergedRecord): boolean {
  if (namesRecordByKey(root)) return true
  for (const slot of root.references.size === 0 ? NO_SLOTS : root.references.values())
    for (const key of slot.keys) if (carriesNamedByKey(records, records.get(key) as MergedRecord)) return true
  return false
}
const NO_SLOTS: readonly never[] = Object.freeze([])

/** The first event answered retryable (so far, in received order) that carries one of these records. */
function firstRetried(keys: readonly string[], retried: ReadonlyMap<string, number>): number | undefined {
  let first: number | undefined
  for (const key of keys) {
    const event = retried.get(key)
    if (event !== undefined && (first === undefined || event < first)) first = event
  }
  return first
}

/** Whether any link of the batch found its linked record missing. */
function hasMissingLink(linked: BatchRun['linked']): boolean {
  for (const fate of linked.values()) if (fate instanceof AttioApiError) return true
  return false
}

/** The first link an event asked for whose linked record is missing. */
function missingLink(
  asked: EventLookup[] | undefined,
  linked: BatchRun['linked']
): AttioApiError | undefined {
  for (const { record, reference } of asked ?? []) {
    const fate = linked.get(linkKey(record, reference))
    if (fate instanceof AttioApiError) return fate
  }
  return undefined
}

/** `ATTIO_BATCH_TIME_BUDGET_MS` overrides the queue's time budget (hosts with other limits, tests). */
function timeBudgetFromEnv(): number {
  return batchTimeBudgetMs(DEFAULT_TIME_BUDGET_MS)
}
