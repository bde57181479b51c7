/**
 * The write memory for list entries: an entry assert whose values Attio already holds from this process is
 * not sent again, with the records' guarantees (suppression/, whose `WriteMemory` this uses through its
 * public methods only):
 *
 * - **Keys.** An entry is remembered per workspace credential (the memory's own key), per list id and per
 *   parent record id, under an object name no Attio object can have (it starts with a NUL), and by the
 *   entry id Attio answered: tenants, lists, parents and records never share a key.
 * - **Overlapping writes, failures.** A write that overlapped another write of the same entry remembers
 *   nothing; a failed write forgets the entry's values.
 * - **Deleted entries.** An entry Attio confirmed more than `CONFIRM_MS` ago is read again before a write is
 *   skipped; one Attio no longer has is forgotten and written. A removal forgets the entry, found or not.
 * - **The setting.** Without `suppress_unchanged_writes` the client has no memory and every entry is written.
 */
import type { AttioClient } from '../client'
import type { Identity, WriteInProgress } from '../suppression'
import type { WireItem } from '../values'
import { entryExists, type ListDef } from './wire'

/** An attribute name no list attribute has: the entry's membership itself, so an entry with no values counts. */
const IN_LIST = '\u0000in_list'

const objectOf = (list: ListDef) => `\u0000list\u0000${list.id}`
const identityOf = (list: ListDef, parentRecordId: string): Identity => ({
  object: objectOf(list),
  attribute: 'parent_record',
  text: parentRecordId
})
/** The id the memory keeps the entry under: its list's and its own. */
const memoryIdOf = (list: ListDef, entryId: string) => `${objectOf(list)}\u0000${entryId}`
const entryIdOf = (list: ListDef, memoryId: string) => memoryId.slice(objectOf(list).length + 1)

/** An entry assert under way: `unchanged` is the entry's id when Attio already holds its values. */
export interface EntryWrite {
  unchanged?: string
  succeeded(entryId: string): void
  failed(): void
}

const NO_MEMORY: EntryWrite = { succeeded: () => undefined, failed: () => undefined }

/** Starts an entry assert of `values` for the parent: says whether it can be skipped. */
export async function beginEntryWrite(
  client: AttioClient,
  list: ListDef,
  parentRecordId: string,
  values: Record<string, WireItem[]>
): Promise<EntryWrite> {
  const memory = client.memory
  if (!memory) return NO_MEMORY
  const identity = identityOf(list, parentRecordId)
  const tracked = { ...values, [IN_LIST]: ['in list'] }
  const write: WriteInProgress = memory.begin(objectOf(list), [identity])
  const known = memory.recordOf([identity], [], write)
  let unchanged = known !== undefined && memory.coversAssert(known, tracked, IN_LIST) ? known : undefined
  if (unchanged !== undefined && !memory.isConfirmed(unchanged)) {
    const there = await entryExists(client, list, entryIdOf(list, unchanged), parentRecordId).catch(
      // Deleted (404), or the read failed: the entry is written rather than skipped.
      () => false
    )
    if (there) memory.confirm(unchanged)
    else {
      memory.forgetRecord(unchanged)
      unchanged = undefined
    }
  }
  if (unchanged !== undefined) {
    write.cancel()
    return { unchanged: entryIdOf(list, unchanged), ...NO_MEMORY }
  }
  return {
    succeeded: (entryId) =>
      write.succeeded(memoryIdOf(list, entryId), [identity], { assert: tracked, matchingAttribute: IN_LIST }),
    failed: () => write.failed()
  }
}

/**
 * Starts a removal of the parent's entry; `done` once it was removed (or there was none, or the removal
 * failed): nothing about the entry is remembered any longer, and an assert overlapping it remembers nothing.
 */
export function beginEntryRemoval(
  client: AttioClient,
  list: ListDef,
  parentRecordId: string
): { done: () => void } {
  const memory = client.memory
  if (!memory) return { done: () => undefined }
  const identity = identityOf(list, parentRecordId)
  const write = memory.begin(objectOf(list), [identity])
  return {
    done: () => {
      write.failed()
      memory.forgetDeleted(undefined, [identity])
    }
  }
}
