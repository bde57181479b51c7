/**
 * Lists and their entries, with the behaviour Attio documents. Attio's OpenAPI document (spec/attio-openapi.json)
 * names these operations by method and path (the copy keeps no operation ids):
 * - `GET /v2/lists`, `GET /v2/lists/{list}` (the `list` schema)
 * - `GET /v2/{target}/{identifier}/attributes` with target `lists`
 * - `PUT /v2/lists/{list}/entries`: assert an entry by parent (400 `multiple_match_results` when the parent has
 *   several entries; multiselect values are replaced by the given ones)
 * - `POST /v2/lists/{list}/entries`: create an entry (a parent may have several)
 * - `POST /v2/lists/{list}/entries/query`, `GET`/`DELETE /v2/lists/{list}/entries/{entry_id}`
 */
import {
  badValue,
  filterError,
  missingValue,
  multipleMatch,
  notFound,
  payloadError,
  systemEdit,
  validationType,
  valueNotFound
} from './errors'
import { valueContext } from './references'
import type { EmulatorActor, EmulatorValue } from './types'
import { isPlainObject, jsonType, nowTimestamp, uuid } from './util'
import { itemsOf, parseItem, type ParsedValue } from './values'
import { systemValues, type AttributeDef, type EntryData, type ListDef, type StoredValue } from './model'
import type { Workspace } from './workspace'

/** A list by api slug or id. */
export function listOrThrow(ws: Workspace, ref: string): ListDef {
  const l = ws.lists.find((x) => x.api_slug === ref || x.id === ref)
  if (!l) throw notFound(`List with slug/ID "${ref}" was not found.`)
  return l
}

export function listAttribute(l: ListDef, ref: string): AttributeDef | undefined {
  return l.attributes.find((a) => a.api_slug === ref || a.id === ref)
}

export function listAttributeOrThrow(l: ListDef, ref: string): AttributeDef {
  const a = listAttribute(l, ref)
  if (!a) throw notFound(`Attribute with slug/ID "${ref}" was not found on list "${l.api_slug}".`)
  return a
}

export function listJson(ws: Workspace, l: ListDef): Record<string, unknown> {
  return {
    id: { workspace_id: ws.id, list_id: l.id },
    api_slug: l.api_slug,
    name: l.name,
    parent_object: [l.parent_object],
    workspace_access: 'full-access',
    workspace_member_access: [],
    created_by_actor: { type: 'system', id: null },
    created_at: l.created_at
  }
}

export function entryJson(ws: Workspace, l: ListDef, e: EntryData): Record<string, unknown> {
  const entry_values: Record<string, EmulatorValue[]> = {}
  for (const a of l.attributes)
    if (!a.is_archived) entry_values[a.api_slug] = (e.values.get(a.id) ?? []).map((v) => ws.valueJson(a, v))
  return {
    id: { workspace_id: ws.id, list_id: l.id, entry_id: e.id },
    parent_record_id: e.parent_record_id,
    parent_object: e.parent_object,
    created_at: e.created_at,
    entry_values
  }
}

interface EntryWrite {
  parentObject: string
  parentRecordId: string
  values: Array<{ attr: AttributeDef; values: ParsedValue[] }>
}

const required = (path: string[], expected: string, got: unknown) =>
  payloadError([
    {
      code: 'invalid_type',
      path,
      message: got === undefined ? 'Required' : `Expected ${expected}, received ${jsonType(got)}`,
      expected,
      received: jsonType(got)
    }
  ])

/** Reads `{data: {parent_record_id, parent_object, entry_values}}`, checking the parent and every value. */
function parseEntryBody(ws: Workspace, l: ListDef, body: unknown): EntryWrite {
  const data = isPlainObject(body) ? body.data : undefined
  if (!isPlainObject(data)) throw required(['data'], 'object', data)
  const { parent_record_id: recordId, parent_object: parentRef, entry_values: values } = data
  if (typeof recordId !== 'string') throw required(['data', 'parent_record_id'], 'string', recordId)
  if (typeof parentRef !== 'string') throw required(['data', 'parent_object'], 'string', parentRef)
  if (!isPlainObject(values)) throw required(['data', 'entry_values'], 'object', values)
  const parent = ws.object(parentRef)
  if (!parent || parent.api_slug !== l.parent_object)
    throw validationType(
      `Parent object "${parentRef}" is not the parent object of list "${l.api_slug}" (its entries are ${l.parent_object} records).`
    )
  if (!ws.record(parent.api_slug, recordId))
    throw notFound(`Parent record with ID "${recordId}" was not found in object "${parent.api_slug}".`)
  const ctx = valueContext(ws)
  const prepared: EntryWrite['values'] = []
  for (const [ref, raw] of Object.entries(values)) {
    const attr = listAttribute(l, ref)
    if (!attr) throw valueNotFound(`Cannot find attribute with slug/ID "${ref}" on list "${l.api_slug}".`)
    if (attr.is_archived)
      throw validationType(`Attribute with slug "${attr.api_slug}" is archived and cannot be written.`)
    if (!attr.is_writable)
      throw systemEdit(
        `Attribute with slug "${attr.api_slug}" is not writable (it is set by Attio, not by the API).`
      )
    if (prepared.some((p) => p.attr.id === attr.id))
      throw badValue(attr.api_slug, 'The attribute was given twice.')
    const parsed: ParsedValue[] = []
    for (const item of itemsOf(attr, raw)) {
      const v = parseItem(attr, item, ctx)
      if (!parsed.some((p) => p.key === v.key)) parsed.push(v)
    }
    prepared.push({ attr, values: parsed })
  }
  return { parentObject: parent.api_slug, parentRecordId: recordId, values: prepared }
}

const stored = (v: ParsedValue, actor: EmulatorActor, now: string): StoredValue => ({
  props: v.props,
  key: v.key,
  active_from: now,
  created_by_actor: { ...actor }
})

/** Writes the values to an entry (a new one when `entry` is null): given attributes are replaced, others kept. */
function writeEntry(l: ListDef, entry: EntryData | null, w: EntryWrite, actor: EmulatorActor): EntryData {
  const now = nowTimestamp()
  const next = new Map<string, StoredValue[]>()
  for (const { attr, values } of w.values) {
    const old = entry?.values.get(attr.id) ?? []
    next.set(
      attr.id,
      values.map((v) => old.find((o) => o.key === v.key) ?? stored(v, actor, now))
    )
  }
  for (const attr of l.attributes) {
    if (!attr.is_required || attr.is_archived) continue
    if ((next.get(attr.id) ?? entry?.values.get(attr.id) ?? []).length === 0)
      throw missingValue(`Required value for attribute with slug "${attr.api_slug}" was not provided.`)
  }
  let target = entry
  if (!target) {
    const id = uuid()
    target = {
      id,
      parent_object: w.parentObject,
      parent_record_id: w.parentRecordId,
      created_at: now,
      values: new Map()
    }
    for (const [slug, value] of systemValues('entry_id', id, now, actor))
      target.values.set((listAttribute(l, slug) as AttributeDef).id, [value])
    l.entries.set(id, target)
  }
  for (const [attrId, values] of next) target.values.set(attrId, values)
  return target
}

const entriesOf = (l: ListDef, parentObject: string, recordId: string): EntryData[] =>
  [...l.entries.values()].filter((e) => e.parent_object === parentObject && e.parent_record_id === recordId)

/** `PUT /v2/lists/{list}/entries`: the parent's one entry is updated, or one is created. */
export function assertEntry(ws: Workspace, l: ListDef, body: unknown, actor: EmulatorActor): EntryData {
  const w = parseEntryBody(ws, l, body)
  const found = entriesOf(l, w.parentObject, w.parentRecordId)
  if (found.length > 1)
    throw multipleMatch(
      `The parent record "${w.parentRecordId}" has ${found.length} entries in list "${l.api_slug}"; assert needs at most one.`
    )
  return writeEntry(l, found[0] ?? null, w, actor)
}

/** `POST /v2/lists/{list}/entries`: always a new entry. */
export function createEntry(ws: Workspace, l: ListDef, body: unknown, actor: EmulatorActor): EntryData {
  return writeEntry(l, null, parseEntryBody(ws, l, body), actor)
}

export function entryOrThrow(l: ListDef, entryId: string): EntryData {
  const e = l.entries.get(entryId)
  if (!e) throw notFound(`List entry with ID "${entryId}" was not found in list "${l.api_slug}".`)
  return e
}

/**
 * Reads the parent record id a filter asks for, or undefined for no filter. The emulator knows the filters
 * that find a parent's entries: the path filter `{path: [[list, "parent_record"], [object, "record_id"]],
 * constraints: {value}}` Attio documents, and the shorthand `{parent_record_id: id | {$eq: id}}`.
 */
function parentFilter(l: ListDef, filter: unknown): { object?: string; recordId: string } | undefined {
  if (filter === undefined || filter === null) return undefined
  if (!isPlainObject(filter)) throw filterError('filter must be an object.')
  if (Array.isArray(filter.path)) {
    const [first, second] = filter.path as unknown[]
    const pair = (p: unknown): p is [string, string] =>
      Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string')
    if (filter.path.length !== 2 || !pair(first) || !pair(second))
      throw filterError('filter.path must be [[list, "parent_record"], [object, attribute]].')
    if ((first[0] !== l.api_slug && first[0] !== l.id) || first[1] !== 'parent_record')
      throw filterError(`filter.path must start with ["${l.api_slug}", "parent_record"].`)
    if (second[1] !== 'record_id')
      throw filterError('The emulator filters list entries by the parent record_id only.')
    const constraints = filter.constraints
    const value = isPlainObject(constraints) ? constraints.value : undefined
    if (typeof value !== 'string') throw filterError('filter.constraints.value must be the parent record id.')
    return { object: second[0], recordId: value }
  }
  const keys = Object.keys(filter)
  if (keys.length === 1 && keys[0] === 'parent_record_id') {
    const v = filter.parent_record_id
    const id = isPlainObject(v) ? v.$eq : v
    if (typeof id !== 'string') throw filterError('parent_record_id must be a string or {$eq: string}.')
    return { recordId: id }
  }
  throw filterError(
    'The emulator filters list entries by parent record only (see the list entries query docs).'
  )
}

/** `POST /v2/lists/{list}/entries/query`. */
export function queryEntries(ws: Workspace, l: ListDef, body: unknown): EntryData[] {
  const b = body === undefined || body === null ? {} : body
  if (!isPlainObject(b)) throw required([], 'object', b)
  const num = (k: string, d: number): number => {
    const v = b[k]
    if (v === undefined) return d
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw required([k], 'number', v)
    return v
  }
  const limit = num('limit', 500)
  const offset = num('offset', 0)
  const parent = parentFilter(l, b.filter)
  let entries = [...l.entries.values()]
  if (parent) {
    const object = parent.object === undefined ? undefined : ws.object(parent.object)?.api_slug
    if (parent.object !== undefined && object !== l.parent_object)
      throw filterError(`List "${l.api_slug}" has ${l.parent_object} entries, not "${parent.object}".`)
    entries = entries.filter((e) => e.parent_record_id === parent.recordId)
  }
  return entries.slice(offset, offset + limit)
}

export function deleteEntry(l: ListDef, entryId: string): void {
  entryOrThrow(l, entryId)
  l.entries.delete(entryId)
}
