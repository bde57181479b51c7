/**
 * The bulk-sent memory: the records this process sent through the bulk endpoint (answered without ids), what
 * it takes to assert each again, and whether each was seen in Attio.
 */
import { jsonByteLength } from '../core/text'
import type { WireValues } from '../core/wire-types'
import { keyDigest } from './digests'
import { bulkChanges } from './hooks'
import { sharedBulk } from './shared'
import {
  BULK_APPLY_WINDOW_MS,
  BULK_SENT_MAX_ENTRY_BYTES,
  shared,
  type BulkSent,
  type BulkSentKey
} from './stores'

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
    const sent = shared.stores.bulkSent.get(this.key(object, attribute, value))
    return sent?.values && this.pendingEntry(sent) ? sent : undefined
  }

  /** Whether the record was sent in bulk within `BULK_APPLY_WINDOW_MS` and never seen in Attio. */
  pending(object: string, attribute: string, value: string): boolean {
    const sent = shared.stores.bulkSent.get(this.key(object, attribute, value))
    return sent !== undefined && this.pendingEntry(sent)
  }

  /**
   * `pending`, and in fleet mode, when this process knows of no bulk send of the record, whether another
   * worker's is on record in Redis (a worker that missed its message). Redis not answering: this process's
   * answer.
   */
  async pendingAnywhere(object: string, attribute: string, value: string): Promise<boolean> {
    const key = this.key(object, attribute, value)
    const sent = shared.stores.bulkSent.get(key)
    if (sent !== undefined) return this.pendingEntry(sent)
    const fleet = sharedBulk.memory
    return fleet ? (await fleet.pending(key)) === true : false
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
    const previous = shared.stores.bulkSent.get(key)
    const bytes = sent ? jsonByteLength(sent.values) * 2 : 0
    // Built in place, not spread together: every record of every bulk request makes one.
    const entry: BulkSent = { sentAt: Date.now() }
    if (previous?.seen) entry.seen = true
    if (sent && bytes <= BULK_SENT_MAX_ENTRY_BYTES) {
      entry.values = sent.values
      entry.receivedAt = sent.receivedAt
      entry.bytes = bytes
    }
    shared.stores.bulkSent.set(key, entry)
    bulkChanges.publish?.({ key, sentAt: entry.sentAt as number })
    sharedBulk.memory?.sent(key)
    return { entry, previous }
  }

  /**
   * A bulk request Attio refused (applied none of it): the entry it replaced stands again, unless a later
   * request or a sighting has changed the entry since.
   */
  restore(record: BulkSentKey, sent: { entry: BulkSent; previous: BulkSent | undefined }): void {
    const key = this.key(record.object, record.attribute, record.value)
    if (shared.stores.bulkSent.get(key) !== sent.entry) return
    if (sent.previous) shared.stores.bulkSent.set(key, sent.previous)
    else shared.stores.bulkSent.delete(key)
  }

  /**
   * After any other write of the record (one by one, or a bulk request that failed): what Attio holds may
   * differ from what was sent in bulk, so asserting it again could undo the newer write. Linking it then
   * looks it up.
   */
  forget(object: string, attribute: string, value: string): void {
    const key = this.key(object, attribute, value)
    const sent = shared.stores.bulkSent.get(key)
    if (sent?.values)
      shared.stores.bulkSent.set(key, { sentAt: sent.sentAt, ...(sent.seen ? { seen: true } : {}) })
  }

  /** The record was seen in Attio: from now on, missing means deleted. */
  seen(object: string, attribute: string, value: string): void {
    const key = this.key(object, attribute, value)
    const sent = shared.stores.bulkSent.get(key)
    shared.stores.bulkSent.set(key, {
      ...(sent?.sentAt !== undefined ? { sentAt: sent.sentAt } : {}),
      seen: true
    })
    if (!sent?.seen) {
      bulkChanges.publish?.({ key, seen: true })
      sharedBulk.memory?.seen(key)
    }
  }
}
