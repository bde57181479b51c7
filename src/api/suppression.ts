/**
 * Redundant-write suppression: the only real speed-up under Attio's 25 writes a second is a write not
 * sent. For each record written successfully, the client remembers (per credential hash and per record id,
 * bounded by bytes, with a time to live) digests of the values it wrote, and which unique values lead to
 * the record. A later write whose values are all covered by that memory is not sent. The memory never makes
 * Attio wrong:
 *
 * - **By record, not by matching value.** Values are kept per record id. A unique value (a domain, an
 *   email, a user id) leads to a record only once Attio named that record for it: the answer to a write
 *   through it, or the record's unique values in any answer (a Company with two domains is one record).
 * - **Overlapping writes.** A write that overlapped another write that may concern the same record (one of
 *   them shares a unique value with it, or Attio answered the same record id) remembers nothing and makes
 *   the record forgotten, whichever answer arrived last; no write is skipped while such a write is in flight.
 * - **Deleted or merged records.** A record id Attio confirmed more than `CONFIRM_MS` ago is confirmed again
 *   (one read) before a write is skipped or a link uses it; a record Attio no longer has (404, or another id
 *   in the answer) is forgotten. A failed write forgets the records it relied on.
 * - **The batch path.** Bulk requests are answered without ids and applied later: every record a bulk
 *   request carries is forgotten (through every unique value it carries), and its unique values stay
 *   "unsettled" for `BULK_UNSETTLED_MS`, in which no write of them is remembered.
 * - **Bytes.** Values are kept as digests (sha-256 of their canonical text, 128 bits), never as values.
 *
 * The trade: an edit made by hand in Attio is not overwritten by an identical event inside the time to
 * live, because the destination believes Attio still holds what it last wrote.
 */
import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { canonical, jsonByteLength } from './core/text'
import type { Identity, WireValues } from './core/wire-types'

export type { Identity } from './core/wire-types'

export const MEMORY_TTL_MS = 10 * 60 * 1000
export const MEMORY_MAX_RECORDS = 50_000
/** What the remembered records may take in all (estimated bytes of their digests and keys). */
export const MEMORY_MAX_BYTES = 32 * 1024 * 1024
/**
 * How long a record id Attio confirmed (by answering a write, a lookup or a read of it) is trusted without
 * asking again. After that, skipping a write or linking the record costs one read first.
 */
export const CONFIRM_MS = 30 * 1000
/** How long after a bulk request the records it carries count as unsettled (Attio may still apply it). */
export const BULK_UNSETTLED_MS = 60 * 1000
/**
 * How long after a bulk request Attio may not have applied it yet (it usually does within seconds). Within
 * it, a User this process sent in bulk and has not seen in Attio since counts as "not applied yet": a batch
 * links it by asserting it again, a single event answers a retryable 503. After it, such a User missing from
 * Attio is missing (deleted, or dropped by Attio), never created again by a link.
 */
export const BULK_APPLY_WINDOW_MS = 10 * 1000
/** What users sent in bulk may take in all, and at most one of them (larger ones are looked up instead). */
export const BULK_SENT_MAX_BYTES = 16 * 1024 * 1024
export const BULK_SENT_MAX_ENTRY_BYTES = 16 * 1024

/**
 * A short digest of a text: 128 bits of its sha-256, in base64url (22 characters). The same keys are digested
 * again and again (every record of every batch), so the last `DIGESTS_MAX` answers are kept.
 */
export function digest(text: string): string {
  if (text.length > DIGEST_KEPT_LENGTH)
    return createHash('sha256').update(text).digest('base64url').slice(0, 22)
  let answer = digests.get(text)
  if (answer === undefined) {
    answer = createHash('sha256').update(text).digest('base64url').slice(0, 22)
    if (digests.size >= DIGESTS_MAX) digests.clear()
    digests.set(text, answer)
  }
  return answer
}

const DIGESTS_MAX = 20_000

/**
 * The digest of a unique value's key in a workspace: `digest` of the workspace key, object, attribute and
 * text joined by NULs. Remembered per workspace by the shorter text after the workspace key, which is the
 * same for every key of a tenant and would otherwise be hashed into every lookup.
 */
export function keyDigest(workspaceKey: string, object: string, attribute: string, text: string): string {
  let tenant = keyDigests.get(workspaceKey)
  if (!tenant) {
    if (keyDigests.size >= 100) keyDigests.clear()
    tenant = new Map()
    keyDigests.set(workspaceKey, tenant)
  }
  const rest = `${object}\u0000${attribute}\u0000${text}`
  let answer = tenant.get(rest)
  if (answer === undefined) {
    answer = createHash('sha256').update(`${workspaceKey}\u0000${rest}`).digest('base64url').slice(0, 22)
    if (tenant.size >= DIGESTS_MAX) tenant.clear()
    tenant.set(rest, answer)
  }
  return answer
}

const keyDigests = new Map<string, Map<string, string>>()
const DIGEST_KEPT_LENGTH = 512
/** Only short texts (keys, small values) are kept: a long value is digested each time. */
const digests = new Map<string, string>()

/** Properties that carry the unique value of an item, written (`{domain}`) or answered by Attio. */
const IDENTITY_PROPERTIES = ['domain', 'email_address', 'value', 'phone_number'] as const

/**
 * The text a unique value is matched by, from a wire item (`{"domain":"acme.com"}`, `"u-1"`) or from a value
 * of Attio's answer (`{"domain":"acme.com","root_domain":…}`). Domains and emails compare case-insensitively.
 */
export function identityText(item: unknown): string | undefined {
  if (typeof item === 'string') return item
  if (typeof item === 'number') return String(item)
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined
  const record = item as Record<string, unknown>
  for (const property of IDENTITY_PROPERTIES) {
    const value = record[property]
    if (typeof value === 'string')
      return property === 'domain' || property === 'email_address' ? value.toLowerCase() : value
    if (typeof value === 'number') return String(value)
  }
  return undefined
}

/** The identities of `attributes` among `values` (wire values, or the values of Attio's answer). */
export function identitiesIn(
  object: string,
  attributes: Iterable<string>,
  ...sources: Array<Record<string, unknown> | undefined>
): Identity[] {
  const found: Identity[] = []
  for (const attribute of attributes) {
    for (const source of sources) {
      const items = source?.[attribute]
      if (!Array.isArray(items)) continue
      for (const item of items) {
        const text = identityText(item)
        if (text !== undefined) found.push({ object, attribute, text })
      }
    }
  }
  return found
}

interface Known {
  object: string
  /** Per attribute, digests of the canonical text of each value item Attio holds from our writes. */
  values: Map<string, Set<string>>
  /** When Attio last named this record (epoch ms). */
  confirmedAt: number
  /** Keys (in `index`) of the unique values known to lead to this record. */
  identities: Set<string>
}

/** An estimate of what a remembered record takes in memory, for the byte bound. */
function sizeOf(known: Known): number {
  let size = 120 + known.object.length * 2 + known.identities.size * 70
  for (const [attribute, digests] of known.values) size += 60 + attribute.length * 2 + digests.size * 70
  return size
}

/** A pending or finished write, to tell which writes overlapped. */
export interface Write {
  start: number
  end?: number
  /** Keys of the unique values it carried (and, once answered, those of the record Attio answered). */
  identities: Set<string>
  recordId?: string
  /** The object written (fleet mode tells other processes of it). */
  object?: string
}

function createStores(max: number, ttl: number, maxBytes: number) {
  return {
    records: new LRUCache<string, Known>({ max, ttl, maxSize: maxBytes, sizeCalculation: sizeOf }),
    index: new LRUCache<string, string>({ max: max * 4, ttl }),
    unsettled: new LRUCache<string, true>({ max: max * 4, ttl: BULK_UNSETTLED_MS }),
    bulkSent: new LRUCache<string, BulkSent>({
      max,
      ttl,
      maxSize: BULK_SENT_MAX_BYTES,
      sizeCalculation: (entry) => 100 + (entry.bytes ?? 0)
    }),
    writes: new Map<string, Write[]>()
  }
}

let limits = { confirmMs: CONFIRM_MS }
let stores = createStores(MEMORY_MAX_RECORDS, MEMORY_TTL_MS, MEMORY_MAX_BYTES)
let sequence = 0

/**
 * Forgets everything; with limits, also changes the bound, the time to live and how long a confirmation is
 * trusted (tests, benchmarks, the soak).
 */
export function clearWriteMemory(options?: {
  max?: number
  ttlMs?: number
  maxBytes?: number
  confirmMs?: number
}): void {
  stores = createStores(
    options?.max ?? MEMORY_MAX_RECORDS,
    options?.ttlMs ?? MEMORY_TTL_MS,
    options?.maxBytes ?? MEMORY_MAX_BYTES
  )
  limits = { confirmMs: options?.confirmMs ?? CONFIRM_MS }
}

/** How many records are remembered (tests of the bound). */
export function writeMemorySize(): number {
  return stores.records.size
}

/** What the remembered records take, as estimated for the byte bound. */
export function writeMemoryBytes(): number {
  return stores.records.calculatedSize
}

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
    write.end = ++sequence
    write.recordId = recordId
    for (const identity of answered) write.identities.add(this.memory.keyOf(identity))
    this.memory.indexRecord(recordId, this.write.identities, answered[0]?.object)
    const overlapped = this.list.some((other) => other !== write && overlaps(other, write))
    const unsettled = [...write.identities].some((key) => stores.unsettled.has(key))
    if (overlapped || unsettled) this.memory.forgetValues(recordId)
    else this.memory.rememberValues(recordId, written)
    this.memory.changed(write, false)
    this.done()
  }

  /** Nothing was sent after all (every value was already held): the write leaves no trace. */
  cancel(): void {
    const index = this.list.indexOf(this.write)
    if (index >= 0) this.list.splice(index, 1)
  }

  /** After a failure: what Attio holds is uncertain, so every record this write may concern is forgotten. */
  failed(): void {
    this.write.end = ++sequence
    for (const key of this.write.identities) {
      const recordId = stores.index.get(key)
      if (recordId) this.memory.forgetValues(recordId)
    }
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
  constructor(private readonly workspaceKey: string) {}

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
    let list = stores.writes.get(key)
    if (!list) {
      list = []
      stores.writes.set(key, list)
    }
    return list
  }

  /** Registers a write of a record that carries these unique values, before it is sent. */
  begin(object: string, identities: readonly Identity[]): WriteInProgress {
    const list = this.writesOf(object)
    const write: Write = {
      start: ++sequence,
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
    const ids = new Set(matching.map((identity) => stores.index.get(this.keyOf(identity))))
    if (ids.size !== 1) return undefined
    const [recordId] = ids
    if (recordId === undefined) return undefined
    for (const identity of others) {
      const other = stores.index.get(this.keyOf(identity))
      if (other !== undefined && other !== recordId) return undefined
    }
    const keys = new Set([...matching, ...others].map((identity) => this.keyOf(identity)))
    const known = stores.records.get(this.recordKey(recordId))
    for (const key of known?.identities ?? []) keys.add(key)
    if ([...keys].some((key) => stores.unsettled.has(key))) return undefined
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
    const known = stores.records.get(this.recordKey(recordId))
    if (!known || known.values.size === 0) return false
    return Object.entries(values).every(([attribute, items]) =>
      holds(known.values.get(attribute), items, attribute !== matchingAttribute)
    )
  }

  /** Whether an append update of these values would add nothing. */
  coversAppend(recordId: string, values: WireValues): boolean {
    const known = stores.records.get(this.recordKey(recordId))
    if (!known || known.values.size === 0) return false
    return Object.entries(values).every(([attribute, items]) =>
      holds(known.values.get(attribute), items, false)
    )
  }

  /** Whether Attio named the record recently enough (`CONFIRM_MS`) to rely on its id without asking. */
  isConfirmed(recordId: string): boolean {
    const known = stores.records.get(this.recordKey(recordId))
    return known !== undefined && Date.now() - known.confirmedAt <= limits.confirmMs
  }

  /** Attio just named the record (a read of it). */
  confirm(recordId: string): void {
    const known = stores.records.get(this.recordKey(recordId))
    if (known) known.confirmedAt = Date.now()
  }

  /** Attio named the record for these unique values: they lead to it, and it is confirmed now. */
  indexRecord(recordId: string, keys: Iterable<string>, object?: string): void {
    const key = this.recordKey(recordId)
    const known = stores.records.get(key) ?? {
      object: object ?? '',
      values: new Map<string, Set<string>>(),
      confirmedAt: 0,
      identities: new Set<string>()
    }
    known.confirmedAt = Date.now()
    for (const identity of keys) {
      const previous = stores.index.get(identity)
      if (previous !== undefined && previous !== recordId) this.forgetRecord(previous)
      stores.index.set(identity, recordId)
      known.identities.add(identity)
    }
    // A confirmation does not make remembered values live longer: only a write does (rememberValues).
    stores.records.set(key, known, { noUpdateTTL: true })
  }

  rememberValues(
    recordId: string,
    written: { assert?: WireValues; append?: WireValues; matchingAttribute: string }
  ): void {
    const key = this.recordKey(recordId)
    const known = stores.records.get(key)
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
    stores.records.set(key, known)
  }

  /** What Attio holds of the record is uncertain: its values are forgotten (its id and unique values stay). */
  forgetValues(recordId: string): void {
    const key = this.recordKey(recordId)
    const known = stores.records.get(key)
    if (!known || known.values.size === 0) return
    known.values = new Map()
    stores.records.set(key, known, { noUpdateTTL: true })
  }

  /** The record may no longer exist (deleted, merged): everything about it is forgotten. */
  forgetRecord(recordId: string): void {
    const key = this.recordKey(recordId)
    const known = stores.records.get(key)
    stores.records.delete(key)
    for (const identity of known?.identities ?? []) {
      if (stores.index.get(identity) === recordId) stores.index.delete(identity)
    }
  }

  /**
   * Attio deleted the record (or has none for these unique values): the record and every unique value
   * known to lead to it are forgotten, and so are the given values, whichever record they led to.
   */
  forgetDeleted(recordId: string | undefined, identities: readonly Identity[]): void {
    for (const identity of identities) {
      const key = this.keyOf(identity)
      const led = stores.index.get(key)
      if (led !== undefined) this.forgetRecord(led)
      stores.index.delete(key)
    }
    if (recordId !== undefined) this.forgetRecord(recordId)
  }

  /** The id of the record a unique value leads to, when Attio confirmed it within `CONFIRM_MS`. */
  lookup(identity: Identity): string | undefined {
    const recordId = stores.index.get(this.keyOf(identity))
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
    const keys = new Set<string>()
    for (const identity of identities) {
      const key = this.keyOf(identity)
      keys.add(key)
      const recordId = stores.index.get(key)
      if (recordId) this.forgetValues(recordId)
      stores.unsettled.set(key, true)
    }
    const object = identities[0]?.object
    if (object !== undefined) this.changed({ object, identities: keys }, true)
  }
}

/**
 * Fleet mode (src/api/state): another process wrote a record, or sent unique values in bulk. Its keys are
 * digests that include the workspace key, so a change can only concern its own tenant; and a change only
 * ever makes this process forget, never remember, so no change (even a forged one) can make Attio wrong.
 */
export interface MemoryChange {
  workspaceKey: string
  object: string
  recordId?: string
  keys: string[]
  /** A bulk request carried the values: unsettled here too (`BULK_UNSETTLED_MS`). */
  unsettled: boolean
}

/** Where this process's changes are told (set by src/api/state in fleet mode; absent otherwise). */
export const memoryChanges: { publish?: (change: MemoryChange) => void } = {}

/**
 * What another process changed is forgotten here: the values of the records it wrote or carried, and a write
 * of this process in flight for them meanwhile counts as overlapped (it remembers nothing).
 */
export function forgetChanged(change: MemoryChange): void {
  const memory = new WriteMemory(change.workspaceKey)
  if (change.recordId !== undefined) memory.forgetValues(change.recordId)
  for (const key of change.keys) {
    const recordId = stores.index.get(key)
    if (recordId !== undefined) memory.forgetValues(recordId)
    if (change.unsettled) stores.unsettled.set(key, true)
  }
  const list = stores.writes.get(`${change.workspaceKey}\u0000${change.object}`)
  if (list?.some((write) => write.end === undefined)) {
    const start = ++sequence
    list.push({
      start,
      end: ++sequence,
      identities: new Set(change.keys),
      ...(change.recordId !== undefined ? { recordId: change.recordId } : {})
    })
  }
}

/**
 * Everything remembered of records is forgotten, the bounds kept (fleet mode, when this process may have
 * missed other processes' changes: Redis went away, or came back).
 */
export function forgetAllRecords(): void {
  stores.records.clear()
  stores.index.clear()
}

/** Which record a bulk-sent entry is about: its object and matching attribute and value. */
export interface BulkSentKey {
  object: string
  attribute: string
  value: string
}

/** A record this process sent through the bulk endpoint: what it takes to assert it again. */
export interface BulkSent {
  /** The matching attribute's and every required attribute's values, as last sent (absent once superseded). */
  values?: WireValues
  /** The `received_at` they were sent with. */
  receivedAt?: string
  /** When they were sent (epoch ms). */
  sentAt?: number
  /** Their size, for the byte bound. */
  bytes?: number
  /**
   * This process has seen the record in Attio (a lookup found it, a single write was answered with it), before or
   * after it sent it: a later miss means it was deleted, never that Attio has not applied it yet.
   */
  seen?: true
}

/**
 * Records this process sent through the bulk endpoint, which answers 202 without ids: what it takes to
 * assert each again, and whether it was ever seen in Attio. Kept whatever `suppress_unchanged_writes` says:
 * it skips no write, it lets a batch link a record Attio has not applied yet by asserting it again.
 *
 * How "not applied yet" is told from "deleted": a record counts as not applied yet only within
 * `BULK_APPLY_WINDOW_MS` of the bulk request that sent it, and only if this process has never seen it in
 * Attio (a record it has seen existed, so missing means deleted). Outside that, a missing record is missing.
 */
export class BulkSentMemory {
  constructor(private readonly workspaceKey: string) {}

  private key(object: string, attribute: string, value: string): string {
    return keyDigest(this.workspaceKey, object, attribute, value)
  }

  /**
   * What a bulk request of this process last sent for the record whose unique `attribute` is `value`, while
   * Attio may not have applied it yet: sent within `BULK_APPLY_WINDOW_MS`, never seen in Attio.
   */
  get(object: string, attribute: string, value: string): BulkSent | undefined {
    const sent = stores.bulkSent.get(this.key(object, attribute, value))
    return sent?.values && this.pendingEntry(sent) ? sent : undefined
  }

  /** Whether the record was sent in bulk within `BULK_APPLY_WINDOW_MS` and never seen in Attio. */
  pending(object: string, attribute: string, value: string): boolean {
    const sent = stores.bulkSent.get(this.key(object, attribute, value))
    return sent !== undefined && this.pendingEntry(sent)
  }

  private pendingEntry(sent: BulkSent): boolean {
    return !sent.seen && sent.sentAt !== undefined && Date.now() - sent.sentAt < BULK_APPLY_WINDOW_MS
  }

  /**
   * As a bulk request carrying the record goes out: it is pending from now, with the values to assert it again
   * when given (and not too big for the bound). Returns the entry it set and the one it replaced.
   */
  remember(
    record: BulkSentKey,
    sent: { values: WireValues; receivedAt: string } | undefined
  ): { entry: BulkSent; previous: BulkSent | undefined } {
    const key = this.key(record.object, record.attribute, record.value)
    const previous = stores.bulkSent.get(key)
    const bytes = sent ? jsonByteLength(sent.values) * 2 : 0
    const entry: BulkSent = {
      sentAt: Date.now(),
      ...(previous?.seen ? { seen: true } : {}),
      ...(sent && bytes <= BULK_SENT_MAX_ENTRY_BYTES
        ? { values: sent.values, receivedAt: sent.receivedAt, bytes }
        : {})
    }
    stores.bulkSent.set(key, entry)
    bulkChanges.publish?.({ key, sentAt: entry.sentAt as number })
    return { entry, previous }
  }

  /**
   * A bulk request Attio refused (applied none of it): the entry it replaced stands again, unless a later
   * request or a sighting has changed the entry since.
   */
  restore(record: BulkSentKey, sent: { entry: BulkSent; previous: BulkSent | undefined }): void {
    const key = this.key(record.object, record.attribute, record.value)
    if (stores.bulkSent.get(key) !== sent.entry) return
    if (sent.previous) stores.bulkSent.set(key, sent.previous)
    else stores.bulkSent.delete(key)
  }

  /**
   * After any other write of the record (one by one, or a bulk request that failed): what Attio holds may
   * differ from what was sent in bulk, so asserting it again could undo the newer write. Linking it then
   * looks it up.
   */
  forget(object: string, attribute: string, value: string): void {
    const key = this.key(object, attribute, value)
    const sent = stores.bulkSent.get(key)
    if (sent?.values) stores.bulkSent.set(key, { sentAt: sent.sentAt, ...(sent.seen ? { seen: true } : {}) })
  }

  /** The record was seen in Attio: from now on, missing means deleted. */
  seen(object: string, attribute: string, value: string): void {
    const key = this.key(object, attribute, value)
    const sent = stores.bulkSent.get(key)
    stores.bulkSent.set(key, { ...(sent?.sentAt !== undefined ? { sentAt: sent.sentAt } : {}), seen: true })
    if (!sent?.seen) bulkChanges.publish?.({ key, seen: true })
  }
}

/**
 * Fleet mode: another process sent a record in bulk (`sentAt`) or saw it in Attio (`seen`). `key` is the
 * bulk-sent memory's digest (it includes the workspace key); no value travels.
 */
export interface BulkChange {
  key: string
  sentAt?: number
  seen?: true
}

/** Where this process's bulk sends and sightings are told (set by src/api/state in fleet mode). */
export const bulkChanges: { publish?: (change: BulkChange) => void } = {}

/**
 * What another process did with a record in bulk: sent in bulk elsewhere, it is pending here too (a link to
 * it that misses is retryable, never a final 404), and what this process last sent of it is no longer
 * asserted again (the other request may be newer); seen elsewhere, missing means deleted here too.
 */
export function rememberBulkChange(change: BulkChange): void {
  const sent = stores.bulkSent.get(change.key)
  if (change.seen) {
    stores.bulkSent.set(change.key, {
      ...(sent?.sentAt !== undefined ? { sentAt: sent.sentAt } : {}),
      seen: true
    })
    return
  }
  if (change.sentAt === undefined) return
  const sentAt = Math.min(Date.now(), Math.max(change.sentAt, sent?.sentAt ?? 0))
  stores.bulkSent.set(change.key, { sentAt, ...(sent?.seen ? { seen: true } : {}) })
}
