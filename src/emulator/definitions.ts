/**
 * Attribute and list definitions as the workspace is built: from the standard objects' tables and from the
 * seed, with the seed's attributes checked against what Attio allows.
 */
import type { AttributeDef, ListDef, SelectOptionDef, StatusDef } from './model'
import type { StandardAttribute } from './standard-objects'
import type { AttributeType, EmulatorSeedAttribute, EmulatorSeedList } from './types'
import { uuid } from './util'

/** The attributes every list entry has, set by Attio. */
const LIST_SYSTEM_ATTRIBUTES: readonly StandardAttribute[] = [
  { slug: 'entry_id', title: 'Entry ID', type: 'text', writable: false },
  { slug: 'created_at', title: 'Created at', type: 'timestamp', writable: false },
  { slug: 'created_by', title: 'Created by', type: 'actor-reference', writable: false }
]

const MULTISELECT_TYPES: ReadonlySet<AttributeType> = new Set([
  'select',
  'record-reference',
  'actor-reference',
  'phone-number',
  'email-address',
  'domain'
])

export const canBeMultiselect = (type: AttributeType): boolean => MULTISELECT_TYPES.has(type)

const titleFromSlug = (slug: string): string => {
  const words = slug.split('_').filter(Boolean)
  return words.map((w, i) => (i === 0 ? w[0].toUpperCase() + w.slice(1) : w)).join(' ')
}

const optionDefs = (titles: readonly string[] = []): SelectOptionDef[] =>
  titles.map((title) => ({ id: uuid(), title, is_archived: false }))

const statusDefs = (titles: readonly string[] = [], celebrated: (title: string) => boolean): StatusDef[] =>
  titles.map((title) => ({
    id: uuid(),
    title,
    is_archived: false,
    celebration_enabled: celebrated(title),
    target_time_in_status: null
  }))

/** A system attribute of a standard object (or of every object or list entry), from its table entry. */
export function standardAttributeDef(object: string, a: StandardAttribute, createdAt: string): AttributeDef {
  return {
    id: uuid(),
    object,
    title: a.title,
    description: null,
    api_slug: a.slug,
    type: a.type,
    is_system_attribute: true,
    is_writable: a.writable ?? true,
    is_required: a.required ?? false,
    is_unique: a.unique ?? false,
    is_multiselect: a.multiselect ?? false,
    is_archived: false,
    created_at: createdAt,
    currency: {
      default_currency_code: a.type === 'currency' ? (a.currency ?? 'USD') : null,
      display_type: a.type === 'currency' ? 'symbol' : null
    },
    allowedObjects: a.type === 'record-reference' ? (a.allowed ?? null) : null,
    relationship: null,
    options: optionDefs(a.options),
    // Attio celebrates reaching its standard deal stage "Won 🎉".
    statuses: statusDefs(a.statuses, (title) => title.includes('Won'))
  }
}

/**
 * A custom attribute of the seed, added to `existing` (the object's or list's attributes so far); throws on a
 * duplicate slug, a multiselect type that cannot be one, or a reference to an object `hasObject` does not know.
 */
export function seedAttributeDef(
  object: string,
  existing: AttributeDef[],
  a: EmulatorSeedAttribute,
  createdAt: string,
  hasObject: (slug: string) => boolean
): AttributeDef {
  if (existing.some((x) => x.api_slug === a.api_slug))
    throw new Error(`seed: attribute "${object}.${a.api_slug}" already exists`)
  if (a.is_multiselect && !canBeMultiselect(a.type))
    throw new Error(`seed: attribute "${object}.${a.api_slug}" of type ${a.type} cannot be multiselect`)
  if (a.type === 'record-reference') {
    for (const o of a.allowed_objects ?? [])
      if (!hasObject(o)) throw new Error(`seed: "${object}.${a.api_slug}" allows unknown object "${o}"`)
  }
  return {
    id: uuid(),
    object,
    title: a.title ?? titleFromSlug(a.api_slug),
    description: a.description ?? null,
    api_slug: a.api_slug,
    type: a.type,
    is_system_attribute: false,
    is_writable: true,
    is_required: a.is_required ?? false,
    is_unique: a.is_unique ?? false,
    is_multiselect: a.is_multiselect ?? false,
    is_archived: a.is_archived ?? false,
    created_at: createdAt,
    currency: {
      default_currency_code: a.type === 'currency' ? (a.currency_code ?? 'USD') : null,
      display_type: a.type === 'currency' ? (a.display_type ?? 'symbol') : null
    },
    allowedObjects: a.type === 'record-reference' ? (a.allowed_objects ?? null) : null,
    relationship: null,
    options: optionDefs(a.options),
    statuses: statusDefs(a.statuses, () => false)
  }
}

/**
 * A list of the seed: the system attributes every entry has, then its own (which cannot be unique), no
 * entries. The caller checks the slug is free and the parent object exists.
 */
export function seedListDef(
  l: EmulatorSeedList,
  createdAt: string,
  hasObject: (slug: string) => boolean
): ListDef {
  const id = uuid()
  const attributes: AttributeDef[] = LIST_SYSTEM_ATTRIBUTES.map((a) => ({
    ...standardAttributeDef(l.api_slug, a, createdAt),
    listId: id
  }))
  for (const a of l.attributes ?? []) {
    if (a.is_unique) throw new Error(`seed: list attribute "${l.api_slug}.${a.api_slug}" cannot be unique`)
    attributes.push({ ...seedAttributeDef(l.api_slug, attributes, a, createdAt, hasObject), listId: id })
  }
  return {
    id,
    api_slug: l.api_slug,
    name: l.name,
    parent_object: l.parent_object,
    created_at: createdAt,
    attributes,
    entries: new Map()
  }
}
