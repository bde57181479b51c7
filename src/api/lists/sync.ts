/**
 * One event's list entry: membership add (assert the entry by parent, `PUT /v2/lists/{list}/entries`) or
 * remove (find the parent's entry, `POST /v2/lists/{list}/entries/query`, then `DELETE
 * /v2/lists/{list}/entries/{entry_id}`; an absent entry is a success). The parent record is asserted first
 * (records), so an entry never points at nothing.
 */
import type { Attio } from '../attio'
import { canonical } from '../core/text'
import { AttioApiError } from '../errors'
import {
  prepareRecord,
  type PrepareOptions,
  type RecordAssertion,
  type ValueInput,
  type WriteOutcome
} from '../records'
import { ACTION_SCOPES, DEVELOPER_SETTINGS } from '../requirements'
import { METRICS } from '../telemetry'
import { invalid, resolveList } from './cache'
import { entryValues } from './entry-values'
import { identitiesIn } from '../suppression'
import type { WireItem } from '../values'
import { beginEntryRemoval, beginEntryWrite } from './memory'
import { assertEntry, DEFAULT_PARENT_MATCHING, deleteEntry, findEntries, type ListDef } from './wire'

export interface ListEntrySync {
  /** The list's api slug or id, as mapped. */
  list: string
  /** Add (true) or remove (false) the parent's entry. */
  member: boolean
  /** The parent record, asserted first (a record of the list's parent object). */
  parent: {
    /** The unique attribute it is found by; by default `DEFAULT_PARENT_MATCHING` of the parent object. */
    matchingAttribute?: string
    matchingField: string
    matchingValue: unknown
    matchingValueField: string
    /** Further parent attributes written with the assert. */
    values: ValueInput[]
  }
  /** The matching value when none is mapped: the email of a People list, the domain of a Companies list. */
  defaults?: { email?: unknown; domain?: unknown }
  /** Entry attribute values, keyed by list attribute slug or id (only written when adding). */
  values: ValueInput[]
}

export interface ListEntryOutcome {
  list: string
  parent: WriteOutcome
  /**
   * `added`: the entry was asserted; `unchanged`: Attio already held it with these values (the write
   * memory), so nothing was sent; `removed`: deleted; `absent`: there was none to remove.
   */
  result: 'added' | 'unchanged' | 'removed' | 'absent'
  entry_id?: string
}

/** One event's entry, checked against the workspace: nothing is sent for it yet. */
export interface PreparedEntry {
  list: ListDef
  member: boolean
  /** The parent record's assert (checked: `prepareRecord` accepted it). */
  parent: RecordAssertion
  /** The parent's identity: its object, matching attribute and normalised value (one record, one key). */
  parentKey: string
  /** The entry's values in write form (empty for a removal). */
  values: Record<string, WireItem[]>
}

/** What is written for one entry: one event's, or several merged (`batch.ts`). */
export interface EntryPlan {
  list: ListDef
  parent: RecordAssertion
  member: boolean
  /** Remove the entry before adding it again (a removal followed by an addition, merged). */
  removeFirst: boolean
  values: Record<string, WireItem[]>
}

const multipleEntries = (list: ListDef, parent: WriteOutcome, count?: number) =>
  invalid(
    `list: the ${parent.label} ${parent.record_id} has ${count ?? 'several'} entries in the list "${list.slug}", so Attio cannot tell which one to ${count === undefined ? 'update' : 'remove'}. Merge or delete the duplicate entries in Attio; this event was not applied.`
  )

/** A 403 names the scopes Sync List Entry needs. */
export async function withListScopes<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof AttioApiError && error.status === 403) {
      const missing = ACTION_SCOPES.syncListEntry.join(', ')
      throw new AttioApiError(
        `Sync List Entry needs the scopes ${missing}; Attio refused: ${error.message} Add them to the API key in Attio (${DEVELOPER_SETTINGS}) or reconnect the OAuth app with them.`,
        403,
        error.attioCode
      )
    }
    throw error
  }
}

/** Puts the parent's entry in the list (or takes it out): every value checked before the first write. */
export async function syncListEntry(
  attio: Attio,
  sync: ListEntrySync,
  options: PrepareOptions = {}
): Promise<ListEntryOutcome> {
  try {
    return await withListScopes(async () => {
      const prepared = await prepareEntry(attio, sync, options)
      return applyEntry(attio, { ...prepared, removeFirst: false }, options)
    })
  } finally {
    attio.client.telemetry.flush()
  }
}

/** Checks one event's entry against the workspace (the list, the parent, the values) without writing. */
export async function prepareEntry(
  attio: Attio,
  sync: ListEntrySync,
  options: PrepareOptions
): Promise<PreparedEntry> {
  const list = await resolveList(attio.client, sync.list)
  const parentObject = list.parentObject
  const matching = sync.parent.matchingAttribute || DEFAULT_PARENT_MATCHING[parentObject]
  if (!matching) {
    throw invalid(
      `parent_matching_attribute: the list "${list.slug}" holds ${parentObject} records; name the unique ${parentObject} attribute its parent is found by.`
    )
  }
  let matchingValue = sync.parent.matchingValue
  let matchingValueField = sync.parent.matchingValueField
  if (matchingValue === undefined && matching === DEFAULT_PARENT_MATCHING[parentObject]) {
    const field = parentObject === 'people' ? 'email' : parentObject === 'companies' ? 'domain' : undefined
    if (field) {
      matchingValue = sync.defaults?.[field]
      matchingValueField = field
    }
  }
  if (matchingValue === undefined || matchingValue === null || matchingValue === '') {
    throw invalid(
      `${matchingValueField}: no value to find the ${parentObject} record by (its "${matching}"); map the record's ${matchingValueField === 'email' ? 'email address' : matchingValueField === 'domain' ? 'domain' : 'matching value'}.`
    )
  }
  const values = sync.member ? await entryValues(attio, list, sync.values, options) : {}
  const parent: RecordAssertion = {
    object: parentObject,
    label: `${parentObject} record`,
    matchingAttribute: matching,
    matchingField: sync.parent.matchingField,
    values: [{ attribute: matching, value: matchingValue, field: matchingValueField }, ...sync.parent.values]
  }
  // The parent's values are checked here too, so one event's bad value never fails the events merged with it.
  const prepared = await prepareRecord(attio.schema, parent, options)
  const texts = identitiesIn(parentObject, [matching], prepared.assertValues).map((i) => i.text)
  const parentKey = JSON.stringify([
    parentObject,
    matching,
    texts.length > 0 ? texts.sort() : canonical(prepared.assertValues[matching] ?? null)
  ])
  return { list, member: sync.member, parent, parentKey, values }
}

/** Writes an entry: the parent asserted first, then the entry removed and/or added. */
export async function applyEntry(
  attio: Attio,
  plan: EntryPlan,
  options: PrepareOptions
): Promise<ListEntryOutcome> {
  const { list } = plan
  const { records } = await attio.assertRecords([plan.parent], options)
  const parent = records[0]
  if (!plan.member || plan.removeFirst) {
    const removed = await removeEntry(attio, list, parent)
    if (!plan.member) return removed
  }
  const client = attio.client
  const write = await beginEntryWrite(client, list, parent.record_id, plan.values)
  if (write.unchanged !== undefined) {
    client.telemetry.count(METRICS.writesSuppressed, 1, { object: list.parentObject, kind: 'entry_assert' })
    client.telemetry.debug(
      `write skipped as unchanged: entry ${write.unchanged} of a ${list.parentObject} record`
    )
    return { list: list.slug, parent, result: 'unchanged', entry_id: write.unchanged }
  }
  let entryId: string
  try {
    entryId = await assertEntry(
      client,
      list,
      parent.record_id,
      plan.values,
      `the entry of ${parent.label} ${parent.record_id} in the list "${list.slug}"`
    )
  } catch (error) {
    write.failed()
    if (error instanceof AttioApiError && error.attioCode === 'multiple_match_results')
      throw multipleEntries(list, parent)
    throw error
  }
  write.succeeded(entryId)
  return { list: list.slug, parent, result: 'added', entry_id: entryId }
}

async function removeEntry(attio: Attio, list: ListDef, parent: WriteOutcome): Promise<ListEntryOutcome> {
  const client = attio.client
  const removal = beginEntryRemoval(client, list, parent.record_id)
  try {
    const mine = await findEntries(
      client,
      list,
      parent.record_id,
      `the entry of ${parent.label} ${parent.record_id} in the list "${list.slug}"`
    )
    if (mine.length === 0) return { list: list.slug, parent, result: 'absent' }
    if (mine.length > 1) throw multipleEntries(list, parent, mine.length)
    const entryId = mine[0]
    try {
      await deleteEntry(client, list, entryId)
    } catch (error) {
      // Removed since it was found: what was asked for holds.
      if (error instanceof AttioApiError && error.status === 404)
        return { list: list.slug, parent, result: 'absent' }
      throw error
    }
    return { list: list.slug, parent, result: 'removed', entry_id: entryId }
  } finally {
    removal.done()
  }
}
