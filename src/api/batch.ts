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
import { PayloadValidationError } from '@segment/actions-core'
import type { AttioClient, RecordId, WireValues } from './client'
import { AttioApiError, CredentialRefusedError } from './errors'
import {
  canonical,
  identitiesOf,
  linkNotAppliedYet,
  matchingText,
  missingLink,
  prepareRecord,
  recordKey,
  writeRecord,
  type ExistingReference,
  type LinkFates,
  type PreparedRecord,
  type PrepareOptions,
  type RecordAssertion,
  type WriteOutcome
} from './records'
import type { WorkspaceSchema } from './schema'
import type { BulkSent, BulkSentKey, Identity } from './suppression'
import { recordIdItem } from './values'

export const MAX_BATCH_SIZE = 10_000
export const DEFAULT_BATCH_SIZE = 1000
/** How long the fallback queue may keep starting work; a CDP host allows an action about 30 s. */
export const DEFAULT_TIME_BUDGET_MS = 25_000
const QUEUE_CONCURRENCY = 4

export interface BatchItem {
  /** Builds the event's record (normalising and checking its identities); throws what the single path would. */
  build: () => RecordAssertion
  options: PrepareOptions
  /** When the CDP received the event (ISO 8601); orders merging. */
  receivedAt?: string
}

export type EventOutcome =
  | { ok: true; status: number; sent: Record<string, unknown>; body: Record<string, unknown> }
  | { ok: false; status: number; errortype: string; message: string; sent?: Record<string, unknown> }

export interface BatchReport {
  outcomes: EventOutcome[]
  /** Requests and assertions sent, for the debug view and the benchmark. */
  requests: number
  assertions: number
  nestedAssertions: number
  path: 'bulk' | 'queue' | 'none'
}

interface ReferenceSlot {
  attribute: string
  append: boolean
  multi: boolean
  keys: string[]
}

interface LookupSlot {
  attribute: string
  append: boolean
  multi: boolean
  references: ExistingReference[]
}

/** A record merged from every event of the batch that carries it. */
interface MergedRecord {
  key: string
  object: string
  label: string
  matchingAttribute: string
  matchingKey: string
  assertValues: WireValues
  appendValues: WireValues
  multiValued: Set<string>
  references: Map<string, ReferenceSlot>
  lookups: Map<string, LookupSlot>
  replaceMultiselect: boolean
  /** Attributes Attio requires to create the record. */
  required: Set<string>
  /** The object's unique attributes. */
  unique: Set<string>
  receivedAt: string
  events: Set<number>
}

export function errorOutcome(error: unknown): EventOutcome {
  if (error instanceof PayloadValidationError) {
    return { ok: false, status: 400, errortype: 'PAYLOAD_VALIDATION_FAILED', message: error.message }
  }
  if (error instanceof AttioApiError) {
    return {
      ok: false,
      status: error.status ?? 500,
      errortype: String(error.code ?? 'UNKNOWN_ERROR'),
      message: error.message
    }
  }
  const status = (error as { status?: number }).status ?? 500
  const code = (error as { code?: string }).code
  return {
    ok: false,
    status,
    errortype:
      code && /^[A-Z_]+$/.test(code) ? code : status === 401 ? 'INVALID_AUTHENTICATION' : 'UNKNOWN_ERROR',
    message: error instanceof Error ? error.message : String(error)
  }
}

function mergeValues(target: WireValues, source: WireValues, multiValued: Set<string>): void {
  for (const [attribute, items] of Object.entries(source)) {
    if (multiValued.has(attribute) && target[attribute]) {
      const seen = new Set(target[attribute].map((item) => canonical(item)))
      target[attribute] = [...target[attribute], ...items.filter((item) => !seen.has(canonical(item)))]
    } else {
      target[attribute] = [...items]
    }
  }
}

interface Merge {
  records: Map<string, MergedRecord>
  /** The records each event carries. */
  eventRecords: Map<number, Set<string>>
  /** The existing records each event asked to link. */
  eventLookups: Map<number, Array<{ record: MergedRecord; reference: ExistingReference }>>
}

/** Merges a prepared record (and those it references) into the batch's records; returns its key. */
function absorb(merge: Merge, prepared: PreparedRecord, event: number, receivedAt: string): string {
  const childKeys = prepared.references.map((reference) => absorb(merge, reference.target, event, receivedAt))
  const key = recordKey(prepared)
  let merged = merge.records.get(key)
  if (!merged) {
    merged = {
      key,
      object: prepared.object,
      label: prepared.label,
      matchingAttribute: prepared.matchingAttribute,
      matchingKey: prepared.matchingKey,
      assertValues: {},
      appendValues: {},
      multiValued: new Set(),
      references: new Map(),
      lookups: new Map(),
      replaceMultiselect: prepared.replaceMultiselect,
      required: new Set(),
      unique: new Set(prepared.unique),
      receivedAt,
      events: new Set()
    }
    merge.records.set(key, merged)
  }
  const record = merged
  for (const attribute of prepared.multiValued) record.multiValued.add(attribute)
  for (const attribute of prepared.required) record.required.add(attribute)
  record.multiValued.add(prepared.matchingAttribute)
  mergeValues(record.assertValues, prepared.assertValues, record.multiValued)
  mergeValues(record.appendValues, prepared.appendValues, record.multiValued)
  record.replaceMultiselect = record.replaceMultiselect && prepared.replaceMultiselect
  if (receivedAt > record.receivedAt) record.receivedAt = receivedAt
  record.events.add(event)
  const carriedByEvent = merge.eventRecords.get(event) ?? new Set<string>()
  carriedByEvent.add(key)
  merge.eventRecords.set(event, carriedByEvent)
  prepared.references.forEach((reference, index) => {
    const slot = record.references.get(reference.attribute)
    const childKey = childKeys[index]
    if (slot && reference.multi) {
      if (!slot.keys.includes(childKey)) slot.keys.push(childKey)
    } else {
      record.references.set(reference.attribute, {
        attribute: reference.attribute,
        append: reference.append,
        multi: reference.multi,
        keys: [childKey]
      })
    }
  })
  for (const lookup of prepared.lookups) {
    merge.eventLookups.set(event, [
      ...(merge.eventLookups.get(event) ?? []),
      { record, reference: lookup.reference }
    ])
    const slot = record.lookups.get(lookup.attribute)
    if (slot && lookup.multi) {
      if (!slot.references.some((r) => r.value === lookup.reference.value))
        slot.references.push(lookup.reference)
    } else {
      record.lookups.set(lookup.attribute, {
        attribute: lookup.attribute,
        append: lookup.append,
        multi: lookup.multi,
        references: [lookup.reference]
      })
    }
  }
  return key
}

/** Records that are referenced by no other record in their final merged form: each one is an assertion. */
function rootsOf(records: Map<string, MergedRecord>): MergedRecord[] {
  const referenced = new Set<string>()
  for (const record of records.values()) {
    for (const slot of record.references.values()) slot.keys.forEach((key) => referenced.add(key))
  }
  return [...records.values()].filter((record) => !referenced.has(record.key))
}

/** All the records an assertion for `root` carries (itself and the records nested in it). */
function carried(records: Map<string, MergedRecord>, root: MergedRecord): MergedRecord[] {
  const result = [root]
  for (const slot of root.references.values()) {
    for (const key of slot.keys) result.push(...carried(records, records.get(key) as MergedRecord))
  }
  return result
}

/**
 * A linked record this process sent through the bulk endpoint a moment ago: asserted again inside the link,
 * with the values its memory holds when the request is built (`BulkSentMemory`).
 */
interface Reassert {
  reassert: true
}

type Resolved = Map<string, RecordId | AttioApiError | Reassert>

/** The one marker for it, told apart by identity (never by shape). */
const REASSERT: Reassert = Object.freeze({ reassert: true })

const isReassert = (target: unknown): target is Reassert => target === REASSERT

const lookupKey = (reference: ExistingReference) =>
  `${reference.object}\u0000${reference.attribute}\u0000${reference.value}`

/**
 * Finds the existing records the batch links to, with one query per object and attribute (500 values at
 * most). Records remembered need no query: by id when Attio confirmed them to this process within
 * `CONFIRM_MS` (write memory on), or, for records this process sent through the bulk endpoint within
 * `BULK_APPLY_WINDOW_MS` and has never seen in Attio (which have no id), by the values it sent, asserted
 * again inside the link. Attio applies bulk requests asynchronously, so such a record may not exist yet:
 * asserting it again creates it or changes nothing, where naming it by its key or looking it up would miss
 * it. After that window, or once seen, a record missing from Attio is missing (it was deleted, or Attio
 * dropped it): it is never asserted again.
 */
async function resolveLookups(
  client: AttioClient,
  records: Iterable<MergedRecord>,
  resolved: Resolved = new Map()
): Promise<Resolved> {
  const wanted = new Map<string, ExistingReference[]>()
  for (const record of records) {
    for (const slot of record.lookups.values()) {
      for (const reference of slot.references) {
        if (resolved.has(lookupKey(reference))) continue
        const group = `${reference.object}\u0000${reference.attribute}`
        const list = wanted.get(group) ?? []
        if (!list.some((r) => r.value === reference.value)) list.push(reference)
        wanted.set(group, list)
      }
    }
  }
  const memory = client.memory
  const nested = nestedLinksEnabled()
  for (const all of wanted.values()) {
    const references: ExistingReference[] = []
    for (const reference of all) {
      const remembered = memory?.lookup(identityOf(reference))
      if (remembered) resolved.set(lookupKey(reference), { object: reference.object, recordId: remembered })
      else if (nested && bulkSentNow(client, reference)) resolved.set(lookupKey(reference), REASSERT)
      else references.push(reference)
    }
    if (references.length === 0) continue
    const [{ object, attribute, label }] = references
    for (let start = 0; start < references.length; start += 500) {
      const chunk = references.slice(start, start + 500)
      const found = await client.findRecords(
        object,
        { [attribute]: { $in: chunk.map((r) => r.value) } },
        attribute,
        chunk.length,
        `the lookup of ${chunk.length} ${label}${chunk.length > 1 ? 's' : ''}`
      )
      for (const reference of chunk) {
        const recordId = found.get(reference.value)
        if (recordId) {
          memory?.rememberLookup(identityOf(reference), recordId)
          client.bulkSent.seen(object, attribute, reference.value)
        }
        resolved.set(
          lookupKey(reference),
          recordId
            ? { object, recordId }
            : client.bulkSent.pending(object, attribute, reference.value)
              ? linkNotAppliedYet(reference)
              : missingLink(reference)
        )
      }
    }
  }
  return resolved
}

const identityOf = (reference: ExistingReference): Identity => ({
  object: reference.object,
  attribute: reference.attribute,
  text: reference.value
})

/**
 * Before a chunk is built: each of its re-asserted links whose values were forgotten since (a single write
 * of the record, a failed bulk request) is looked up instead, since asserting values that are no longer the
 * latest would undo the newer write.
 */
async function refreshReasserts(client: AttioClient, chunk: Chunk, resolved: Resolved): Promise<void> {
  for (const link of chunk.links) {
    for (const reference of link.references) {
      const key = lookupKey(reference)
      if (isReassert(resolved.get(key)) && !bulkSentNow(client, reference)) resolved.delete(key)
    }
  }
  await resolveLookups(
    client,
    chunk.links.map((link) => link.record),
    resolved
  )
}

/**
 * What this process sent of a linked record in bulk, while Attio may not have applied it yet (within
 * `BULK_APPLY_WINDOW_MS`, never seen in Attio since).
 */
const bulkSentNow = (client: AttioClient, reference: ExistingReference) =>
  client.bulkSent.get(reference.object, reference.attribute, reference.value)

/** A re-asserted link's values were forgotten between the chunk's lookups and its request: build it again. */
class LinksChanged extends Error {}

/** The bulk endpoint's assertion for a record, with the records it references nested (its links apart). */
function toAssertion(records: Map<string, MergedRecord>, record: MergedRecord): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  mergeValues(values as WireValues, record.assertValues, record.multiValued)
  mergeValues(values as WireValues, record.appendValues, record.multiValued)
  for (const slot of record.references.values()) {
    const nested = slot.keys.map((key) => toAssertion(records, records.get(key) as MergedRecord))
    values[slot.attribute] = slot.multi ? nested : nested[0]
  }
  const append = !record.replaceMultiselect || Object.keys(record.appendValues).length > 0
  return bulkAssertion(record.object, record.matchingAttribute, append, values, record.receivedAt)
}

/** One assertion of the bulk endpoint (top-level or nested). */
export function bulkAssertion(
  object: string,
  matchingAttribute: string,
  append: boolean,
  values: Record<string, unknown>,
  receivedAt: string
): Record<string, unknown> {
  return {
    object,
    mode: 'create-or-update',
    matching_attribute: matchingAttribute,
    multiselect_values: append ? 'append' : 'replace',
    values,
    received_at: receivedAt
  }
}

/**
 * The record's matching and required values: what it takes to create it. `complete` is false when one of
 * them is not among its plain values (a reference, or appended).
 */
function identityValues(record: MergedRecord): { values: WireValues; complete: boolean } {
  const values: WireValues = {}
  let complete = true
  for (const attribute of new Set([record.matchingAttribute, ...record.required])) {
    const items = record.assertValues[attribute]
    if (items) values[attribute] = items
    if (!items || items.length === 0) complete = false
  }
  return { values, complete }
}

/**
 * The assertion that links a record to existing records it names (a Workspace's users), apart from the
 * record's own assertion: appended, so no link is removed; with the record's matching and required values,
 * so it stands whichever of the two Attio applies first; and on its own, so a link Attio cannot apply (a
 * user asserted again whose values Attio refuses) costs that link only, never the record. Built right
 * before its request goes out (see `sendBulk`): a re-asserted record carries what this process sent of it
 * last. Records each link's fate in `linked`.
 */
function linkAssertion(
  client: AttioClient,
  link: LinkUnit,
  resolved: Resolved,
  linked: Map<string, true | AttioApiError>
): { assertion?: Record<string, unknown>; nested: number } {
  const { record } = link
  const targets: unknown[] = []
  let nested = 0
  for (const reference of link.references) {
    const target = resolved.get(lookupKey(reference))
    const pair = linkKey(record, reference)
    if (isReassert(target)) {
      const sent = bulkSentNow(client, reference)
      if (!sent?.values) throw new LinksChanged()
      nested += 1
      targets.push(
        bulkAssertion(
          reference.object,
          reference.attribute,
          true,
          sent.values,
          sent.receivedAt ?? record.receivedAt
        )
      )
      linked.set(pair, true)
    } else if (target instanceof AttioApiError) {
      linked.set(pair, target)
    } else if (target) {
      targets.push(recordIdItem(target.object, target.recordId))
      linked.set(pair, true)
    }
  }
  if (targets.length === 0) return { nested }
  const values = { ...identityValues(record).values, [link.attribute]: targets }
  return {
    nested,
    assertion: bulkAssertion(record.object, record.matchingAttribute, true, values, record.receivedAt)
  }
}

/** A link of one record to one linked record: what its event's outcome looks up. */
const linkKey = (record: Pick<MergedRecord, 'key'>, reference: ExistingReference) =>
  `${record.key}\u0001${lookupKey(reference)}`

/** A merged record as a single-path record again, for the queue. */
function toPrepared(records: Map<string, MergedRecord>, record: MergedRecord): PreparedRecord {
  return {
    object: record.object,
    label: record.label,
    matchingAttribute: record.matchingAttribute,
    matchingKey: record.matchingKey,
    assertValues: record.assertValues,
    appendValues: record.appendValues,
    references: [...record.references.values()].flatMap((slot) =>
      slot.keys.map((key) => ({
        attribute: slot.attribute,
        append: slot.append,
        multi: slot.multi,
        target: toPrepared(records, records.get(key) as MergedRecord)
      }))
    ),
    lookups: [...record.lookups.values()].flatMap((slot) =>
      slot.references.map((reference) => ({
        attribute: slot.attribute,
        append: slot.append,
        multi: slot.multi,
        reference
      }))
    ),
    multiValued: [...record.multiValued],
    replaceMultiselect: record.replaceMultiselect,
    required: [...record.required],
    unique: [...record.unique],
    size: { bytes: 0 }
  }
}

/** What an event asked for, as its outcome's `sent`. */
function summary(records: MergedRecord[]): Record<string, unknown> {
  return Object.fromEntries(
    records.map((record) => [record.label, JSON.parse(record.matchingKey) as unknown])
  )
}

/**
 * `ATTIO_BULK_NESTED_LINKS=off` links every user by a lookup instead of asserting it again inside the link:
 * the way back should Attio's bulk endpoint not take nested assertions inside a multiselect reference's array
 * (documented for a single reference, not for an array; see docs/batching.md).
 */
function nestedLinksEnabled(): boolean {
  return !/^(off|false|0|no)$/i.test(process.env.ATTIO_BULK_NESTED_LINKS ?? '')
}

/** `ATTIO_BATCH_TIME_BUDGET_MS` overrides the queue's time budget (hosts with other limits, tests). */
function timeBudgetFromEnv(): number {
  const configured = Number(process.env.ATTIO_BATCH_TIME_BUDGET_MS)
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_TIME_BUDGET_MS
}

export interface BatchOptions {
  batchSize?: number
  timeBudgetMs?: number
}

/** Delivers a batch of events; returns one outcome per item, in order. */
export async function deliverBatch(
  client: AttioClient,
  schema: WorkspaceSchema,
  items: BatchItem[],
  options: BatchOptions = {}
): Promise<BatchReport> {
  const batchSize = Math.min(Math.max(Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE), 1), MAX_BATCH_SIZE)
  const outcomes: Array<EventOutcome | undefined> = new Array(items.length)
  const now = new Date().toISOString()
  const report: BatchReport = { outcomes: [], requests: 0, assertions: 0, nestedAssertions: 0, path: 'none' }
  const before = client.sent.reads + client.sent.writes

  // 1. Build and check every event the way the single path does; a failure is that event's alone.
  const prepared: Array<{ index: number; record: PreparedRecord; receivedAt: string }> = []
  // Once Attio refuses the credential, it refuses it for every event: no request more to learn that.
  let refused: EventOutcome | undefined
  /** The first event (in received order) that failed in a way the host retries: see `holdBackAfter`. */
  let retried: { index: number; receivedAt: string } | undefined
  for (const [index, item] of items.entries()) {
    const receivedAt = normaliseReceivedAt(item.receivedAt) ?? now
    try {
      const assertion = item.build()
      if (refused) {
        outcomes[index] = refused
        continue
      }
      const record = await prepareRecord(schema, assertion, item.options)
      prepared.push({ index, record, receivedAt })
    } catch (error) {
      outcomes[index] = errorOutcome(error)
      if (error instanceof CredentialRefusedError) refused = outcomes[index]
      else if (isRetried(error) && (!retried || receivedBefore(index, receivedAt, retried)))
        retried = { index, receivedAt }
    }
  }
  if (retried) holdBackAfter(retried, prepared, outcomes)

  if (prepared.length > 0) {
    // 2. Merge records with the same identity, in the order the CDP received the events.
    prepared.sort((a, b) =>
      a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.index - b.index
    )
    const merge: Merge = { records: new Map(), eventRecords: new Map(), eventLookups: new Map() }
    for (const { index, record, receivedAt } of prepared) absorb(merge, record, index, receivedAt)
    const roots = rootsOf(merge.records)

    // 3. Existing records the events link to (never created): one query per object and attribute.
    const status = new Map<string, EventOutcome>()
    /** Per link of a record to a linked record: sent, or the linked record is missing. */
    const linked = new Map<string, true | AttioApiError>()
    let resolved: Resolved = new Map()
    try {
      resolved = await resolveLookups(client, merge.records.values())
    } catch (error) {
      const failed = errorOutcome(error)
      for (const record of merge.records.values()) status.set(record.key, failed)
    }

    // 4. Send through the bulk endpoint, falling back to the queue when Attio has none.
    if (status.size === 0) {
      const fallback = await sendBulk(
        client,
        merge.records,
        roots,
        resolved,
        batchSize,
        status,
        linked,
        report
      )
      if (fallback) {
        // Nothing went through the bulk endpoint: what its requests answered says nothing of the records.
        status.clear()
        linked.clear()
        await sendQueued(
          client,
          merge.records,
          roots,
          status,
          linked,
          report,
          options.timeBudgetMs ?? timeBudgetFromEnv()
        )
      }
    }

    // 5. Every event gets the outcome of the records it carries (the worst one), or its missing link.
    for (const { index } of prepared) {
      const keys = [...(merge.eventRecords.get(index) ?? [])]
      const sent = summary(keys.map((key) => merge.records.get(key) as MergedRecord))
      const failed = keys.map((key) => status.get(key)).find((outcome) => outcome && !outcome.ok)
      const missing = (merge.eventLookups.get(index) ?? [])
        .map(({ record, reference }) => linked.get(linkKey(record, reference)))
        .find((fate) => fate instanceof AttioApiError)
      const accepted = keys.map((key) => status.get(key)).find((outcome) => outcome?.ok)
      if (failed) outcomes[index] = { ...failed, sent }
      else if (missing) outcomes[index] = { ...errorOutcome(missing), sent }
      else if (accepted) outcomes[index] = { ...accepted, sent }
    }
  }
  report.requests = client.sent.reads + client.sent.writes - before
  return finish(report, outcomes)
}

/** Whether the host retries an event that failed with this error (429, 5xx, time-outs, connection failures). */
function isRetried(error: unknown): boolean {
  return error instanceof AttioApiError ? error.retry === true : (error as { retry?: unknown }).retry === true
}

/** Whether an event (at `index`, received at `receivedAt`) comes before `other` in received order. */
function receivedBefore(
  index: number,
  receivedAt: string,
  other: { index: number; receivedAt: string }
): boolean {
  return receivedAt < other.receivedAt || (receivedAt === other.receivedAt && index < other.index)
}

/**
 * An event that failed before sending in a way the host retries (a schema read Attio did not answer) is sent
 * again later, on its own. Had the events received after it been sent now, that retry would write its older
 * values over theirs, and Attio would keep the older ones. So those events are not sent either: they get a
 * retryable outcome too, and the host's retry sends them all again in order. (Events received before it are
 * sent: a retry of it comes after them anyway.)
 */
function holdBackAfter(
  retried: { index: number; receivedAt: string },
  prepared: Array<{ index: number; record: PreparedRecord; receivedAt: string }>,
  outcomes: Array<EventOutcome | undefined>
): void {
  const kept = prepared.filter(({ index, receivedAt }) => receivedBefore(index, receivedAt, retried))
  for (const { index } of prepared) {
    if (kept.some((entry) => entry.index === index)) continue
    outcomes[index] = {
      ok: false,
      status: 503,
      errortype: 'SERVICE_UNAVAILABLE',
      message: `Not sent: event ${retried.index} of this batch, received before this one, failed in a way that is retried; this event is held back so that the retry writes them in the order they were received. It is safe to retry.`
    }
  }
  prepared.splice(0, prepared.length, ...kept)
}

function finish(report: BatchReport, outcomes: Array<EventOutcome | undefined>): BatchReport {
  report.outcomes = outcomes.map(
    (outcome) =>
      outcome ?? { ok: false, status: 500, errortype: 'UNKNOWN_ERROR', message: 'The event got no outcome.' }
  )
  return report
}

function normaliseReceivedAt(value: string | undefined): string | undefined {
  if (!value) return undefined
  const time = Date.parse(value)
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined
}

/** Links of one record through one attribute, at most `LINKS_PER_ASSERTION`: one assertion. */
interface LinkUnit {
  record: MergedRecord
  attribute: string
  references: ExistingReference[]
}

/** Links per link assertion: a Workspace with more users gets several, which may go in several requests. */
const LINKS_PER_ASSERTION = 1000

/**
 * The most a bulk request's body may take (as JSON, about): records beyond it go in the next request. Attio does
 * not document a request size limit; one event's values are at most `MAX_EVENT_BYTES` (16 MB), so a record
 * merged from many events may alone pass this bound, and then goes alone.
 */
export const MAX_BULK_REQUEST_BYTES = 32 * 1024 * 1024

/** About what a record's assertion takes as JSON, its values and the assertion around them. */
const assertionBytes = (record: MergedRecord) =>
  200 +
  Buffer.byteLength(JSON.stringify(record.assertValues)) +
  Buffer.byteLength(JSON.stringify(record.appendValues))
/** About what a link assertion takes, with each linked user asserted again inside it. */
const linkBytes = (references: readonly ExistingReference[]) =>
  400 + references.reduce((sum, reference) => sum + 300 + reference.value.length * 3, 0)

/** One bulk request: its records' assertions (with the records nested in them) and link assertions. */
interface Chunk {
  roots: MergedRecord[]
  /** The roots and the records nested in them. */
  records: MergedRecord[]
  links: LinkUnit[]
  /** At most how many assertions it holds, nested ones included. */
  size: number
  /** About what its body takes as JSON (`MAX_BULK_REQUEST_BYTES`). */
  bytes: number
}

/**
 * Splits the roots into requests of at most `batchSize` records' assertions (each followed by the
 * assertions of its links), never more than Attio's 10,000 assertions in all, nested ones included, and
 * never more than `MAX_BULK_REQUEST_BYTES` of body; the links of one record may go on into the next request.
 */
function chunksOf(records: Map<string, MergedRecord>, roots: MergedRecord[], batchSize: number): Chunk[] {
  const chunks: Chunk[] = []
  let chunk: Chunk = { roots: [], records: [], links: [], size: 0, bytes: 0 }
  const next = () => {
    if (chunk.size > 0) chunks.push(chunk)
    chunk = { roots: [], records: [], links: [], size: 0, bytes: 0 }
  }
  for (const root of roots) {
    const withNested = carried(records, root)
    const bytes = withNested.reduce((sum, record) => sum + assertionBytes(record), 0)
    if (
      chunk.roots.length >= batchSize ||
      chunk.size + withNested.length > MAX_BATCH_SIZE ||
      chunk.bytes + bytes > MAX_BULK_REQUEST_BYTES
    )
      next()
    chunk.roots.push(root)
    chunk.records.push(...withNested)
    chunk.size += withNested.length
    chunk.bytes += bytes
    for (const record of withNested) {
      for (const slot of record.lookups.values()) {
        for (let start = 0; start < slot.references.length; start += LINKS_PER_ASSERTION) {
          const references = slot.references.slice(start, start + LINKS_PER_ASSERTION)
          // At most: the link assertion and each linked record asserted again inside it.
          const size = 1 + references.length
          const linkSize = linkBytes(references)
          if (chunk.size + size > MAX_BATCH_SIZE || chunk.bytes + linkSize > MAX_BULK_REQUEST_BYTES) next()
          chunk.links.push({ record, attribute: slot.attribute, references })
          chunk.size += size
          chunk.bytes += linkSize
        }
      }
    }
  }
  next()
  return chunks
}

/** The records whose events a chunk's answer concerns. */
const recordsOfChunk = (chunk: Chunk) => [...chunk.records, ...chunk.links.map((link) => link.record)]

/**
 * Sends the roots in chunks (`chunksOf`). Returns true when Attio has no bulk endpoint (404/405 before any
 * request was accepted). Records the fate of each link in `linked`.
 */
async function sendBulk(
  client: AttioClient,
  records: Map<string, MergedRecord>,
  roots: MergedRecord[],
  resolved: Resolved,
  batchSize: number,
  status: Map<string, EventOutcome>,
  linked: Map<string, true | AttioApiError>,
  report: BatchReport
): Promise<boolean> {
  let anySent = false
  for (const chunk of chunksOf(records, roots, batchSize)) {
    const concerned = recordsOfChunk(chunk)
    let outcome: EventOutcome | undefined
    for (let attempt = 1; outcome === undefined; attempt++) {
      try {
        await refreshReasserts(client, chunk, resolved)
      } catch (error) {
        outcome = errorOutcome(error)
        break
      }
      const built: Built = { assertions: 0, nested: 0, previous: [] }
      const units = chunk.roots.length + chunk.links.length
      try {
        // The body is built once the request has its slot under the write limit, with nothing to wait for
        // in between: what it asserts again is what this process sent last, and what it sends is remembered
        // before any later request can be built.
        await client.bulkAssert(
          () => buildChunk(client, records, chunk, resolved, linked, built),
          `the batch of ${units} record${units > 1 ? 's' : ''} and links`
        )
        anySent = true
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
          for (const { record, sent } of built.previous) client.bulkSent.restore(record, sent)
        } else {
          // Attio may or may not have applied it (a 5xx): a later link looks these records up.
          for (const record of concerned) forgetSent(client, record)
        }
        if (error instanceof AttioApiError && (error.status === 404 || error.status === 405) && !anySent)
          return true
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
    for (const record of concerned) setWorst(status, record.key, outcome)
  }
  return false
}

/** What building a chunk's body counted, and what it replaced in the bulk-sent memory (to restore on a 4xx). */
interface Built {
  assertions: number
  nested: number
  previous: Array<{ record: BulkSentKey; sent: { entry: BulkSent; previous: BulkSent | undefined } }>
}

/** A chunk's request body, built synchronously (see `sendBulk`); counts its assertions in `built`. */
function buildChunk(
  client: AttioClient,
  records: Map<string, MergedRecord>,
  chunk: Chunk,
  resolved: Resolved,
  linked: Map<string, true | AttioApiError>,
  built: Built
): Array<Record<string, unknown>> {
  const fates = new Map<string, true | AttioApiError>()
  const assertions = chunk.roots.map((root) => toAssertion(records, root))
  built.nested = chunk.records.length - chunk.roots.length
  for (const link of chunk.links) {
    const { assertion, nested } = linkAssertion(client, link, resolved, fates)
    if (!assertion) continue
    assertions.push(assertion)
    built.nested += nested
  }
  built.assertions = assertions.length
  for (const [pair, fate] of fates) linked.set(pair, fate)
  for (const record of recordsOfChunk(chunk)) {
    // What this process remembers of these records stops being true once Attio applies the request
    // (asynchronously, whatever its answer says): forget it, through every unique value the request
    // carries of it, so a later single write is always sent.
    const { matching, others } = identitiesOf(record, record.assertValues, record.appendValues)
    client.memory?.forgetCarried([...matching, ...others])
    const sent = rememberSent(client, record)
    if (sent) built.previous.push(sent)
  }
  return assertions
}

/**
 * As a bulk request carrying the record goes out: when it was sent (so that, for `BULK_APPLY_WINDOW_MS`, a
 * link that does not find it knows Attio may not have applied it yet) and what it takes to assert the record
 * again (its matching and required values, when all of them are plain values), so that linking it within that
 * window needs no lookup. Returns what it replaced, for a request Attio refuses (`BulkSentMemory.restore`).
 */
function rememberSent(client: AttioClient, record: MergedRecord): Built['previous'][number] | undefined {
  const text = matchingText(record.assertValues[record.matchingAttribute])
  if (text === undefined) return undefined
  const { values, complete } = identityValues(record)
  const key: BulkSentKey = { object: record.object, attribute: record.matchingAttribute, value: text }
  // Without its required values it cannot be asserted again: what an earlier request sent is not the latest.
  const sent = client.bulkSent.remember(key, complete ? { values, receivedAt: record.receivedAt } : undefined)
  return { record: key, sent }
}

function forgetSent(client: AttioClient, record: MergedRecord): void {
  const text = matchingText(record.assertValues[record.matchingAttribute])
  if (text !== undefined) client.bulkSent.forget(record.object, record.matchingAttribute, text)
}

function setWorst(status: Map<string, EventOutcome>, key: string, outcome: EventOutcome): void {
  const current = status.get(key)
  if (!current || (current.ok && !outcome.ok)) status.set(key, outcome)
}

/**
 * The queue: each merged record through the documented single-record calls (referenced records first),
 * a few at a time, under the write limit (a 429 closes the gate until its Retry-After, then the record
 * is tried again). It stops starting records before the time budget runs out; the records it did not
 * start are reported as retryable, so the host sends them again instead of losing them.
 */
async function sendQueued(
  client: AttioClient,
  records: Map<string, MergedRecord>,
  roots: MergedRecord[],
  status: Map<string, EventOutcome>,
  linked: Map<string, true | AttioApiError>,
  report: BatchReport,
  timeBudgetMs: number
): Promise<void> {
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
        if (error instanceof AttioApiError && error.status === 429 && !error.retryAfter) {
          // The write limit left no slot before the deadline: nothing was sent for this write.
          return outOfTime()
        }
        // A 429 was not processed: the limiter now holds every write until Retry-After; try again.
        if (!(error instanceof AttioApiError && error.status === 429 && attempt < 3))
          return errorOutcome(error)
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
