/**
 * The in-memory workspace: objects, attribute definitions, workspace members, lists and records, with the
 * unique-value index behind matching. Built from the standard objects and the seed (definitions.ts); its
 * JSON shapes are in json.ts.
 */
import { seedAttributeDef, seedListDef, standardAttributeDef } from './definitions'
import * as json from './json'
import {
  systemValues,
  type AttributeDef,
  type ListDef,
  type Member,
  type ObjectDef,
  type RecordData,
  type SelectOptionDef,
  type StatusDef,
  type StoredValue
} from './model'
import { RELATIONSHIPS, STANDARD_OBJECTS, SYSTEM_ATTRIBUTES } from './standard-objects'
import type {
  EmulatorActor,
  EmulatorSeed,
  EmulatorSeedAttribute,
  EmulatorSeedList,
  EmulatorSeedObject,
  EmulatorState,
  EmulatorValue,
  OptionalObjectSlug
} from './types'
import { nowTimestamp, uuid } from './util'

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
  /** Whether an object slug is known (activated or not): the seed's references are checked with it. */
  private readonly hasObject = (slug: string): boolean => this.records.has(slug)

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
        std.attributes.map((a) => standardAttributeDef(std.slug, a, createdAt))
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
      SYSTEM_ATTRIBUTES.map((a) => standardAttributeDef(o.api_slug, a, createdAt))
    )
    this.records.set(o.api_slug, new Map())
  }

  private addSeedAttribute(object: string, a: EmulatorSeedAttribute, createdAt: string): void {
    const list = this.attributes.get(object) as AttributeDef[]
    list.push(seedAttributeDef(object, list, a, createdAt, this.hasObject))
  }

  /** A list of the seed: its parent object, the system attributes every entry has, and its own attributes. */
  private addSeedList(l: EmulatorSeedList, createdAt: string): void {
    if (this.lists.some((x) => x.api_slug === l.api_slug))
      throw new Error(`seed: list "${l.api_slug}" already exists`)
    if (!this.records.has(l.parent_object))
      throw new Error(`seed: list "${l.api_slug}" has unknown parent object "${l.parent_object}"`)
    this.lists.push(seedListDef(l, createdAt, this.hasObject))
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
    for (const [slug, value] of systemValues('record_id', id, createdAt, actor))
      this.setValues(rec, this.attributeBySlug(object, slug).id, [value])
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

  // ---- serialisation (json.ts: the shapes of Attio's OpenAPI document) ----

  objectJson(o: ObjectDef): Record<string, unknown> {
    return json.objectJson(this, o)
  }

  attributeId(a: AttributeDef): Record<string, string> {
    return json.attributeId(this, a)
  }

  attributeJson(a: AttributeDef): Record<string, unknown> {
    return json.attributeJson(this, a)
  }

  optionJson(a: AttributeDef, o: SelectOptionDef): Record<string, unknown> {
    return json.optionJson(this, a, o)
  }

  statusJson(a: AttributeDef, s: StatusDef): Record<string, unknown> {
    return json.statusJson(this, a, s)
  }

  valueJson(a: AttributeDef, v: StoredValue): EmulatorValue {
    return json.valueJson(a, v)
  }

  recordValuesJson(rec: RecordData): Record<string, EmulatorValue[]> {
    return json.recordValuesJson(this, rec)
  }

  recordJson(rec: RecordData): Record<string, unknown> {
    return json.recordJson(this, rec)
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
