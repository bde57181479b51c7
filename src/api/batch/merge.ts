/**
 * Step 2 of a batch: merging. Records with the same identity (object, matching attribute, matching value)
 * become one, in `received_at` order: later single values win, multiselect values are unioned. Also the
 * way back from a merged record to a single-path one, for the queue.
 */
import { childMap } from '../core/memo'
import { canonical } from '../core/text'
import type { WireItem, WireValues } from '../core/wire-types'
import {
  NO_VALUES,
  NONE,
  recordKey,
  type ExistingReference,
  type PreparedRecord,
  type PreparedReference
} from '../records'
import type { MergedRecord, ReferenceSlot } from './types'

/**
 * Merges `source` into `target`: multi-valued attributes by union, others replaced. `unchanged` names an
 * attribute whose values are known to be the same on both sides (the matching attribute of a record merged
 * into one with its key), which is left as it is.
 */
export function mergeValues(
  target: WireValues,
  source: WireValues,
  multiValued: Set<string>,
  unchanged?: string
): void {
  for (const attribute in source) {
    const items = source[attribute]
    const held: WireItem[] | undefined = target[attribute]
    if (attribute === unchanged && held) continue
    if (multiValued.has(attribute) && held) {
      const seen = new Set(held.map((item) => canonical(item)))
      const added = items.filter((item) => !seen.has(canonical(item)))
      // Nothing new: the list held stays (a copy would be the same list, and the held one garbage).
      if (added.length > 0) target[attribute] = [...held, ...added]
    } else if (!held || !sameItems(held, items)) {
      // Shared, not copied: no value list is changed in place once written (a union makes a new one).
      target[attribute] = items
    }
  }
}

/**
 * Whether two value lists would be written the same (the same JSON text, keys in the same order), told for
 * the common items (plain values, objects of plain values) without writing either; false otherwise. A record
 * most events of a batch repeat then keeps the lists it holds, and each event's equal lists die young, instead
 * of each one replacing the last, which by then the garbage collector has often moved to the old generation.
 */
function sameItems(held: readonly WireItem[], items: readonly WireItem[]): boolean {
  if (held === items) return true
  if (held.length !== items.length) return false
  for (let index = 0; index < held.length; index++) {
    const a = held[index]
    const b = items[index]
    if (a === b) continue
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
    if (Array.isArray(a) || Array.isArray(b) || !sameFlatObject(a, b)) return false
  }
  return true
}

/** Two objects with the same own keys in the same order, each holding the same plain value (or null). */
function sameFlatObject(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let count = 0
  for (const key in a) {
    if (!Object.prototype.hasOwnProperty.call(a, key)) return false
    const value = a[key]
    if (value !== null && typeof value === 'object') return false
    if (value !== b[key] || !Object.prototype.hasOwnProperty.call(b, key)) return false
    count++
  }
  for (const key in b) if (Object.prototype.hasOwnProperty.call(b, key)) count--
  if (count !== 0) return false
  // The same keys: in the same order too (a's listed in a scratch list, then b's compared with them).
  let listed = 0
  for (const key in a) keyOrder[listed++] = key
  let at = 0
  let same = true
  for (const key in b) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) continue
    if (keyOrder[at++] !== key) {
      same = false
      break
    }
  }
  keyOrder.fill(undefined, 0, listed)
  return same
}

/** The scratch list of `sameFlatObject` (synchronous: one serves every call), emptied after each. */
const keyOrder: Array<string | undefined> = []

/** A link an event asked for: the record that links and the existing record it names. */
export interface EventLookup {
  record: MergedRecord
  reference: ExistingReference
}

export interface Merge {
  records: Map<string, MergedRecord>
  /**
   * The same records by object, matching attribute and matching key: how `absorb` finds an event's record
   * without joining its key (a fresh string to hash per record of every event); `record.key` is joined once.
   */
  identities: Map<string, Map<string, Map<string, MergedRecord>>>
  /**
   * The records each event carries (each key once: an event carries a few), by the event's index: a list as
   * long as the batch, not a map grown one event at a time.
   */
  eventRecords: Array<readonly string[] | undefined>
  /** The existing records each event asked to link, by the event's index. */
  eventLookups: Array<EventLookup[] | undefined>
}

/** Merges a prepared record (and those it references) into the batch's records; returns its key. */
export function absorb(merge: Merge, prepared: PreparedRecord, event: number, receivedAt: string): string {
  const { references } = prepared
  // No list (and no closure) for the records that reference nothing; indexed loops below for the same reason.
  const childKeys: string[] = references.length === 0 ? NONE : new Array(references.length)
  for (let index = 0; index < references.length; index++)
    childKeys[index] = absorb(merge, references[index].target, event, receivedAt)
  // The merged records of the object matched on the attribute, by matching key (`Merge.identities`).
  const byKey = childMap(childMap(merge.identities, prepared.object), prepared.matchingAttribute)
  let record = byKey.get(prepared.matchingKey)
  // A record merged into one of the same key has the same matching values (the key is their canonical text).
  // Its own values' size (the records it references count theirs): at most what the events sent of it in all.
  let bytes = prepared.valueBytes
  for (let index = 0; index < references.length; index++) bytes -= references[index].target.valueBytes
  if (!record) {
    // The first event of a record: its values become the record's (the prepared record is the batch's
    // alone and garbage once merged), not copied into new ones.
    record = newMerged(prepared, recordKey(prepared), receivedAt)
    merge.records.set(record.key, record)
    byKey.set(prepared.matchingKey, record)
    record.bytes = bytes
  } else {
    record.bytes += bytes
    // A record merged into one of the same key has the same matching values (the key is their canonical text).
    mergeInto(record, prepared, receivedAt)
  }
  // The merged record's own key: the one just built from this event is garbage once merged.
  merge.eventRecords[event] = carriedWith(record, merge.eventRecords[event])
  mergeReferences(record, prepared, childKeys)
  mergeLookups(merge, record, prepared, event)
  return record.key
}

/**
 * The keys an event carries once it carries `record` too. Shared, never changed: the events of one user carry
 * the same records, so they share one list (the record remembers the last it made, and from which), instead of
 * a list per event kept to the end of the batch. The outcomes step tells events apart by their list.
 */
function carriedWith(record: MergedRecord, carried: readonly string[] | undefined): readonly string[] {
  if (!carried) return (record.alone ??= Object.freeze([record.key]))
  if (carried === record.carriedFrom && record.carriedTo) return record.carriedTo
  // A list of the exact length, not a push: most events carry two records, and a push reserves 17 slots.
  const next = carried.includes(record.key) ? carried : Object.freeze(carried.concat(record.key))
  record.carriedFrom = carried
  record.carriedTo = next
  return next
}

/** A later event's prepared record merged into the record of the same identity. */
function mergeInto(record: MergedRecord, prepared: PreparedRecord, receivedAt: string): void {
  record.multiValued = withAll(record.multiValued, prepared.multiValued)
  record.required = withAll(record.required, prepared.required)
  mergeValues(record.assertValues, prepared.assertValues, record.multiValued, prepared.matchingAttribute)
  if (prepared.appendValues !== NO_VALUES) {
    if (record.appendValues === NO_VALUES) record.appendValues = {}
    mergeValues(record.appendValues, prepared.appendValues, record.multiValued)
  }
  record.replaceMultiselect = record.replaceMultiselect && prepared.replaceMultiselect
  if (receivedAt > record.receivedAt) record.receivedAt = receivedAt
}

/**
 * The multi-valued attributes of a record: those its first event listed and its matching attribute, one set
 * shared by the records whose first events listed the same (never changed in place: `withAll`).
 */
function multiValuedOf(prepared: PreparedRecord): Set<string> {
  const { multiValued, matchingAttribute } = prepared
  // Only the matching attribute (a Person's email addresses): the same set as none, and no name to join.
  const name =
    multiValued.length === 0 || (multiValued.length === 1 && multiValued[0] === matchingAttribute)
      ? matchingAttribute
      : `${matchingAttribute}\u0000${multiValued.join('\u0000')}`
  let set = multiValuedSets.get(name)
  if (!set) {
    if (multiValuedSets.size >= 1000) multiValuedSets.clear()
    set = new Set(multiValued)
    set.add(matchingAttribute)
    multiValuedSets.set(name, set)
  }
  return set
}
const multiValuedSets = new Map<string, Set<string>>()

/** The merged record a prepared one starts, with nothing merged into it yet. */
function newMerged(prepared: PreparedRecord, key: string, receivedAt: string): MergedRecord {
  return {
    key,
    object: prepared.object,
    label: prepared.label,
    matchingAttribute: prepared.matchingAttribute,
    matchingKey: prepared.matchingKey,
    assertValues: prepared.assertValues,
    // Shared until the first event that appends, references or links (most never do): see `NO_VALUES`.
    appendValues: prepared.appendValues,
    multiValued: multiValuedOf(prepared),
    references: NO_SLOTS,
    lookups: NO_SLOTS,
    replaceMultiselect: prepared.replaceMultiselect,
    // Shared by the records of an object, as their events list the same ones (`withAll`).
    required: memberSet(prepared.required, itself),
    // Shared by the records of an object: made once per list of its unique slugs, never changed.
    unique: memberSet(prepared.unique, itself),
    receivedAt,
    bytes: 0
  }
}

/** The records a prepared record references (already merged, by `childKeys`), into the record's slots. */
function mergeReferences(record: MergedRecord, prepared: PreparedRecord, childKeys: string[]): void {
  for (let index = 0; index < prepared.references.length; index++) {
    const reference = prepared.references[index]
    const slot = record.references.get(reference.attribute)
    const childKey = childKeys[index]
    if (slot && reference.multi) {
      const keys = memberSet(slot.keys, itself)
      if (!keys.has(childKey)) {
        slot.keys.push(childKey)
        keys.add(childKey)
      }
    } else if (!slot || !sameSlot(slot, reference, childKey)) {
      if (record.references === NO_SLOTS) record.references = new Map()
      record.references.set(reference.attribute, {
        attribute: reference.attribute,
        append: reference.append,
        multi: reference.multi,
        keys: [childKey]
      })
    }
  }
}

/**
 * Whether a single reference's slot already holds what a later event sets it to (the same record, appended
 * or not alike): then it stays, instead of a new slot and key list per event of the record.
 */
const sameSlot = (slot: ReferenceSlot, reference: PreparedReference, childKey: string) =>
  !slot.multi && slot.append === reference.append && slot.keys.length === 1 && slot.keys[0] === childKey

/** The existing records a prepared record links, into the record's slots and the event's lookups. */
function mergeLookups(merge: Merge, record: MergedRecord, prepared: PreparedRecord, event: number): void {
  for (let index = 0; index < prepared.lookups.length; index++) {
    const lookup = prepared.lookups[index]
    const asked = merge.eventLookups[event]
    if (asked) asked.push({ record, reference: lookup.reference })
    else merge.eventLookups[event] = [{ record, reference: lookup.reference }]
    const slot = record.lookups.get(lookup.attribute)
    if (slot && lookup.multi) {
      const values = memberSet(slot.references, valuesOf)
      if (!values.has(lookup.reference.value)) {
        slot.references.push(lookup.reference)
        values.add(lookup.reference.value)
      }
    } else {
      if (record.lookups === NO_SLOTS) record.lookups = new Map()
      record.lookups.set(lookup.attribute, {
        attribute: lookup.attribute,
        append: lookup.append,
        multi: lookup.multi,
        references: [lookup.reference]
      })
    }
  }
}

/** The slots a record starts with, shared: adding to it would add to every record's, so it refuses. */
class NoSlots extends Map<string, never> {
  override set(): never {
    throw new Error('NO_SLOTS is shared: give the record its own map first')
  }
}
const NO_SLOTS: Map<string, never> = new NoSlots()

/**
 * `set` with `items` too: `set` itself when it holds them all (a record's events list the same required
 * attributes, so their records share one set), else a new set. Never changed in place, as it may be shared.
 */
function withAll(set: Set<string>, items: readonly string[]): Set<string> {
  for (let index = 0; index < items.length; index++)
    if (!set.has(items[index])) return new Set([...set, ...items])
  return set
}

/**
 * The values a list holds, as a set kept beside it (made from `initial(list)` the first time): a slot's linked
 * keys or values, so a Workspace linking thousands of users checks each one in constant time (only `absorb`
 * adds to those lists, and to their sets with them), and an object's unique and required slugs, which never
 * change.
 */
const members = new WeakMap<object, Set<string>>()

// What `memberSet` starts a set from, made once (not a closure per record of every event).
const itself = (list: readonly string[]) => list
const valuesOf = (list: readonly ExistingReference[]) => list.map((reference) => reference.value)

function memberSet<L extends object>(list: L, initial: (list: L) => readonly string[]): Set<string> {
  let set = members.get(list)
  if (!set) {
    set = new Set(initial(list))
    members.set(list, set)
  }
  return set
}

/** Records that are referenced by no other record in their final merged form: each one is an assertion. */
export function rootsOf(records: Map<string, MergedRecord>): MergedRecord[] {
  const referenced = new Set<string>()
  for (const record of records.values()) {
    if (record.references.size === 0) continue
    for (const slot of record.references.values()) for (const key of slot.keys) referenced.add(key)
  }
  const roots: MergedRecord[] = []
  for (const record of records.values()) if (!referenced.has(record.key)) roots.push(record)
  return roots
}

/**
 * All the records an assertion for `root` carries (itself and the records nested in it), added to `into`
 * depth first (one list for the whole tree, not one per nested record).
 */
export function carried(
  records: Map<string, MergedRecord>,
  root: MergedRecord,
  into: MergedRecord[] = []
): MergedRecord[] {
  into.push(root)
  // A Map's iterator is an object: none for the records that reference nothing (most).
  if (root.references.size === 0) return into
  for (const slot of root.references.values()) {
    for (const key of slot.keys) carried(records, records.get(key) as MergedRecord, into)
  }
  return into
}

/**
 * A time `toISOString` writes unchanged, kept as it is without parsing: any month, days 1 to 28 (later days
 * may roll over into the next month when parsed, so they take the long way), hours 0 to 23.
 */
const ISO_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/

export function normaliseReceivedAt(value: string | undefined): string | undefined {
  if (!value) return undefined
  if (ISO_UTC.test(value)) return value
  const time = Date.parse(value)
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined
}

/** A merged record as a single-path record again, for the queue. */
export function toPrepared(records: Map<string, MergedRecord>, record: MergedRecord): PreparedRecord {
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
    valueBytes: 0,
    largestBytes: 0,
    largestField: undefined
  }
}
