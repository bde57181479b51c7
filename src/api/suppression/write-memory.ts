/**
 * The write memory: what one workspace's writes have left in Attio, by record id, and the writes in flight
 * (`WriteMemory`, `WriteInProgress`). Whether a write is covered, which record a write would reach, and what a
 * write's answer or failure makes remembered or forgotten.
 */
import { canonical } from '../core/text'
import type { Identity, WireValues } from '../core/wire-types'
import { digest, keyDigest } from './digests'
import { memoryChanges } from './hooks'
import { sharedWrites, type SharedClaim } from './shared'
import { shared, nextSequence, type Write } from './stores'

/** Whether each value is already held: exactly (`exact`) or as a subset (values that only accumulate). */
function holds(stored: Set<string> | undefined, items: readonly unknown[], exact: boolean): boolean {
  if (!stored) return false
  const digests = new Set(items.map((item) => digest(canonical(item))))
  if (exact && digests.size !== stored.size) return false
  for (const item of digests) if (!stored.has(item)) return false
  return true
}

/** One write of a record in progress (`WriteMemory.begin`): says how it ended. */
export class WriteInProgress {
  /** Fleet mode: the keys this write claimed in Redis, or `unasked` (sent without asking: Redis was down). */
  shared?: SharedClaim | 'unasked'

  constructor(
    private readonly memory: WriteMemory,
    private readonly list: Write[],
    /** The write's entry among its object's writes. */
    readonly write: Write
  ) {}

  /**
   * After Attio answered: the record's id, the unique values its answer holds, and what was written (an assert's
   * values, then the append's). Remembered unless another write may have concerned the record meanwhile.
   */
  succeeded(
    recordId: string,
    answered: readonly Identity[],
    written: { assert?: WireValues; append?: WireValues; matchingAttribute: string }
  ): void {
    const write = this.write
    write.end = nextSequence()
    write.recordId = recordId
    for (const identity of answered) write.identities.add(this.memory.keyOf(identity))
    this.memory.indexRecord(recordId, this.write.identities, answered[0]?.object)
    const overlapped = this.list.some((other) => other !== write && overlaps(other, write))
    const unsettled = [...write.identities].some((key) => shared.stores.unsettled.has(key))
    if (overlapped || unsettled) {
      this.memory.forgetValues(recordId)
      this.forgetShared()
    } else {
      this.memory.rememberValues(recordId, written)
      const claim = this.shared
      if (claim === 'unasked') sharedWrites.memory?.unclaimed()
      else if (claim) {
        const others = [...write.identities].filter((key) => !claim.keys.includes(key))
        sharedWrites.memory?.commit(claim, recordId, others)
      }
    }
    this.memory.changed(write, false)
    this.done()
  }

  /** Nothing was sent after all (every value was already held): the write leaves no trace. */
  cancel(): void {
    const index = this.list.indexOf(this.write)
    if (index >= 0) this.list.splice(index, 1)
    this.forgetShared()
  }

  /** Fleet mode: what the write claimed in Redis is deleted (or, sent unasked, the epoch moves on). */
  private forgetShared(): void {
    if (this.shared === 'unasked') sharedWrites.memory?.unclaimed()
    else if (this.shared) sharedWrites.memory?.forget(this.shared.workspaceKey, [...this.write.identities])
  }

  /** After a failure: what Attio holds is uncertain, so every record this write may concern is forgotten. */
  failed(): void {
    this.write.end = nextSequence()
    for (const key of this.write.identities) {
      const recordId = shared.stores.index.get(key)
      if (recordId) this.memory.forgetValues(recordId)
    }
    this.forgetShared()
    this.memory.changed(this.write, false)
    this.done()
  }

  private done(): void {
    const pending = this.list.filter((write) => write.end === undefined)
    if (pending.length === 0) {
      this.list.length = 0
      return
    }
    // A finished write matters only to writes that were pending while it was: keep those.
    const oldest = Math.min(...pending.map((write) => write.start))
    const keep = this.list.filter((write) => write.end === undefined || write.end > oldest)
    this.list.splice(0, this.list.length, ...keep)
  }
}

/** Whether two writes were in flight at the same time and may concern the same record. */
function overlaps(a: Write, b: Write): boolean {
  const concurrent = a.start < (b.end ?? Infinity) && b.start < (a.end ?? Infinity)
  if (!concurrent) return false
  if (a.recordId !== undefined && a.recordId === b.recordId) return true
  for (const key of a.identities) if (b.identities.has(key)) return true
  return false
}

/** What one workspace's writes have left in Attio, as far as this process knows. */
export class WriteMemory {
  constructor(readonly workspaceKey: string) {}

  /** A write of this process ended (or a bulk request carried these values): fleet mode tells the others. */
  changed(write: Pick<Write, 'object' | 'recordId' | 'identities'>, unsettled: boolean): void {
    if (!memoryChanges.publish || write.object === undefined) return
    memoryChanges.publish({
      workspaceKey: this.workspaceKey,
      object: write.object,
      ...(write.recordId !== undefined ? { recordId: write.recordId } : {}),
      keys: [...write.identities],
      unsettled
    })
  }

  /** The index key of a unique value in this workspace. */
  keyOf(identity: Identity): string {
    return keyDigest(this.workspaceKey, identity.object, identity.attribute, identity.text)
  }

  private recordKey(recordId: string): string {
    return `${this.workspaceKey}\u0000${recordId}`
  }

  private writesOf(object: string): Write[] {
    const key = `${this.workspaceKey}\u0000${object}`
    let list = shared.stores.writes.get(key)
    if (!list) {
      list = []
      shared.stores.writes.set(key, list)
    }
    return list
  }

  /** Registers a write of a record that carries these unique values, before it is sent. */
  begin(object: string, identities: readonly Identity[]): WriteInProgress {
    const list = this.writesOf(object)
    const write: Write = {
      start: nextSequence(),
      identities: new Set(identities.map((i) => this.keyOf(i))),
      object
    }
    list.push(write)
    return new WriteInProgress(this, list, write)
  }

  /**
   * The record a write matching on `matching` (carrying the other unique values `others`) would reach, when
   * this process knows it: every matching value leads to it, no other unique value leads elsewhere, and no
   * other write that may concern it is in flight.
   */
  recordOf(
    matching: readonly Identity[],
    others: readonly Identity[],
    current?: WriteInProgress
  ): string | undefined {
    if (matching.length === 0) return undefined
    const ids = new Set(matching.map((identity) => shared.stores.index.get(this.keyOf(identity))))
    if (ids.size !== 1) return undefined
    const [recordId] = ids
    if (recordId === undefined) return undefined
    for (const identity of others) {
      const other = shared.stores.index.get(this.keyOf(identity))
      if (other !== undefined && other !== recordId) return undefined
    }
    const keys = new Set([...matching, ...others].map((identity) => this.keyOf(identity)))
    const known = shared.stores.records.get(this.recordKey(recordId))
    for (const key of known?.identities ?? []) keys.add(key)
    if ([...keys].some((key) => shared.stores.unsettled.has(key))) return undefined
    const object = matching[0].object
    const busy = this.writesOf(object).some(
      (write) =>
        write.end === undefined &&
        write !== current?.write &&
        (write.recordId === recordId || [...write.identities].some((key) => keys.has(key)))
    )
    return busy ? undefined : recordId
  }

  /**
   * Whether an assert of these values would change nothing: every single-value attribute equal, the
   * matching attribute's values (which an assert adds to) already held.
   */
  coversAssert(recordId: string, values: WireValues, matchingAttribute: string): boolean {
    const known = shared.stores.records.get(this.recordKey(recordId))
    if (!known || known.values.size === 0) return false
    return Object.entries(values).every(([attribute, items]) =>
      holds(known.values.get(attribute), items, attribute !== matchingAttribute)
    )
  }

  /** Whether an append update of these values would add nothing. */
  coversAppend(recordId: string, values: WireValues): boolean {
    const known = shared.stores.records.get(this.recordKey(recordId))
    if (!known || known.values.size === 0) return false
    return Object.entries(values).every(([attribute, items]) =>
      holds(known.values.get(attribute), items, false)
    )
  }

  /** Whether Attio named the record recently enough (`CONFIRM_MS`) to rely on its id without asking. */
  isConfirmed(recordId: string): boolean {
    const known = shared.stores.records.get(this.recordKey(recordId))
    return known !== undefined && Date.now() - known.confirmedAt <= shared.limits.confirmMs
  }

  /** Attio just named the record (a read of it). */
  confirm(recordId: string): void {
    const known = shared.stores.records.get(this.recordKey(recordId))
    if (known) known.confirmedAt = Date.now()
  }

  /** Attio named the record for these unique values: they lead to it, and it is confirmed now. */
  indexRecord(recordId: string, keys: Iterable<string>, object?: string): void {
    const key = this.recordKey(recordId)
    const known = shared.stores.records.get(key) ?? {
      object: object ?? '',
      values: new Map<string, Set<string>>(),
      confirmedAt: 0,
      identities: new Set<string>()
    }
    known.confirmedAt = Date.now()
    for (const identity of keys) {
      const previous = shared.stores.index.get(identity)
      if (previous !== undefined && previous !== recordId) this.forgetRecord(previous)
      shared.stores.index.set(identity, recordId)
      known.identities.add(identity)
    }
    // A confirmation does not make remembered values live longer: only a write does (rememberValues).
    shared.stores.records.set(key, known, { noUpdateTTL: true })
  }

  rememberValues(
    recordId: string,
    written: { assert?: WireValues; append?: WireValues; matchingAttribute: string }
  ): void {
    const key = this.recordKey(recordId)
    const known = shared.stores.records.get(key)
    if (!known) return
    for (const [attribute, items] of Object.entries(written.assert ?? {})) {
      const digests = items.map((item) => digest(canonical(item)))
      if (attribute === written.matchingAttribute) {
        const held = known.values.get(attribute) ?? new Set<string>()
        digests.forEach((item) => held.add(item))
        known.values.set(attribute, held)
      } else {
        known.values.set(attribute, new Set(digests))
      }
    }
    for (const [attribute, items] of Object.entries(written.append ?? {})) {
      const held = known.values.get(attribute) ?? new Set<string>()
      items.forEach((item) => held.add(digest(canonical(item))))
      known.values.set(attribute, held)
    }
    // Set again so the byte bound counts what it holds now.
    shared.stores.records.set(key, known)
  }

  /** What Attio holds of the record is uncertain: its values are forgotten (its id and unique values stay). */
  forgetValues(recordId: string): void {
    const key = this.recordKey(recordId)
    const known = shared.stores.records.get(key)
    if (!known || known.values.size === 0) return
    known.values = new Map()
    shared.stores.records.set(key, known, { noUpdateTTL: true })
  }

  /** The record may no longer exist (deleted, merged): everything about it is forgotten. */
  forgetRecord(recordId: string): void {
    const key = this.recordKey(recordId)
    const known = shared.stores.records.get(key)
    shared.stores.records.delete(key)
    for (const identity of known?.identities ?? []) {
      if (shared.stores.index.get(identity) === recordId) shared.stores.index.delete(identity)
    }
    if (known) sharedWrites.memory?.forget(this.workspaceKey, [...known.identities])
  }

  /**
   * Attio deleted the record (or has none for these unique values): the record and every unique value
   * known to lead to it are forgotten, and so are the given values, whichever record they led to.
   */
  forgetDeleted(recordId: string | undefined, identities: readonly Identity[]): void {
    for (const identity of identities) {
      const key = this.keyOf(identity)
      const led = shared.stores.index.get(key)
      if (led !== undefined) this.forgetRecord(led)
      shared.stores.index.delete(key)
    }
    if (recordId !== undefined) this.forgetRecord(recordId)
    sharedWrites.memory?.forget(
      this.workspaceKey,
      identities.map((identity) => this.keyOf(identity))
    )
  }

  /** The id of the record a unique value leads to, when Attio confirmed it within `CONFIRM_MS`. */
  lookup(identity: Identity): string | undefined {
    const recordId = shared.stores.index.get(this.keyOf(identity))
    return recordId !== undefined && this.isConfirmed(recordId) ? recordId : undefined
  }

  /** A lookup found the record for this unique value. */
  rememberLookup(identity: Identity, recordId: string): void {
    this.indexRecord(recordId, [this.keyOf(identity)], identity.object)
  }

  /**
   * A bulk request carries records with these unique values: what is remembered of the records they lead to
   * stops being true once Attio applies it (asynchronously, whatever its answer says), and until it has, no
   * write of them is remembered.
   */
  forgetCarried(identities: readonly Identity[]): void {
    // The keys are told to other processes only (fleet mode): no set per record of every bulk request else.
    const keys = memoryChanges.publish || sharedWrites.memory ? new Set<string>() : undefined
    for (const identity of identities) {
      const key = this.keyOf(identity)
      keys?.add(key)
      const recordId = shared.stores.index.get(key)
      if (recordId) this.forgetValues(recordId)
      shared.stores.unsettled.set(key, true)
    }
    if (!keys) return
    const object = identities[0]?.object
    if (object !== undefined) this.changed({ object, identities: keys }, true)
    sharedWrites.memory?.unsettle(this.workspaceKey, [...keys])
  }
}
