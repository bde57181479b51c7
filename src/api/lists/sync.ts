/**
 * One event's list entry: membership add (assert the entry by parent, `PUT /v2/lists/{list}/entries`) or
 * remove (find the parent's entry, `POST /v2/lists/{list}/entries/query`, then `DELETE
 * /v2/lists/{list}/entries/{entry_id}`; an absent entry is a success). The parent record is asserted first
 * (records), so an entry never points at nothing.
 */
import type { Attio } from '../attio'
import { AttioApiError } from '../errors'
import type { PrepareOptions, RecordAssertion, ValueInput, WriteOutcome } from '../records'
import { ACTION_SCOPES, DEVELOPER_SETTINGS } from '../requirements'
import { invalid, resolveList } from './cache'
import { entryValues } from './entry-values'
import {
  anyBody,
  DEFAULT_PARENT_MATCHING,
  encode,
  entryListResponse,
  entryResponse,
  type ListDef
} from './wire'

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
  /** `added`: the entry was asserted; `removed`: deleted; `absent`: there was none to remove. */
  result: 'added' | 'removed' | 'absent'
  entry_id?: string
}

const multipleEntries = (list: ListDef, parent: WriteOutcome, count?: number) =>
  invalid(
    `list: the ${parent.label} ${parent.record_id} has ${count ?? 'several'} entries in the list "${list.slug}", so Attio cannot tell which one to ${count === undefined ? 'update' : 'remove'}. Merge or delete the duplicate entries in Attio; this event was not applied.`
  )

/** Puts the parent's entry in the list (or takes it out): every value checked before the first write. */
export async function syncListEntry(
  attio: Attio,
  sync: ListEntrySync,
  options: PrepareOptions = {}
): Promise<ListEntryOutcome> {
  try {
    return await sync1(attio, sync, options)
  } catch (error) {
    if (error instanceof AttioApiError && error.status === 403) {
      const missing = ACTION_SCOPES.syncListEntry.join(', ')
      const refused = new AttioApiError(
        `Sync List Entry needs the scopes ${missing}; Attio refused: ${error.message} Add them to the API key in Attio (${DEVELOPER_SETTINGS}) or reconnect the OAuth app with them.`,
        403,
        error.attioCode
      )
      throw refused
    }
    throw error
  } finally {
    attio.client.telemetry.flush()
  }
}

async function sync1(attio: Attio, sync: ListEntrySync, options: PrepareOptions): Promise<ListEntryOutcome> {
  const client = attio.client
  const list = await resolveList(client, sync.list)
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
  const parentAssertion: RecordAssertion = {
    object: parentObject,
    label: `${parentObject} record`,
    matchingAttribute: matching,
    matchingField: sync.parent.matchingField,
    values: [{ attribute: matching, value: matchingValue, field: matchingValueField }, ...sync.parent.values]
  }
  const { records } = await attio.assertRecords([parentAssertion], options)
  const parent = records[0]
  const entries = `/v2/lists/${encode(list.id)}/entries`
  if (sync.member) {
    try {
      const body = await client.send(
        'PUT',
        entries,
        {
          json: {
            data: { parent_record_id: parent.record_id, parent_object: parentObject, entry_values: values }
          }
        },
        entryResponse,
        `the entry of ${parent.label} ${parent.record_id} in the list "${list.slug}"`
      )
      return { list: list.slug, parent, result: 'added', entry_id: body.data.id.entry_id }
    } catch (error) {
      if (error instanceof AttioApiError && error.attioCode === 'multiple_match_results')
        throw multipleEntries(list, parent)
      throw error
    }
  }
  const found = await client.send(
    'POST',
    `${entries}/query`,
    {
      json: {
        filter: {
          path: [
            [list.slug, 'parent_record'],
            [parentObject, 'record_id']
          ],
          constraints: { value: parent.record_id }
        },
        limit: 2
      }
    },
    entryListResponse,
    `the entry of ${parent.label} ${parent.record_id} in the list "${list.slug}"`
  )
  const mine = found.data.filter((e) => e.parent_record_id === parent.record_id)
  if (mine.length === 0) return { list: list.slug, parent, result: 'absent' }
  if (mine.length > 1) throw multipleEntries(list, parent, mine.length)
  const entryId = mine[0].id.entry_id
  try {
    await client.send('DELETE', `${entries}/${encode(entryId)}`, undefined, anyBody, `the entry ${entryId}`)
  } catch (error) {
    // Removed since it was found: what was asked for holds.
    if (error instanceof AttioApiError && error.status === 404)
      return { list: list.slug, parent, result: 'absent' }
    throw error
  }
  return { list: list.slug, parent, result: 'removed', entry_id: entryId }
}
