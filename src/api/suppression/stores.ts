/**
 * The memory's bounds and its stores: what is kept of each record, the writes in flight, the bulk-sent
 * records. There is one instance of each store, in `shared`, which every module of the memory reads (and
 * `clearWriteMemory` replaces whole); writes are ordered by one sequence.
 */
import { LRUCache } from 'lru-cache'
import type { WireValues } from '../core/wire-types'

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

/** The stores and the confirmation limit in force: the one instance every module of the memory uses. */
export const shared = {
  stores: createStores(MEMORY_MAX_RECORDS, MEMORY_TTL_MS, MEMORY_MAX_BYTES),
  limits: { confirmMs: CONFIRM_MS }
}
let sequence = 0

/** The next point in the order of writes' starts and ends (to tell which overlapped). */
export function nextSequence(): number {
  return ++sequence
}

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
  shared.stores = createStores(
    options?.max ?? MEMORY_MAX_RECORDS,
    options?.ttlMs ?? MEMORY_TTL_MS,
    options?.maxBytes ?? MEMORY_MAX_BYTES
  )
  shared.limits = { confirmMs: options?.confirmMs ?? CONFIRM_MS }
}

/** How many records are remembered (tests of the bound). */
export function writeMemorySize(): number {
  return shared.stores.records.size
}

/** What the remembered records take, as estimated for the byte bound. */
export function writeMemoryBytes(): number {
  return shared.stores.records.calculatedSize
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
