/**
 * Redundant-write suppression: the only real speed-up under Attio's 25 writes a second is a write not
 * sent. For each record written successfully, the client remembers (per credential hash and record
 * identity, bounded, with a time to live) the values it wrote and the record's id. A later write whose
 * values are all covered by that memory is not sent. A failed write forgets the record, a changed value
 * sends, an expired entry sends. Existing records found by a lookup (the workspace-user link) are
 * remembered the same way, so a link already made costs neither the lookup nor the update, and so are the
 * ids of records this process asserted one by one, so linking them needs no lookup. (Records sent through
 * the bulk endpoint have no id to remember: `BulkSentMemory` below keeps what it takes to assert them again.)
 *
 * The trade: an edit made by hand in Attio is not overwritten by an identical event inside the time to
 * live, because the destination believes Attio still holds what it last wrote.
 */
import { LRUCache } from 'lru-cache'
import type { WireValues } from './client'
import { canonical } from './records'

export const MEMORY_TTL_MS = 10 * 60 * 1000
export const MEMORY_MAX_RECORDS = 50_000
/**
 * How long a batch asserts a record sent through the bulk endpoint again rather than looking it up: while
 * Attio may not have applied that request yet (it usually does within seconds). After that a lookup finds
 * it. (A single event asserts it only when its lookup found nothing, so it may for the whole time to live.)
 */
export const BULK_SENT_TTL_MS = 60 * 1000

/** A record this process sent through the bulk endpoint: what it takes to assert it again. */
export interface BulkSent {
  /** The matching attribute's and every required attribute's values, as last sent. */
  values: WireValues
  /** The `received_at` they were sent with. */
  receivedAt: string
  /** When they were sent (epoch ms). */
  sentAt: number
}

interface Remembered {
  recordId: string
  /** Per attribute, the canonical text of each value item Attio holds from our writes. */
  values: Map<string, Set<string>>
}

function createStores(max: number, ttl: number) {
  return {
    records: new LRUCache<string, Remembered>({ max, ttl }),
    lookups: new LRUCache<string, string>({ max, ttl }),
    bulkSent: new LRUCache<string, BulkSent>({ max, ttl })
  }
}

let stores = createStores(MEMORY_MAX_RECORDS, MEMORY_TTL_MS)

/** Forgets everything; with limits, also changes the bound and time to live (tests, benchmarks). */
export function clearWriteMemory(limits?: { max?: number; ttlMs?: number }): void {
  stores = createStores(limits?.max ?? MEMORY_MAX_RECORDS, limits?.ttlMs ?? MEMORY_TTL_MS)
}

/** How many records are remembered (tests of the bound). */
export function writeMemorySize(): number {
  return stores.records.size
}

/** Whether each value is already held: exactly (`exact`) or as a subset (values that only accumulate). */
function holds(stored: Set<string> | undefined, items: readonly unknown[], exact: boolean): boolean {
  if (!stored) return false
  const texts = new Set(items.map((item) => canonical(item)))
  if (exact && texts.size !== stored.size) return false
  for (const text of texts) if (!stored.has(text)) return false
  return true
}

/** What one workspace's writes have left in Attio, as far as this process knows. */
export class WriteMemory {
  constructor(private readonly workspaceKey: string) {}

  private key(recordKey: string): string {
    return `${this.workspaceKey}\u0000${recordKey}`
  }

  /** The record's id when it is remembered. */
  recordId(recordKey: string): string | undefined {
    return stores.records.get(this.key(recordKey))?.recordId
  }

  /**
   * Whether an assert of these values would change nothing: every single-value attribute equal, the
   * matching attribute's values (which an assert adds to) already held.
   */
  coversAssert(recordKey: string, values: WireValues, matchingAttribute: string): boolean {
    const entry = stores.records.get(this.key(recordKey))
    if (!entry) return false
    return Object.entries(values).every(([attribute, items]) =>
      holds(entry.values.get(attribute), items, attribute !== matchingAttribute)
    )
  }

  /** Whether an append update of these values would add nothing. */
  coversAppend(recordKey: string, values: WireValues): boolean {
    const entry = stores.records.get(this.key(recordKey))
    if (!entry) return false
    return Object.entries(values).every(([attribute, items]) =>
      holds(entry.values.get(attribute), items, false)
    )
  }

  /** After a successful assert: single values replaced, the matching attribute's values added. */
  rememberAssert(recordKey: string, recordId: string, values: WireValues, matchingAttribute: string): void {
    const key = this.key(recordKey)
    const previous = stores.records.get(key)
    const entry: Remembered =
      previous && previous.recordId === recordId
        ? previous
        : { recordId, values: new Map<string, Set<string>>() }
    for (const [attribute, items] of Object.entries(values)) {
      const texts = items.map((item) => canonical(item))
      if (attribute === matchingAttribute) {
        const held = entry.values.get(attribute) ?? new Set<string>()
        texts.forEach((text) => held.add(text))
        entry.values.set(attribute, held)
      } else {
        entry.values.set(attribute, new Set(texts))
      }
    }
    stores.records.set(key, entry)
  }

  /** After a successful append update: values added. */
  rememberAppend(recordKey: string, recordId: string, values: WireValues): void {
    const key = this.key(recordKey)
    const entry = stores.records.get(key)
    if (!entry || entry.recordId !== recordId) return
    for (const [attribute, items] of Object.entries(values)) {
      const held = entry.values.get(attribute) ?? new Set<string>()
      items.forEach((item) => held.add(canonical(item)))
      entry.values.set(attribute, held)
    }
    stores.records.set(key, entry)
  }

  /** After a failed write: what Attio holds is uncertain, so the next write always sends. */
  forget(recordKey: string): void {
    stores.records.delete(this.key(recordKey))
  }

  /** The id of an existing record found by a unique attribute, when remembered. */
  lookup(object: string, attribute: string, value: string): string | undefined {
    return stores.lookups.get(this.key(`${object}\u0000${attribute}\u0000${value}`))
  }

  rememberLookup(object: string, attribute: string, value: string, recordId: string): void {
    stores.lookups.set(this.key(`${object}\u0000${attribute}\u0000${value}`), recordId)
  }
}

/**
 * Records this process sent through the bulk endpoint, which answers 202 without ids: what it takes to
 * assert each again (see `BulkSent`). Kept whatever `suppress_unchanged_writes` says: it skips no write,
 * it lets a later bulk request link the record by asserting it again instead of looking it up.
 */
export class BulkSentMemory {
  constructor(private readonly workspaceKey: string) {}

  private key(object: string, attribute: string, value: string): string {
    return `${this.workspaceKey}\u0000${object}\u0000${attribute}\u0000${value}`
  }

  /**
   * What a bulk request of this process last sent for the record whose unique `attribute` is `value`; with
   * `maxAgeMs`, only when it was sent that recently.
   */
  get(object: string, attribute: string, value: string, maxAgeMs?: number): BulkSent | undefined {
    const sent = stores.bulkSent.get(this.key(object, attribute, value))
    if (!sent || (maxAgeMs !== undefined && Date.now() - sent.sentAt > maxAgeMs)) return undefined
    return sent
  }

  /** As a bulk request carrying the record goes out. */
  remember(object: string, attribute: string, value: string, sent: Omit<BulkSent, 'sentAt'>): void {
    stores.bulkSent.set(this.key(object, attribute, value), { ...sent, sentAt: Date.now() })
  }

  /**
   * After any other write of the record (one by one, or a bulk request that failed): what Attio holds may
   * differ from what was sent in bulk, so asserting it again could undo the newer write. Linking it then
   * looks it up.
   */
  forget(object: string, attribute: string, value: string): void {
    stores.bulkSent.delete(this.key(object, attribute, value))
  }
}
