/** The in-memory workspace: objects, attribute definitions, workspace members and records. */
import { readFileSync } from 'node:fs'

import {
  RELATIONSHIPS,
  STANDARD_OBJECTS,
  SYSTEM_ATTRIBUTES,
  type StandardAttribute
} from './standard-objects'
import {
  ATTRIBUTE_TYPES,
  type AttributeType,
  type EmulatorActor,
  type EmulatorSeed,
  type EmulatorSeedAttribute,
  type EmulatorSeedList,
  type EmulatorSeedObject,
  type EmulatorState,
  type EmulatorValue,
  type OptionalObjectSlug
} from './types'
import { isPlainObject, nowTimestamp, uuid } from './util'

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

/** The attributes every list entry has, set by Attio. */
const LIST_SYSTEM_ATTRIBUTES: readonly StandardAttribute[] = [
  { slug: 'entry_id', title: 'Entry ID', type: 'text', writable: false },
  { slug: 'created_at', title: 'Created at', type: 'timestamp', writable: false },
  { slug: 'created_by', title: 'Created by', type: 'actor-reference', writable: false }
]

export interface Member {
  id: string
  email_address: string
  first_name: string
  last_name: string
  access_level: string
  created_at: string
}

export const SYSTEM_ACTOR: EmulatorActor = { type: 'system', id: null }

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

/** Checks a seed (file contents or object) and returns it typed; throws on anything malformed. */
export function parseSeed(input: unknown, where = 'seed'): EmulatorSeed {
  if (!isPlainObject(input)) throw new Error(`${where}: expected a JSON object`)
  const seed: EmulatorSeed = {}
  if (input.workspace !== undefined) {
    if (!isPlainObject(input.workspace)) throw new Error(`${where}.workspace: expected an object`)
    const { name, slug } = input.workspace
    if (name !== undefined && typeof name !== 'string')
      throw new Error(`${where}.workspace.name: expected a string`)
    if (slug !== undefined && typeof slug !== 'string')
      throw new Error(`${where}.workspace.slug: expected a string`)
    seed.workspace = { name, slug }
  }
  if (input.members !== undefined) {
    if (!Array.isArray(input.members)) throw new Error(`${where}.members: expected an array`)
    seed.members = input.members.map((m, i) => {
      if (!isPlainObject(m) || typeof m.email_address !== 'string')
        throw new Error(`${where}.members[${i}]: expected {email_address, first_name?, last_name?}`)
      for (const k of ['first_name', 'last_name', 'access_level'])
        if (m[k] !== undefined && typeof m[k] !== 'string')
          throw new Error(`${where}.members[${i}].${k}: not a string`)
      return {
        email_address: m.email_address,
        first_name: m.first_name as string | undefined,
        last_name: m.last_name as string | undefined,
        access_level: m.access_level as 'admin' | 'member' | 'suspended' | undefined
      }
    })
  }
  if (input.objects !== undefined) {
    if (!Array.isArray(input.objects)) throw new Error(`${where}.objects: expected an array`)
    seed.objects = input.objects.map((o, i) => parseSeedObject(o, `${where}.objects[${i}]`))
  }
  if (input.attributes !== undefined) {
    if (!isPlainObject(input.attributes))
      throw new Error(`${where}.attributes: expected an object keyed by object slug`)
    seed.attributes = {}
    for (const [object, list] of Object.entries(input.attributes)) {
      if (!Array.isArray(list)) throw new Error(`${where}.attributes.${object}: expected an array`)
      seed.attributes[object] = list.map((a, i) =>
        parseSeedAttribute(a, `${where}.attributes.${object}[${i}]`)
      )
    }
  }
  if (input.lists !== undefined) {
    if (!Array.isArray(input.lists)) throw new Error(`${where}.lists: expected an array`)
    seed.lists = input.lists.map((l, i) => parseSeedList(l, `${where}.lists[${i}]`))
  }
  return seed
}

function parseSeedList(l: unknown, where: string): EmulatorSeedList {
  if (!isPlainObject(l)) throw new Error(`${where}: expected {api_slug, name, parent_object, attributes?}`)
  if (typeof l.api_slug !== 'string' || !/^[a-z][a-z0-9_]*$/.test(l.api_slug))
    throw new Error(`${where}.api_slug: expected a snake_case string`)
  for (const k of ['name', 'parent_object'])
    if (typeof l[k] !== 'string' || (l[k] as string).trim() === '')
      throw new Error(`${where}.${k}: expected a non-empty string`)
  if (l.attributes !== undefined && !Array.isArray(l.attributes))
    throw new Error(`${where}.attributes: expected an array`)
  return {
    api_slug: l.api_slug,
    name: l.name as string,
    parent_object: l.parent_object as string,
    attributes: ((l.attributes as unknown[] | undefined) ?? []).map((a, i) =>
      parseSeedAttribute(a, `${where}.attributes[${i}]`)
    )
  }
}

function parseSeedObject(o: unknown, where: string): EmulatorSeedObject {
  if (!isPlainObject(o)) throw new Error(`${where}: expected {api_slug, singular_noun, plural_noun}`)
  if (typeof o.api_slug !== 'string' || !/^[a-z][a-z0-9_]*$/.test(o.api_slug))
    throw new Error(`${where}.api_slug: expected a snake_case string`)
  for (const k of ['singular_noun', 'plural_noun'])
    if (typeof o[k] !== 'string' || (o[k] as string).trim() === '')
      throw new Error(`${where}.${k}: expected a non-empty string`)
  return {
    api_slug: o.api_slug,
    singular_noun: o.singular_noun as string,
    plural_noun: o.plural_noun as string
  }
}

function parseSeedAttribute(a: unknown, where: string): EmulatorSeedAttribute {
  if (!isPlainObject(a)) throw new Error(`${where}: expected an object`)
  if (typeof a.api_slug !== 'string' || !/^[a-z0-9_]+$/.test(a.api_slug))
    throw new Error(`${where}.api_slug: expected a snake_case string`)
  if (typeof a.type !== 'string' || !(ATTRIBUTE_TYPES as readonly string[]).includes(a.type))
    throw new Error(`${where}.type: expected one of ${ATTRIBUTE_TYPES.join(', ')}`)
  for (const k of ['is_multiselect', 'is_unique', 'is_required', 'is_archived'])
    if (a[k] !== undefined && typeof a[k] !== 'boolean') throw new Error(`${where}.${k}: expected a boolean`)
  for (const k of ['options', 'statuses', 'allowed_objects'])
    if (
      a[k] !== undefined &&
      (!Array.isArray(a[k]) || !(a[k] as unknown[]).every((x) => typeof x === 'string'))
    )
      throw new Error(`${where}.${k}: expected an array of strings`)
  for (const k of ['title', 'currency_code', 'display_type'])
    if (a[k] !== undefined && typeof a[k] !== 'string') throw new Error(`${where}.${k}: expected a string`)
  if (a.description !== undefined && a.description !== null && typeof a.description !== 'string')
    throw new Error(`${where}.description: expected a string or null`)
  return a as unknown as EmulatorSeedAttribute
}

export function loadSeedFile(path: string): EmulatorSeed {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new Error(`Cannot read seed file ${path}: ${(e as Error).message}`, { cause: e })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new Error(`Seed file ${path} is not valid JSON: ${(e as Error).message}`, { cause: e })
  }
  return parseSeed(json, path)
}

export interface WorkspaceOptions {
  seed: EmulatorSeed
  objects?: Partial<Record<OptionalObjectSlug, boolean>>
}

export class Workspace {
  readonly id = uuid()
  readonly name: string
  readonly slug: string
  readonly objects: ObjectDef[] = []
  readonly attributes = new Map<string, AttributeDef[]>()
  readonly members: Member[] = []
  readonly lists: ListDef[] = []
  private readonly records = new Map<string, Map<string, RecordData>>()
  /** Value key -> records, for unique attributes (matching, uniqueness checks and reference look-ups). */
  private readonly index = new Map<string, Map<string, Set<RecordData>>>()

  constructor(options: WorkspaceOptions) {
    const { seed } = options
    this.name = seed.workspace?.name ?? 'Emulated Workspace'
    this.slug = seed.workspace?.slug ?? 'emulated-workspace'
    const createdAt = nowTimestamp()
    for (const std of STANDARD_OBJECTS) {
      const active = !std.optional || options.objects?.[std.slug as OptionalObjectSlug] !== false
      this.objects.push({
        id: uuid(),
        api_slug: std.slug,
        singular_noun: std.singular,
        plural_noun: std.plural,
        created_at: createdAt,
        active,
        key: std.key
      })
      this.attributes.set(
        std.slug,
        std.attributes.map((a) => this.standardAttribute(std.slug, a, createdAt))
      )
      this.records.set(std.slug, new Map())
    }
    for (const custom of seed.objects ?? []) this.addCustomObject(custom, createdAt)
    for (const [objA, attrA, objB, attrB] of RELATIONSHIPS) {
      const a = this.attributeBySlug(objA, attrA)
      const b = this.attributeBySlug(objB, attrB)
      a.relationship = { object: objB, attribute: b.id }
      b.relationship = { object: objA, attribute: a.id }
    }
    for (const [object, list] of Object.entries(seed.attributes ?? {})) {
      if (!this.records.has(object)) throw new Error(`seed: unknown object "${object}"`)
      for (const a of list) this.addSeedAttribute(object, a, createdAt)
    }
    for (const list of this.attributes.values())
      for (const a of list) if (a.is_unique) this.index.set(a.id, new Map())
    for (const l of seed.lists ?? []) this.addSeedList(l, createdAt)
    for (const m of seed.members ?? []) {
      this.members.push({
        id: uuid(),
        email_address: m.email_address.trim().toLowerCase(),
        first_name: m.first_name ?? '',
        last_name: m.last_name ?? '',
        access_level: m.access_level ?? 'member',
        created_at: createdAt
      })
    }
  }

  private standardAttribute(object: string, a: StandardAttribute, createdAt: string): AttributeDef {
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
      options: (a.options ?? []).map((title) => ({ id: uuid(), title, is_archived: false })),
      statuses: (a.statuses ?? []).map((title) => ({
        id: uuid(),
        title,
        is_archived: false,
        celebration_enabled: title.includes('Won'),
        target_time_in_status: null
      }))
    }
  }

  /** A custom object of the seed: activated, with the system attributes every object has. */
  private addCustomObject(o: EmulatorSeedObject, createdAt: string): void {
    if (this.records.has(o.api_slug)) throw new Error(`seed: object "${o.api_slug}" already exists`)
    this.objects.push({
      id: uuid(),
      api_slug: o.api_slug,
      singular_noun: o.singular_noun,
      plural_noun: o.plural_noun,
      created_at: createdAt,
      active: true
    })
    this.attributes.set(
      o.api_slug,
      SYSTEM_ATTRIBUTES.map((a) => this.standardAttribute(o.api_slug, a, createdAt))
    )
    this.records.set(o.api_slug, new Map())
  }

  private addSeedAttribute(object: string, a: EmulatorSeedAttribute, createdAt: string): void {
    const list = this.attributes.get(object) as AttributeDef[]
    list.push(this.seedAttributeDef(object, list, a, createdAt))
  }

  private seedAttributeDef(
    object: string,
    list: AttributeDef[],
    a: EmulatorSeedAttribute,
    createdAt: string
  ): AttributeDef {
    if (list.some((x) => x.api_slug === a.api_slug))
      throw new Error(`seed: attribute "${object}.${a.api_slug}" already exists`)
    if (a.is_multiselect && !canBeMultiselect(a.type))
      throw new Error(`seed: attribute "${object}.${a.api_slug}" of type ${a.type} cannot be multiselect`)
    if (a.type === 'record-reference') {
      for (const o of a.allowed_objects ?? [])
        if (!this.records.has(o))
          throw new Error(`seed: "${object}.${a.api_slug}" allows unknown object "${o}"`)
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
      options: (a.options ?? []).map((title) => ({ id: uuid(), title, is_archived: false })),
      statuses: (a.statuses ?? []).map((title) => ({
        id: uuid(),
        title,
        is_archived: false,
        celebration_enabled: false,
        target_time_in_status: null
      }))
    }
  }

  /** A list of the seed: its parent object, the system attributes every entry has, and its own attributes. */
  private addSeedList(l: EmulatorSeedList, createdAt: string): void {
    if (this.lists.some((x) => x.api_slug === l.api_slug))
      throw new Error(`seed: list "${l.api_slug}" already exists`)
    if (!this.records.has(l.parent_object))
      throw new Error(`seed: list "${l.api_slug}" has unknown parent object "${l.parent_object}"`)
    const id = uuid()
    const attributes: AttributeDef[] = LIST_SYSTEM_ATTRIBUTES.map((a) => ({
      ...this.standardAttribute(l.api_slug, a, createdAt),
      listId: id
    }))
    for (const a of l.attributes ?? []) {
      if (a.is_unique) throw new Error(`seed: list attribute "${l.api_slug}.${a.api_slug}" cannot be unique`)
      attributes.push({ ...this.seedAttributeDef(l.api_slug, attributes, a, createdAt), listId: id })
    }
    this.lists.push({
      id,
      api_slug: l.api_slug,
      name: l.name,
      parent_object: l.parent_object,
      created_at: createdAt,
      attributes,
      entries: new Map()
    })
  }

  // ---- objects ----

  /** An activated object by slug or id. */
  object(slugOrId: string): ObjectDef | undefined {
    return this.objects.find((o) => o.active && (o.api_slug === slugOrId || o.id === slugOrId))
  }

  activeObjects(): ObjectDef[] {
    return this.objects.filter((o) => o.active)
  }

  objectBySlug(slug: string): ObjectDef {
    const o = this.objects.find((x) => x.api_slug === slug)
    if (!o) throw new Error(`unknown object ${slug}`)
    return o
  }

  // ---- attributes ----

  /** Whether an attribute is visible: a reference to deactivated objects only is hidden, like in Attio. */
  private visible(a: AttributeDef): boolean {
    if (a.type !== 'record-reference' || a.allowedObjects === null) return true
    return a.allowedObjects.some((slug) => this.object(slug) !== undefined)
  }

  /** Visible attributes of an object, archived ones only when asked. */
  attributesOf(object: string, includeArchived = false): AttributeDef[] {
    return (this.attributes.get(object) ?? []).filter(
      (a) => this.visible(a) && (includeArchived || !a.is_archived)
    )
  }

  /** A visible attribute (archived ones included) by slug or id. */
  attribute(object: string, slugOrId: string): AttributeDef | undefined {
    return this.attributesOf(object, true).find((a) => a.api_slug === slugOrId || a.id === slugOrId)
  }

  attributeBySlug(object: string, slug: string): AttributeDef {
    const a = (this.attributes.get(object) ?? []).find((x) => x.api_slug === slug)
    if (!a) throw new Error(`unknown attribute ${object}.${slug}`)
    return a
  }

  attributeById(object: string, id: string): AttributeDef | undefined {
    return (this.attributes.get(object) ?? []).find((x) => x.id === id)
  }

  addAttribute(def: AttributeDef): void {
    const list = this.attributes.get(def.object)
    if (!list) throw new Error(`unknown object ${def.object}`)
    list.push(def)
    if (def.is_unique) this.index.set(def.id, new Map())
  }

  // ---- members ----

  memberByEmail(email: string): Member | undefined {
    const e = email.trim().toLowerCase()
    return this.members.find((m) => m.email_address === e)
  }

  memberById(id: string): Member | undefined {
    return this.members.find((m) => m.id === id)
  }

  // ---- records ----

  recordsOf(object: string): RecordData[] {
    return [...(this.records.get(object)?.values() ?? [])]
  }

  record(object: string, id: string): RecordData | undefined {
    return this.records.get(object)?.get(id)
  }

  /** Sets the values of one attribute of a record, keeping the unique-value index up to date. */
  setValues(rec: RecordData, attrId: string, list: StoredValue[]): void {
    const idx = this.index.get(attrId)
    if (idx) {
      for (const v of rec.values.get(attrId) ?? []) {
        const set = idx.get(v.key)
        set?.delete(rec)
        if (set?.size === 0) idx.delete(v.key)
      }
      for (const v of list) {
        let set = idx.get(v.key)
        if (!set) idx.set(v.key, (set = new Set()))
        set.add(rec)
      }
    }
    rec.values.set(attrId, list)
  }

  addRecord(object: string, actor: EmulatorActor, createdAt = nowTimestamp()): RecordData {
    const id = uuid()
    const rec: RecordData = { id, object, created_at: createdAt, values: new Map() }
    const sys = (slug: string, props: Record<string, unknown>, key: string): void => {
      this.setValues(rec, this.attributeBySlug(object, slug).id, [
        { props, key, active_from: createdAt, created_by_actor: SYSTEM_ACTOR }
      ])
    }
    sys('record_id', { value: id }, id)
    sys('created_at', { value: createdAt }, createdAt)
    sys(
      'created_by',
      { referenced_actor_type: actor.type, referenced_actor_id: actor.id },
      `${actor.type}:${actor.id ?? ''}`
    )
    this.records.get(object)?.set(id, rec)
    return rec
  }

  removeRecord(object: string, id: string): boolean {
    const rec = this.record(object, id)
    if (!rec) return false
    for (const attrId of [...rec.values.keys()]) this.setValues(rec, attrId, [])
    // Attio deletes a record's list entries with it.
    for (const l of this.lists)
      for (const e of [...l.entries.values()])
        if (e.parent_object === object && e.parent_record_id === id) l.entries.delete(e.id)
    return this.records.get(object)?.delete(id) ?? false
  }

  /** Records of an object with a value of `attr` whose key is one of `keys`, in creation order. */
  findByKeys(object: string, attr: AttributeDef, keys: Iterable<string>): RecordData[] {
    const idx = this.index.get(attr.id)
    if (idx) {
      const found = new Set<RecordData>()
      for (const k of keys) for (const r of idx.get(k) ?? []) found.add(r)
      if (found.size <= 1) return [...found]
      const all = this.recordsOf(object)
      return all.filter((r) => found.has(r))
    }
    const wanted = new Set(keys)
    return this.recordsOf(object).filter((r) => (r.values.get(attr.id) ?? []).some((v) => wanted.has(v.key)))
  }

  clearRecords(): void {
    for (const m of this.records.values()) m.clear()
    for (const idx of this.index.values()) idx.clear()
    for (const l of this.lists) l.entries.clear()
  }

  // ---- serialisation (shapes of Attio's OpenAPI document) ----

  objectJson(o: ObjectDef): Record<string, unknown> {
    return {
      id: { workspace_id: this.id, object_id: o.id },
      api_slug: o.api_slug,
      singular_noun: o.singular_noun,
      plural_noun: o.plural_noun,
      created_at: o.created_at
    }
  }

  attributeId(a: AttributeDef): Record<string, string> {
    // A list's attributes carry the list's id where an object's carry the object's (Attio's documented examples).
    if (a.listId) return { workspace_id: this.id, object_id: a.listId, attribute_id: a.id }
    return { workspace_id: this.id, object_id: this.objectBySlug(a.object).id, attribute_id: a.id }
  }

  attributeJson(a: AttributeDef): Record<string, unknown> {
    let relationship: Record<string, unknown> | null = null
    if (a.relationship) {
      const other = this.attributeById(a.relationship.object, a.relationship.attribute)
      if (other)
        relationship = {
          id: this.attributeId(other),
          object_slug: other.object,
          title: other.title,
          api_slug: other.api_slug,
          is_multiselect: other.is_multiselect
        }
    }
    return {
      id: this.attributeId(a),
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
            a.allowedObjects === null ? null : a.allowedObjects.map((s) => this.objectBySlug(s).id)
        }
      }
    }
  }

  optionJson(a: AttributeDef, o: SelectOptionDef): Record<string, unknown> {
    return { id: { ...this.attributeId(a), option_id: o.id }, title: o.title, is_archived: o.is_archived }
  }

  statusJson(a: AttributeDef, s: StatusDef): Record<string, unknown> {
    return {
      id: { ...this.attributeId(a), status_id: s.id },
      title: s.title,
      is_archived: s.is_archived,
      celebration_enabled: s.celebration_enabled,
      target_time_in_status: s.target_time_in_status
    }
  }

  valueJson(a: AttributeDef, v: StoredValue): EmulatorValue {
    return {
      active_from: v.active_from,
      active_until: null,
      created_by_actor: { ...v.created_by_actor },
      ...structuredClone(v.props),
      attribute_type: a.type
    }
  }

  recordValuesJson(rec: RecordData): Record<string, EmulatorValue[]> {
    const values: Record<string, EmulatorValue[]> = {}
    for (const a of this.attributesOf(rec.object)) {
      values[a.api_slug] = (rec.values.get(a.id) ?? []).map((v) => this.valueJson(a, v))
    }
    return values
  }

  recordJson(rec: RecordData): Record<string, unknown> {
    const object = this.objectBySlug(rec.object)
    return {
      id: { workspace_id: this.id, object_id: object.id, record_id: rec.id },
      created_at: rec.created_at,
      web_url: `https://app.attio.com/${this.slug}/${object.api_slug}/record/${rec.id}/overview`,
      values: this.recordValuesJson(rec)
    }
  }

  state(): EmulatorState {
    const state: EmulatorState = {}
    for (const o of this.activeObjects()) {
      state[o.api_slug] = this.recordsOf(o.api_slug).map((r) => ({
        record_id: r.id,
        created_at: r.created_at,
        values: this.recordValuesJson(r)
      }))
    }
    return state
  }
}
