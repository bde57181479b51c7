/**
 * Fleet mode's hooks: where this process tells of its writes, bulk requests and sightings (src/api/state sets
 * the publishers in fleet mode; they are absent otherwise), and the shapes of those changes.
 */

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
