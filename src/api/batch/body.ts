/**
 * Step 4a of a batch: the bulk requests' bodies. The assertion of each record with the records it references
 * nested, the separate link assertions, the split into requests (`chunksOf`) and building one request's body
 * at the moment it is sent (`buildChunk`), remembering what it carries.
 */
import type { AttioClient } from '../client'
import { jsonByteLength } from '../core/text'
import type { WireValues } from '../core/wire-types'
import { AttioApiError } from '../errors'
import { identitiesCarried, isKeyedReference, matchingText, type ExistingReference } from '../records'
import type { BulkSent, BulkSentKey } from '../suppression'
import { recordIdItem } from '../values'
import { bulkSentNow, isReassert, linkKey, lookupKey, type Resolved } from './links'
import { carried, mergeValues } from './merge'
import { MAX_BATCH_SIZE, type BatchRun, type LinkUnit, type MergedRecord } from './types'

/** A re-asserted link's values were forgotten between the chunk's lookups and its request: build it again. */
export class LinksChanged extends Error {}

/** The bulk endpoint's assertion for a record, with the records it references nested (its links apart). */
export function toAssertion(
  records: Map<string, MergedRecord>,
  record: MergedRecord
): Record<string, unknown> {
  const appends = hasAny(record.appendValues)
  // A record that appends and references nothing (most nested ones) sends its asserted values as they are:
  // the copy below would hold the same lists under the same keys, in the same order.
  if (!appends && record.references.size === 0) {
    const append = !record.replaceMultiselect
    return bulkAssertion(
      record.object,
      record.matchingAttribute,
      append,
      record.assertValues,
      record.receivedAt
    )
  }
  const values: Record<string, unknown> = {}
  mergeValues(values as WireValues, record.assertValues, record.multiValued)
  mergeValues(values as WireValues, record.appendValues, record.multiValued)
  for (const slot of record.references.values()) {
    const nested = slot.keys.map((key) => toAssertion(records, records.get(key) as MergedRecord))
    values[slot.attribute] = slot.multi ? nested : nested[0]
  }
  const append = !record.replaceMultiselect || appends
  return bulkAssertion(record.object, record.matchingAttribute, append, values, record.receivedAt)
}

/** Whether an object has an own property (without listing them: every record of every request asks). */
function hasAny(values: object): boolean {
  for (const key in values) if (Object.prototype.hasOwnProperty.call(values, key)) return true
  return false
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
export function identityValues(record: MergedRecord): { values: WireValues; complete: boolean } {
  const values: WireValues = {}
  return { values, complete: addIdentityValues(values, record) }
}

/** `identityValues` into `values` (no object around them: every record of every bulk request asks); `complete`. */
function addIdentityValues(values: WireValues, record: MergedRecord): boolean {
  let complete = addAsserted(values, record, record.matchingAttribute)
  for (const attribute of record.required)
    if (attribute !== record.matchingAttribute && !addAsserted(values, record, attribute)) complete = false
  return complete
}

/** Adds a record's asserted items of `attribute` to `values` (a function, not a closure per record); whether it has any. */
function addAsserted(values: WireValues, record: MergedRecord, attribute: string): boolean {
  const items: WireValues[string] | undefined = record.assertValues[attribute]
  if (items) values[attribute] = items
  return items !== undefined && items.length > 0
}

/**
 * The assertion that links a record to existing records it names (a Workspace's users), apart from the
 * record's own assertion: appended, so no link is removed; with the record's matching and required values,
 * so it stands whichever of the two Attio applies first; and on its own, so a link Attio cannot apply (a
 * user asserted again whose values Attio refuses) costs that link only, never the record. Built right
 * before its request goes out (see `sendBulk`): a re-asserted record carries what this process sent of it
 * last. Records each link's fate in `linked`.
 */
export function linkAssertion(
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

/** Links per link assertion: a Workspace with more users gets several, which may go in several requests. */
export const LINKS_PER_ASSERTION = 1000

/**
 * The most a bulk request's body may take (as JSON, about): records beyond it go in the next request. Attio does
 * not document a request size limit; one event's values are at most `MAX_EVENT_BYTES` (16 MB), so a record
 * merged from many events may alone pass this bound, and then goes alone.
 */
export const MAX_BULK_REQUEST_BYTES = 32 * 1024 * 1024

/**
 * About what a record's assertion takes as JSON, its values and the assertion around them: the sum of what
 * its events sent (known from preparing them), or, when that sum is large (many events merged may repeat
 * the same values), the merged values measured.
 */
export const assertionBytes = (record: MergedRecord) =>
  200 +
  (record.bytes <= MEASURED_ABOVE_BYTES
    ? record.bytes
    : jsonByteLength(record.assertValues) + jsonByteLength(record.appendValues))
const MEASURED_ABOVE_BYTES = 64 * 1024
/** About what a link assertion takes, with each linked user asserted again inside it. */
export const linkBytes = (references: readonly ExistingReference[]) =>
  400 + references.reduce((sum, reference) => sum + 300 + reference.value.length * 3, 0)

/** One bulk request: its records' assertions (with the records nested in them) and link assertions. */
export interface Chunk {
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
export function chunksOf(
  records: Map<string, MergedRecord>,
  roots: MergedRecord[],
  batchSize: number
): Chunk[] {
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
      // A Map's iterator is an object: none for the records that link nothing (most).
      if (record.lookups.size === 0) continue
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
export const recordsOfChunk = (chunk: Chunk) => [...chunk.records, ...chunk.links.map((link) => link.record)]

/** What building a chunk's body counted, and what it replaced in the bulk-sent memory (to restore on a 4xx). */
export interface Built {
  assertions: number
  nested: number
  /** The records remembered, and beside each (same index) the entry set and the one it replaced. */
  remembered: BulkSentKey[]
  previous: Array<{ entry: BulkSent; previous: BulkSent | undefined }>
}

/** A chunk's request body, built synchronously (see `sendBulk`); counts its assertions in `built`. */
export function buildChunk(run: BatchRun, chunk: Chunk, built: Built): Array<Record<string, unknown>> {
  const { client, records, resolved, linked } = run
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
    client.memory?.forgetCarried(identitiesCarried(record, record.assertValues, record.appendValues))
    rememberSent(client, record, built)
  }
  return assertions
}

/**
 * As a bulk request carrying the record goes out: when it was sent (so that, for `BULK_APPLY_WINDOW_MS`, a
 * link that does not find it knows Attio may not have applied it yet) and what it takes to assert the record
 * again (its matching and required values, when all of them are plain values), so that linking it within that
 * window needs no lookup. Returns what it replaced, for a request Attio refuses (`BulkSentMemory.restore`).
 */
export function rememberSent(client: AttioClient, record: MergedRecord, built: Built): void {
  const text = matchingText(record.assertValues[record.matchingAttribute])
  if (text === undefined) return
  const values: WireValues = {}
  const complete = addIdentityValues(values, record)
  const key: BulkSentKey = { object: record.object, attribute: record.matchingAttribute, value: text }
  // Without its required values it cannot be asserted again: what an earlier request sent is not the latest.
  const sent = client.bulkSent.remember(key, complete ? { values, receivedAt: record.receivedAt } : undefined)
  built.remembered.push(key)
  built.previous.push(sent)
}

export function forgetSent(client: AttioClient, record: MergedRecord): void {
  const text = matchingText(record.assertValues[record.matchingAttribute])
  if (text !== undefined) client.bulkSent.forget(record.object, record.matchingAttribute, text)
}

/**
 * Whether a record's values name another record by its key (`{target_object, domains: [...]}`), not by id.
 * Attio's bulk endpoint accepts such an assertion and then drops it when the named record does not exist,
 * with nothing to tell the event (a 202 and a lost record); a documented assert answers the missing record
 * as an error of that event, as the single path does.
 */
export function namesRecordByKey(record: MergedRecord): boolean {
  // The two sets of values in turn, without a list of them (one per record of every batch).
  return namesByKey(record.assertValues) || namesByKey(record.appendValues)
}

function namesByKey(values: WireValues): boolean {
  // Its own attributes as `Object.values` lists them, without the list.
  for (const attribute in values) {
    if (!Object.prototype.hasOwnProperty.call(values, attribute)) continue
    const items = values[attribute]
    for (let index = 0; index < items.length; index++) if (isKeyedReference(items[index])) return true
  }
  return false
}
