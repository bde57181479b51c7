/** Record references (the write forms Attio accepts) and relationship pairs that update each other. */
import { ApiError, badValue, multipleMatch, valueNotFound } from './errors'
import type { EmulatorActor } from './types'
import { describe, isPlainObject, nowTimestamp } from './util'
import { parseItem, type ParsedValue, type ValueContext } from './values'
import type { AttributeDef, ObjectDef, RecordData, StoredValue } from './model'
import type { Workspace } from './workspace'

export const referenceKey = (object: string, recordId: string): string => `${object}:${recordId}`

const refValue = (object: ObjectDef, record: RecordData): ParsedValue => ({
  props: { target_object: object.api_slug, target_record_id: record.id },
  key: referenceKey(object.api_slug, record.id)
})

/** The value context of a workspace: parses values, resolving record references against its records. */
export function valueContext(ws: Workspace): ValueContext {
  const ctx: ValueContext = {
    workspace: ws,
    resolveReference: (attr, item) => resolveReference(ws, ctx, attr, item)
  }
  return ctx
}

function allowedTargets(ws: Workspace, attr: AttributeDef): ObjectDef[] {
  if (attr.allowedObjects === null) return ws.activeObjects()
  return attr.allowedObjects.map((s) => ws.object(s)).filter((o): o is ObjectDef => o !== undefined)
}

/** Finds the one record of `target` whose `keyAttr` values match the given (unparsed) values. */
function findByKey(
  ws: Workspace,
  ctx: ValueContext,
  attr: AttributeDef,
  target: ObjectDef,
  keyAttr: AttributeDef,
  raw: unknown
): RecordData {
  const items = Array.isArray(raw) ? raw : [raw]
  if (items.length === 0)
    throw badValue(
      attr.api_slug,
      `No "${keyAttr.api_slug}" value given to find the ${target.api_slug} record.`
    )
  let keys: string[]
  try {
    keys = items.map((i) => parseItem(keyAttr, i, ctx).key)
  } catch (e) {
    if (e instanceof ApiError)
      throw badValue(attr.api_slug, `Invalid reference to ${target.api_slug}: ${e.message}`)
    throw e
  }
  const found = ws.findByKeys(target.api_slug, keyAttr, keys)
  if (found.length === 0)
    throw valueNotFound(
      `Referenced ${target.singular_noun.toLowerCase()} record with ${keyAttr.api_slug} ${describe(raw)} does not exist (attribute "${attr.api_slug}"). Write the referenced record first.`
    )
  if (found.length > 1)
    throw multipleMatch(
      `More than one ${target.api_slug} record matches ${keyAttr.api_slug} ${describe(raw)} (attribute "${attr.api_slug}").`
    )
  return found[0]
}

function resolveReference(ws: Workspace, ctx: ValueContext, attr: AttributeDef, item: unknown): ParsedValue {
  const slug = attr.api_slug
  const allowed = allowedTargets(ws, attr)
  if (typeof item === 'string') {
    if (allowed.length !== 1)
      throw badValue(slug, 'A plain string reference needs an attribute that allows exactly one object.')
    const target = allowed[0]
    if (!target.key)
      throw badValue(
        slug,
        `References to ${target.api_slug} cannot be written as strings; use {target_object, target_record_id}.`
      )
    return refValue(
      target,
      findByKey(ws, ctx, attr, target, ws.attributeBySlug(target.api_slug, target.key), item)
    )
  }
  if (!isPlainObject(item))
    throw badValue(slug, `Expected a record reference object or string, got ${describe(item)}.`)
  if (typeof item.target_object !== 'string')
    throw badValue(slug, 'A record reference object needs "target_object" (an object slug or ID).')
  const target = ws.object(item.target_object)
  if (!target)
    throw valueNotFound(`Object "${item.target_object}" referenced by attribute "${slug}" was not found.`)
  if (!allowed.includes(target))
    throw badValue(
      slug,
      `References to ${target.api_slug} are not allowed; allowed: ${allowed.map((o) => o.api_slug).join(', ')}.`
    )
  const rest = Object.keys(item).filter((k) => k !== 'target_object' && k !== 'attribute_type')
  if (rest.includes('target_record_id')) {
    if (rest.length > 1)
      throw badValue(slug, `Unexpected key(s) next to target_record_id: ${rest.join(', ')}.`)
    if (typeof item.target_record_id !== 'string') throw badValue(slug, 'target_record_id must be a string.')
    const rec = ws.record(target.api_slug, item.target_record_id)
    if (!rec)
      throw valueNotFound(
        `Referenced ${target.api_slug} record with ID "${item.target_record_id}" does not exist (attribute "${slug}").`
      )
    return refValue(target, rec)
  }
  if (rest.length !== 1)
    throw badValue(
      slug,
      'A record reference object needs either target_record_id or exactly one unique attribute of the target object.'
    )
  const keyAttr = ws.attribute(target.api_slug, rest[0])
  if (!keyAttr || keyAttr.is_archived)
    throw valueNotFound(
      `Attribute "${rest[0]}" does not exist on ${target.api_slug} (reference in attribute "${slug}").`
    )
  if (!keyAttr.is_unique)
    throw badValue(
      slug,
      `Attribute "${keyAttr.api_slug}" of ${target.api_slug} is not unique, so it cannot identify a record.`
    )
  return refValue(target, findByKey(ws, ctx, attr, target, keyAttr, item[rest[0]]))
}

// ---------------------------------------------------------------------------------------------------------------
// Relationship pairs

const targetOf = (v: StoredValue): { object: string; id: string } => ({
  object: v.props.target_object as string,
  id: v.props.target_record_id as string
})

/**
 * After `attr` of `rec` changed from `before` to its current values, updates the inverse attribute on the
 * affected targets: removed targets lose `rec`, added targets gain it. A single-valued inverse is replaced, and the
 * record it pointed to before loses the target (the relationship moves).
 */
export function syncInverse(
  ws: Workspace,
  rec: RecordData,
  attr: AttributeDef,
  before: StoredValue[],
  actor: EmulatorActor
): void {
  if (!attr.relationship) return
  const inverse = ws.attributeById(attr.relationship.object, attr.relationship.attribute)
  if (!inverse) return
  const after = rec.values.get(attr.id) ?? []
  const beforeKeys = new Set(before.map((v) => v.key))
  const afterKeys = new Set(after.map((v) => v.key))
  const selfKey = referenceKey(rec.object, rec.id)

  for (const v of before) {
    if (afterKeys.has(v.key)) continue
    const t = targetOf(v)
    const target = ws.record(t.object, t.id)
    if (!target) continue
    ws.setValues(
      target,
      inverse.id,
      (target.values.get(inverse.id) ?? []).filter((x) => x.key !== selfKey)
    )
  }
  for (const v of after) {
    if (beforeKeys.has(v.key)) continue
    const t = targetOf(v)
    const target = ws.record(t.object, t.id)
    if (!target) continue
    const current = target.values.get(inverse.id) ?? []
    if (current.some((x) => x.key === selfKey)) continue
    const added: StoredValue = {
      props: { target_object: rec.object, target_record_id: rec.id },
      key: selfKey,
      active_from: nowTimestamp(),
      created_by_actor: { ...actor }
    }
    if (inverse.is_multiselect) {
      ws.setValues(target, inverse.id, [...current, added])
      continue
    }
    for (const displaced of current) {
      const d = targetOf(displaced)
      const other = ws.record(d.object, d.id)
      if (!other) continue
      const targetKey = referenceKey(target.object, target.id)
      ws.setValues(
        other,
        attr.id,
        (other.values.get(attr.id) ?? []).filter((x) => x.key !== targetKey)
      )
    }
    ws.setValues(target, inverse.id, [added])
  }
}

/** Removes every reference to a deleted record from all other records. */
export function removeReferencesTo(ws: Workspace, object: string, recordId: string): void {
  const key = referenceKey(object, recordId)
  for (const o of ws.objects) {
    const refAttrs = (ws.attributes.get(o.api_slug) ?? []).filter((a) => a.type === 'record-reference')
    for (const rec of ws.recordsOf(o.api_slug)) {
      for (const a of refAttrs) {
        const list = rec.values.get(a.id)
        if (list?.some((v) => v.key === key))
          ws.setValues(
            rec,
            a.id,
            list.filter((v) => v.key !== key)
          )
      }
    }
  }
}
