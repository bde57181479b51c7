/**
 * Sync List Entry's batch path. Every event is checked first (a bad one gets its own error and takes no
 * part); the events for one list entry (one list, one parent record) are then merged in received order
 * into one write: the last membership wins, entry values of the additions since the last removal are
 * merged attribute by attribute (a later value wins), a removal followed by an addition removes the entry
 * and adds it again (as applying them one by one would). Each event gets its own outcome: its entry's.
 * Entries go out concurrently under the client's write limit (Attio documents no bulk endpoint for list
 * entries), the entries of one parent record (in several lists) one after another.
 */
import { MultiStatusResponse, type JSONLikeObject } from '@segment/actions-core'
import type { Attio } from '../attio'
import { errorOutcome, heldBackOutcome, isRetried, type EventOutcome } from '../batch'
import type { PrepareOptions, RecordAssertion, ValueInput } from '../records'
import {
  applyEntry,
  prepareEntry,
  withListScopes,
  type EntryPlan,
  type ListEntrySync,
  type PreparedEntry
} from './sync'

/** How many entries are written at once (the write limit paces them; this bounds what waits for it). */
const CONCURRENT_ENTRIES = 8

interface Group {
  indices: number[]
  entries: PreparedEntry[]
  options: PrepareOptions
}

/** The events of one entry, in received order, as one write. */
export function mergeEntries(entries: readonly PreparedEntry[]): EntryPlan {
  const last = entries[entries.length - 1]
  let lastRemoval = -1
  entries.forEach((entry, index) => {
    if (!entry.member) lastRemoval = index
  })
  const values: EntryPlan['values'] = {}
  for (const entry of entries.slice(lastRemoval + 1)) Object.assign(values, entry.values)
  // The parent is asserted with every event's values; for one attribute, the latest.
  const parentValues = new Map<string, ValueInput>()
  for (const entry of entries) {
    for (const value of entry.parent.values) {
      parentValues.delete(value.attribute)
      parentValues.set(value.attribute, value)
    }
  }
  const parent: RecordAssertion = { ...last.parent, values: [...parentValues.values()] }
  return {
    list: last.list,
    parent,
    member: last.member,
    removeFirst: last.member && lastRemoval >= 0,
    values
  }
}

/** Many events, each its own outcome; the events for one entry merged (the last membership wins). */
export async function syncListEntries(
  attio: Attio,
  items: Array<{ build: () => ListEntrySync; options: PrepareOptions }>
): Promise<MultiStatusResponse> {
  const response = new MultiStatusResponse()
  const answer = (index: number, outcome: EventOutcome) => {
    if (outcome.ok) return
    response.setErrorResponseAtIndex(index, {
      status: outcome.status,
      errortype: outcome.errortype,
      errormessage: outcome.message
    })
  }
  const fail = (index: number, error: unknown) => answer(index, errorOutcome(error))
  try {
    const groups = new Map<string, Group>()
    /** The first event whose check failed in a way the host retries: the later ones wait for its retry. */
    let retried: number | undefined
    for (const [index, item] of items.entries()) {
      if (retried !== undefined) {
        answer(index, heldBackOutcome(retried))
        continue
      }
      try {
        const entry = await withListScopes(() => prepareEntry(attio, item.build(), item.options))
        // The list by its id (a mapping may name it by slug in one event and by id in another).
        const key = JSON.stringify([entry.list.id, entry.parentKey])
        const group = groups.get(key)
        if (group) {
          group.indices.push(index)
          group.entries.push(entry)
        } else groups.set(key, { indices: [index], entries: [entry], options: item.options })
      } catch (error) {
        fail(index, error)
        if (isRetried(error)) retried = index
      }
    }
    /** The last write of each parent record: the next entry of the same record waits for it. */
    const parents = new Map<string, Promise<unknown>>()
    const run = async (group: Group) => {
      const parentKey = group.entries[0].parentKey
      const before = parents.get(parentKey)
      const write = (async () => {
        if (before) await before.catch(() => undefined)
        return withListScopes(() => applyEntry(attio, mergeEntries(group.entries), group.options))
      })()
      parents.set(parentKey, write)
      try {
        const outcome = await write
        const merged = group.indices.length > 1 ? { merged_events: group.indices.length } : {}
        for (const index of group.indices) {
          response.setSuccessResponseAtIndex(index, {
            status: 200,
            sent: {} as JSONLikeObject,
            body: { ...outcome, ...merged } as unknown as JSONLikeObject
          })
        }
      } catch (error) {
        for (const index of group.indices) fail(index, error)
      }
    }
    const queue = [...groups.values()]
    const workers = Array.from({ length: Math.min(CONCURRENT_ENTRIES, queue.length) }, async () => {
      for (let group = queue.shift(); group; group = queue.shift()) await run(group)
    })
    await Promise.all(workers)
  } finally {
    attio.client.telemetry.flush()
  }
  return response
}
