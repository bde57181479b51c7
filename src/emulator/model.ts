/** The workspace's data: object, attribute, list and member definitions, records, entries and stored values. */
import type { AttributeType, EmulatorActor } from './types'

export interface ObjectDef {
  id: string
  api_slug: string
  singular_noun: string
  plural_noun: string
  created_at: string
  active: boolean
  /** Attribute slug a plain string reference to this object is read as. */
  key?: string
}

export interface SelectOptionDef {
  id: string
  title: string
  is_archived: boolean
}

export interface StatusDef extends SelectOptionDef {
  celebration_enabled: boolean
  target_time_in_status: string | null
}

export interface AttributeDef {
  id: string
  object: string
  title: string
  description: string | null
  api_slug: string
  type: AttributeType
  is_system_attribute: boolean
  is_writable: boolean
  is_required: boolean
  is_unique: boolean
  is_multiselect: boolean
  is_archived: boolean
  created_at: string
  currency: { default_currency_code: string | null; display_type: string | null }
  /** Object slugs a record reference may point to; null = any object. */
  allowedObjects: string[] | null
  /** The other side of a relationship attribute. */
  relationship: { object: string; attribute: string } | null
  options: SelectOptionDef[]
  statuses: StatusDef[]
  /** Set on a list's attributes: the id of the list (`object` is then the list's api slug). */
  listId?: string
}

export interface StoredValue {
  /** Type-specific properties, as read (e.g. `{value: 'x'}`, `{target_object, target_record_id}`). */
  props: Record<string, unknown>
  /** Identity of the value, for de-duplication and matching. */
  key: string
  active_from: string
  created_by_actor: EmulatorActor
}

/**
 * The system values a new record or entry starts with, by attribute slug: its id (`record_id` or `entry_id`),
 * when it was created and by whom, each stored as set by the system at `createdAt`.
 */
export function systemValues(
  idSlug: string,
  id: string,
  createdAt: string,
  actor: EmulatorActor
): Array<[string, StoredValue]> {
  const stored = (props: Record<string, unknown>, key: string): StoredValue => ({
    props,
    key,
    active_from: createdAt,
    created_by_actor: { type: 'system', id: null }
  })
  return [
    [idSlug, stored({ value: id }, id)],
    ['created_at', stored({ value: createdAt }, createdAt)],
    [
      'created_by',
      stored(
        { referenced_actor_type: actor.type, referenced_actor_id: actor.id },
        `${actor.type}:${actor.id ?? ''}`
      )
    ]
  ]
}

export interface RecordData {
  id: string
  object: string
  created_at: string
  /** Keyed by attribute id. */
  values: Map<string, StoredValue[]>
}

/** A list entry: the parent record it is about and the values of the list's attributes. */
export interface EntryData {
  id: string
  parent_object: string
  parent_record_id: string
  created_at: string
  /** Keyed by list attribute id. */
  values: Map<string, StoredValue[]>
}

/** A list: one parent object (Attio's lists have one), its attributes, its entries in creation order. */
export interface ListDef {
  id: string
  api_slug: string
  name: string
  parent_object: string
  created_at: string
  attributes: AttributeDef[]
  entries: Map<string, EntryData>
}

export interface Member {
  id: string
  email_address: string
  first_name: string
  last_name: string
  access_level: string
  created_at: string
}
