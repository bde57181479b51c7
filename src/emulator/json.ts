/**
 * Serialisation: the workspace's objects, attributes, options, statuses, records and values in the shapes
 * of Attio's OpenAPI document. Reads the workspace through `JsonSource` (the Workspace class is one).
 */
import type { AttributeDef, ObjectDef, RecordData, SelectOptionDef, StatusDef, StoredValue } from './model'
import type { EmulatorValue } from './types'

/** What serialisation reads of the workspace. */
export interface JsonSource {
  readonly id: string
  readonly slug: string
  objectBySlug(slug: string): ObjectDef
  attributeById(object: string, id: string): AttributeDef | undefined
  /** Visible, not archived attributes of an object. */
  attributesOf(object: string): AttributeDef[]
}

export function objectJson(ws: JsonSource, o: ObjectDef): Record<string, unknown> {
  return {
    id: { workspace_id: ws.id, object_id: o.id },
    api_slug: o.api_slug,
    singular_noun: o.singular_noun,
    plural_noun: o.plural_noun,
    created_at: o.created_at
  }
}

export function attributeId(ws: JsonSource, a: AttributeDef): Record<string, string> {
  // A list's attributes carry the list's id where an object's carry the object's (Attio's documented examples).
  if (a.listId) return { workspace_id: ws.id, object_id: a.listId, attribute_id: a.id }
  return { workspace_id: ws.id, object_id: ws.objectBySlug(a.object).id, attribute_id: a.id }
}

export function attributeJson(ws: JsonSource, a: AttributeDef): Record<string, unknown> {
  let relationship: Record<string, unknown> | null = null
  if (a.relationship) {
    const other = ws.attributeById(a.relationship.object, a.relationship.attribute)
    if (other)
      relationship = {
        id: attributeId(ws, other),
        object_slug: other.object,
        title: other.title,
        api_slug: other.api_slug,
        is_multiselect: other.is_multiselect
      }
  }
  return {
    id: attributeId(ws, a),
    title: a.title,
    description: a.description,
    api_slug: a.api_slug,
    type: a.type,
    is_system_attribute: a.is_system_attribute,
    is_writable: a.is_writable,
    is_required: a.is_required,
    is_unique: a.is_unique,
    is_multiselect: a.is_multiselect,
    is_default_value_enabled: false,
    is_archived: a.is_archived,
    default_value: null,
    relationship,
    created_at: a.created_at,
    config: {
      currency: { ...a.currency },
      record_reference: {
        allowed_object_ids:
          a.allowedObjects === null ? null : a.allowedObjects.map((s) => ws.objectBySlug(s).id)
      }
    }
  }
}

export function optionJson(ws: JsonSource, a: AttributeDef, o: SelectOptionDef): Record<string, unknown> {
  return { id: { ...attributeId(ws, a), option_id: o.id }, title: o.title, is_archived: o.is_archived }
}

export function statusJson(ws: JsonSource, a: AttributeDef, s: StatusDef): Record<string, unknown> {
  return {
    id: { ...attributeId(ws, a), status_id: s.id },
    title: s.title,
    is_archived: s.is_archived,
    celebration_enabled: s.celebration_enabled,
    target_time_in_status: s.target_time_in_status
  }
}

export function valueJson(a: AttributeDef, v: StoredValue): EmulatorValue {
  return {
    active_from: v.active_from,
    active_until: null,
    created_by_actor: { ...v.created_by_actor },
    ...structuredClone(v.props),
    attribute_type: a.type
  }
}

export function recordValuesJson(ws: JsonSource, rec: RecordData): Record<string, EmulatorValue[]> {
  const values: Record<string, EmulatorValue[]> = {}
  for (const a of ws.attributesOf(rec.object)) {
    values[a.api_slug] = (rec.values.get(a.id) ?? []).map((v) => valueJson(a, v))
  }
  return values
}

export function recordJson(ws: JsonSource, rec: RecordData): Record<string, unknown> {
  const object = ws.objectBySlug(rec.object)
  return {
    id: { workspace_id: ws.id, object_id: object.id, record_id: rec.id },
    created_at: rec.created_at,
    web_url: `https://app.attio.com/${ws.slug}/${object.api_slug}/record/${rec.id}/overview`,
    values: recordValuesJson(ws, rec)
  }
}
