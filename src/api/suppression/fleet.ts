/**
 * Fleet mode: what another process's changes make this process forget (src/api/state calls these with what it
 * hears over Redis). A change only ever makes this process forget, never remember.
 */
import type { BulkChange, MemoryChange } from './hooks'
import { shared, nextSequence } from './stores'
import { WriteMemory } from './write-memory'

/**
 * What another process changed is forgotten here: the values of the records it wrote or carried, and a write
 * of this process in flight for them meanwhile counts as overlapped (it remembers nothing).
 */
export function forgetChanged(change: MemoryChange): void {
  const memory = new WriteMemory(change.workspaceKey)
  if (change.recordId !== undefined) memory.forgetValues(change.recordId)
  for (const key of change.keys) {
    const recordId = shared.stores.index.get(key)
    if (recordId !== undefined) memory.forgetValues(recordId)
    if (change.unsettled) shared.stores.unsettled.set(key, true)
  }
  const list = shared.stores.writes.get(`${change.workspaceKey}\u0000${change.object}`)
  if (list?.some((write) => write.end === undefined)) {
    const start = nextSequence()
    list.push({
      start,
      end: nextSequence(),
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
  shared.stores.records.clear()
  shared.stores.index.clear()
}

/**
 * What another process did with a record in bulk: sent in bulk elsewhere, it is pending here too (a link to
 * it that misses is retryable, never a final 404), and what this process last sent of it is no longer
 * asserted again (the other request may be newer); seen elsewhere, missing means deleted here too.
 */
export function rememberBulkChange(change: BulkChange): void {
  const sent = shared.stores.bulkSent.get(change.key)
  if (change.seen) {
    shared.stores.bulkSent.set(change.key, {
      ...(sent?.sentAt !== undefined ? { sentAt: sent.sentAt } : {}),
      seen: true
    })
    return
  }
  if (change.sentAt === undefined) return
  const sentAt = Math.min(Date.now(), Math.max(change.sentAt, sent?.sentAt ?? 0))
  shared.stores.bulkSent.set(change.key, { sentAt, ...(sent?.seen ? { seen: true } : {}) })
}
