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
 *
 * - digests.ts: digests of values and of unique values' keys; the identities in wire values and answers
 * - stores.ts: the bounds, the one instance of each store, `clearWriteMemory`
 * - write-memory.ts: `WriteMemory` and `WriteInProgress`, the memory of records written one by one
 * - bulk-sent.ts: `BulkSentMemory`, the records sent through the bulk endpoint
 * - hooks.ts: where fleet mode is told of this process's changes; fleet.ts: what others' changes do here
 */
export type { Identity } from '../core/wire-types'
export { digest, identitiesIn, identityText, keyDigest } from './digests'
export {
  BULK_APPLY_WINDOW_MS,
  BULK_SENT_MAX_BYTES,
  BULK_SENT_MAX_ENTRY_BYTES,
  BULK_UNSETTLED_MS,
  clearWriteMemory,
  CONFIRM_MS,
  MEMORY_MAX_BYTES,
  MEMORY_MAX_RECORDS,
  MEMORY_TTL_MS,
  writeMemoryBytes,
  writeMemorySize,
  type BulkSent,
  type BulkSentKey,
  type Write
} from './stores'
export { WriteInProgress, WriteMemory } from './write-memory'
export { BulkSentMemory } from './bulk-sent'
export { bulkChanges, memoryChanges, type BulkChange, type MemoryChange } from './hooks'
export { forgetAllRecords, forgetChanged, rememberBulkChange } from './fleet'
export {
  SHARED_WINDOW_MS,
  sharedBulk,
  sharedWrites,
  writeDigest,
  type SharedAnswer,
  type SharedBulkMemory,
  type SharedClaim,
  type SharedWriteMemory
} from './shared'
export { askShared } from './shared-lookup'
