/**
 * Record writes with Attio's semantics: create, assert (create or update by a unique matching attribute),
 * update by id appending multiselect values (PATCH) or overwriting them (PUT), and delete.
 */
import {
  badValue,
  missingValue,
  multipleMatch,
  notFound,
  notUnique,
  payloadError,
  systemEdit,
  uniquenessConflict,
  validationType,
  valueNotFound
} from './errors'
import { removeReferencesTo, syncInverse, valueContext } from './references'
import type { EmulatorActor } from './types'
import { describe, isPlainObject, jsonType, nowTimestamp } from './util'
import { itemsOf, parseItem, type ParsedValue } from './values'
import type { AttributeDef, ObjectDef, RecordData, StoredValue } from './model'
import type { Workspace } from './workspace'

/** One attribute's parsed values in a write; an empty list unsets the attribute. */
export interface PreparedValue {
  attr: AttributeDef
  values: ParsedValue[]
}

/** Resolves the keys of `values` (slugs or ids) to attributes and parses every value. Throws 400s. */
export function prepareValues(ws: Workspace, object: ObjectDef, values: unknown): PreparedValue[] {
  if (!isPlainObject(values))
    throw payloadError([
      {
        code: 'invalid_type',
        path: ['data', 'values'],
        message: 'Expected object, received ' + jsonType(values),
        expected: 'object',
        received: jsonType(values)
      }
    ])
  const ctx = valueContext(ws)
  const seen = new Map<string, string>()
  const prepared: PreparedValue[] = []
  for (const [ref, raw] of Object.entries(values)) {
    const attr = ws.attribute(object.api_slug, ref)
    if (!attr)
      throw valueNotFound(`Cannot find attribute with slug/ID "${ref}" on object "${object.api_slug}".`)
    if (attr.is_archived)
      throw validationType(`Attribute with slug "${attr.api_slug}" is archived and cannot be written.`)
    if (!attr.is_writable)
      throw systemEdit(
        `Attribute with slug "${attr.api_slug}" is not writable (it is set by Attio, not by the API).`
      )
    const other = seen.get(attr.id)
    if (other !== undefined)
      throw badValue(attr.api_slug, `The attribute was given twice (as "${other}" and "${ref}").`)
    seen.set(attr.id, ref)
    const parsed: ParsedValue[] = []
    for (const item of itemsOf(attr, raw)) {
      const v = parseItem(attr, item, ctx)
      if (!parsed.some((p) => p.key === v.key)) parsed.push(v)
    }
    prepared.push({ attr, values: parsed })
  }
  return prepared
}

export interface WriteOptions {
  actor: EmulatorActor
  /** Whether a multiselect attribute gains the given values (true) or is replaced by them (false). */
  append(attr: AttributeDef): boolean
}

const stored = (v: ParsedValue, actor: EmulatorActor, now: string): StoredValue => ({
  props: v.props,
  key: v.key,
  active_from: now,
  created_by_actor: { ...actor }
})

/** Applies prepared values to a record (or a new one when `rec` is null) after checking required and unique. */
export function writeRecord(
  ws: Workspace,
  object: ObjectDef,
  rec: RecordData | null,
  prepared: PreparedValue[],
  options: WriteOptions
): RecordData {
  const now = nowTimestamp()
  const next = new Map<string, StoredValue[]>()
  for (const { attr, values } of prepared) {
    const old = rec?.values.get(attr.id) ?? []
    if (values.length === 0) next.set(attr.id, [])
    else if (attr.is_multiselect && options.append(attr)) {
      const keys = new Set(old.map((v) => v.key))
      next.set(attr.id, [
        ...old,
        ...values.filter((v) => !keys.has(v.key)).map((v) => stored(v, options.actor, now))
      ])
    } else {
      next.set(
        attr.id,
        values.map((v) => old.find((o) => o.key === v.key) ?? stored(v, options.actor, now))
      )
    }
  }

  for (const attr of ws.attributesOf(object.api_slug)) {
    if (!attr.is_required) continue
    const final = next.get(attr.id) ?? rec?.values.get(attr.id) ?? []
    if (final.length > 0) continue
    throw missingValue(
      rec
        ? `Required attribute with slug "${attr.api_slug}" cannot be unset.`
        : `Required value for attribute with slug "${attr.api_slug}" was not provided.`
    )
  }

  for (const { attr } of prepared) {
    if (!attr.is_unique) continue
    for (const v of next.get(attr.id) ?? []) {
      const clash = ws.findByKeys(object.api_slug, attr, [v.key]).find((r) => r.id !== rec?.id)
      if (clash)
        throw uniquenessConflict(
          `The value ${describe(v.key)} of unique attribute "${attr.api_slug}" already belongs to record ${clash.id}.`
        )
    }
  }

  const target = rec ?? ws.addRecord(object.api_slug, options.actor, now)
  for (const { attr } of prepared) {
    const before = target.values.get(attr.id) ?? []
    ws.setValues(target, attr.id, next.get(attr.id) ?? [])
    syncInverse(ws, target, attr, before, options.actor)
  }
  return target
}

const REPLACE = (): boolean => false
const APPEND = (): boolean => true

export function createRecord(
  ws: Workspace,
  object: ObjectDef,
  values: unknown,
  actor: EmulatorActor
): RecordData {
  return writeRecord(ws, object, null, prepareValues(ws, object, values), { actor, append: REPLACE })
}

export function getRecordOrThrow(ws: Workspace, object: ObjectDef, recordId: string): RecordData {
  const rec = ws.record(object.api_slug, recordId)
  if (!rec) throw notFound(`Record with ID "${recordId}" was not found in object "${object.api_slug}".`)
  return rec
}

/** PATCH (append multiselect values) or PUT (overwrite them) by record id. */
export function updateRecord(
  ws: Workspace,
  object: ObjectDef,
  recordId: string,
  values: unknown,
  mode: 'append' | 'overwrite',
  actor: EmulatorActor
): RecordData {
  const rec = getRecordOrThrow(ws, object, recordId)
  const prepared = prepareValues(ws, object, values)
  return writeRecord(ws, object, rec, prepared, { actor, append: mode === 'append' ? APPEND : REPLACE })
}

/** Resolves a matching attribute (slug or id) and checks it can be used for an assert. */
export function matchingAttribute(ws: Workspace, object: ObjectDef, ref: string | null): AttributeDef {
  if (ref === null || ref === '')
    throw payloadError(
      [
        {
          code: 'invalid_type',
          path: ['matching_attribute'],
          message: 'Required',
          expected: 'string',
          received: 'undefined'
        }
      ],
      'Query parameter validation error.'
    )
  const attr = ws.attribute(object.api_slug, ref)
  if (!attr || attr.is_archived)
    throw valueNotFound(`No attribute was found for matching_attribute slug/ID "${ref}".`)
  if (!attr.is_unique)
    throw notUnique(
      `The attribute "${attr.api_slug}" used as matching_attribute is not unique; only unique attributes can be used to match records.`
    )
  return attr
}

/**
 * Assert: find the record whose matching-attribute values intersect the given ones and update it, or create one.
 * The matching attribute (if multiselect) gains the given values. Other multiselect attributes are replaced,
 * unless `multiselect` is 'append' (the bulk endpoint's option).
 */
export function assertRecord(
  ws: Workspace,
  object: ObjectDef,
  matchingRef: string | null,
  values: unknown,
  actor: EmulatorActor,
  multiselect: 'replace' | 'append' = 'replace'
): { record: RecordData; created: boolean } {
  const matching = matchingAttribute(ws, object, matchingRef)
  const prepared = prepareValues(ws, object, values)
  const match = prepared.find((p) => p.attr.id === matching.id)
  if (!match || match.values.length === 0)
    throw missingValue(
      `The request body must contain a value for the matching attribute "${matching.api_slug}".`
    )
  const found = ws.findByKeys(
    object.api_slug,
    matching,
    match.values.map((v) => v.key)
  )
  if (found.length > 1)
    throw multipleMatch(
      `Multiple ${object.api_slug} records match the given values of matching attribute "${matching.api_slug}".`
    )
  if (found.length === 0)
    return { record: writeRecord(ws, object, null, prepared, { actor, append: REPLACE }), created: true }
  const append = (attr: AttributeDef): boolean => attr.id === matching.id || multiselect === 'append'
  return { record: writeRecord(ws, object, found[0], prepared, { actor, append }), created: false }
}

export function deleteRecord(ws: Workspace, object: ObjectDef, recordId: string): void {
  getRecordOrThrow(ws, object, recordId)
  ws.removeRecord(object.api_slug, recordId)
  removeReferencesTo(ws, object.api_slug, recordId)
}
