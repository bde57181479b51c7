/**
 * What the destination knows of a workspace: its objects, each object's attributes, and the options of
 * select and status attributes. Read from Attio on first use and cached per workspace credential (keyed by
 * a hash, never the credential), bounded in size, with a time to live of a few minutes. Concurrent events
 * share one in-flight read.
 *
 * Schema drift: a value that fails only because the cached list lacks what it names (an attribute, an
 * option or status, an object just activated) makes the destination read that list again once before the
 * value is refused, and at most once per `SCHEMA_REFRESH_INTERVAL_MS` per list, so a stream of bad values
 * costs one read per list and interval, not one per event. Within that interval a value is checked against
 * what that read found (waiting for it while it is in flight), never an invocation's older copy of the list.
 */
import { LRUCache } from 'lru-cache'
import { METRICS, type Telemetry } from './telemetry'
import type { AttributeDef, ObjectDef, OptionDef } from './wire'

/**
 * What the schema reads through: the client's list reads and the key of its workspace (the AttioClient is
 * one; named here by shape so that the cache below the client does not depend on the client's module).
 */
export interface SchemaSource {
  readonly workspaceKey: string
  /** Where cache hits, misses and refreshes are counted and refreshes logged (the host's, via the client). */
  readonly telemetry: Telemetry
  listObjects(): Promise<ObjectDef[]>
  listAttributes(object: string): Promise<AttributeDef[]>
  listOptions(object: string, attribute: string, kind: 'options' | 'statuses'): Promise<OptionDef[]>
}

export const SCHEMA_TTL_MS = 5 * 60 * 1000
export const SCHEMA_MAX_ENTRIES = 2000
/** The least time between two refreshes of one list caused by values it lacked. */
export const SCHEMA_REFRESH_INTERVAL_MS = 10 * 1000

type Entry = ObjectDef[] | AttributeDef[] | OptionDef[]

/** Which list an entry is, for metric tags (list kind and object only: few distinct values) and logs. */
interface ListName {
  list: 'objects' | 'attributes' | 'options' | 'statuses'
  object?: string
  attribute?: string
}

const tagsOf = ({ list, object }: ListName): Record<string, string> =>
  object === undefined ? { list } : { list, object }
const describe = ({ list, object, attribute }: ListName) =>
  object === undefined ? list : `${list} of ${object}${attribute === undefined ? '' : `.${attribute}`}`

/**
 * How a list is read: `false`, what this invocation already read, else the shared cache; `'shared'`, the
 * shared cache (what another invocation's refresh left there); `true`, from Attio again (a refresh).
 */
type Read = boolean | 'shared'

interface FetchContext {
  load: () => Promise<Entry>
}

function createCaches(max: number, ttl: number) {
  return {
    entries: new LRUCache<string, Entry, FetchContext>({
      max,
      ttl,
      fetchMethod: (_key, _stale, { context }) => context.load(),
      // A list dropped while it is being read (another process read it again: `forgetSchemaEntry`) must not
      // fail the events waiting for that read: lru-cache would reject them with a bare `Error: deleted`, which
      // no host retries. The read answers them instead, and is not kept (the next use reads the list again).
      ignoreFetchAbort: true
    }),
    /** When a list was last read again because a value named something it lacked (epoch ms). */
    refreshedAt: new LRUCache<string, number>({ max, ttl })
  }
}

let { entries: cache, refreshedAt } = createCaches(SCHEMA_MAX_ENTRIES, SCHEMA_TTL_MS)

/** Empties every cached schema; with limits, also changes the bound and time to live (tests). */
export function clearSchemaCache(limits?: { max?: number; ttlMs?: number }): void {
  ;({ entries: cache, refreshedAt } = createCaches(
    limits?.max ?? SCHEMA_MAX_ENTRIES,
    limits?.ttlMs ?? SCHEMA_TTL_MS
  ))
}

/** How many schema entries are cached (tests of the bound). */
export function schemaCacheSize(): number {
  return cache.size
}

/** Where a refresh is told (set by src/api/state in fleet mode, so other processes read the list again). */
export const schemaChanges: { publish?: (key: string) => void } = {}

/** Another process read this list again: the cached one is dropped, the next use reads it (fleet mode). */
export function forgetSchemaEntry(key: string): void {
  cache.delete(key)
}

/** The cached list, read on a miss; counted as a hit (a concurrent read shared counts as one) or a miss. */
async function cached<T extends Entry>(
  telemetry: Telemetry,
  name: ListName,
  key: string,
  load: () => Promise<T>,
  forceRefresh = false
): Promise<T> {
  let read = false
  const counted = () => {
    read = true
    return load()
  }
  const value = await cache.fetch(key, { context: { load: counted }, forceRefresh })
  if (!forceRefresh) telemetry.count(read ? METRICS.schemaMiss : METRICS.schemaHit, 1, tagsOf(name))
  return value as T
}

/**
 * Reads a list again for a value it lacked, unless that was done within `SCHEMA_REFRESH_INTERVAL_MS`: then
 * the list as that read left it (`current`: the shared cache, waiting for the read while it is in flight),
 * not the asking invocation's older copy, which may predate it. A read that fails does not count, so the
 * event's retry may read it again.
 */
async function refresh<T>(
  telemetry: Telemetry,
  name: ListName,
  key: string,
  read: () => Promise<T>,
  current: () => Promise<T>
): Promise<T> {
  const last = refreshedAt.get(key)
  if (last !== undefined && Date.now() - last < SCHEMA_REFRESH_INTERVAL_MS) return current()
  refreshedAt.set(key, Date.now())
  telemetry.count(METRICS.schemaRefresh, 1, tagsOf(name))
  telemetry.debug(
    `schema refresh: reading the ${describe(name)} again; a value named something the cached list lacks`
  )
  try {
    const fresh = await read()
    schemaChanges.publish?.(key)
    return fresh
  } catch (error) {
    refreshedAt.delete(key)
    throw error
  }
}

/** An attribute list's index by slug and by id, built once per list read. */
const attributeIndexes = new WeakMap<AttributeDef[], Map<string, AttributeDef>>()

/** The attribute of a list read by slug or id (the first of the list with it), without reading anything. */
export const attributeNamed = (list: AttributeDef[], slugOrId: string): AttributeDef | undefined =>
  indexOf(list).get(slugOrId)

function indexOf(list: AttributeDef[]): Map<string, AttributeDef> {
  let index = attributeIndexes.get(list)
  if (!index) {
    index = new Map()
    // Backwards, so the first attribute of the list with that slug or id wins (as a search from the start).
    for (let i = list.length - 1; i >= 0; i--) {
      index.set(list[i].id, list[i])
      index.set(list[i].slug, list[i])
    }
    attributeIndexes.set(list, index)
  }
  return index
}

/**
 * One invocation's view of the workspace's schema (an action's `perform` or `performBatch` makes one): the
 * shared cache above, and what this invocation already read from it, so the thousands of lookups of a batch
 * cost a map read each rather than a cache fetch. A refresh replaces what it remembers.
 */
export class WorkspaceSchema {
  /** Lists this invocation read, by cache key. */
  private readonly seen = new Map<string, Entry>()

  constructor(private readonly client: SchemaSource) {}

  /**
   * The list named by `parts`: what this invocation read, else the shared cache (read on a miss). The shared
   * cache's key is the workspace key and the parts; this invocation's is the parts alone.
   */
  private list<T extends Entry>(
    name: ListName,
    parts: string[],
    load: () => Promise<T>,
    read: Read
  ): Promise<T> {
    const local = parts.join('\u0000')
    const forceRefresh = read === true
    if (read === false) {
      const seen = this.peek<T>(local, name.list, name.object)
      if (seen) return Promise.resolve(seen)
    }
    return cached(this.telemetry, name, this.key(...parts), load, forceRefresh).then((value) => {
      this.seen.set(local, value)
      return value
    })
  }

  /** A list this invocation already read, counted as a cache hit; undefined when it has not read it. */
  private peek<T extends Entry>(local: string, list: ListName['list'], object?: string): T | undefined {
    const seen = this.seen.get(local) as T | undefined
    if (seen) {
      // The tags of a list's hits, made once per list of this invocation (every record of a batch asks).
      let hit = this.hitTags.get(local)
      if (!hit) this.hitTags.set(local, (hit = tagsOf({ list, object })))
      this.telemetry.count(METRICS.schemaHit, 1, hit)
    }
    return seen
  }

  private readonly hitTags = new Map<string, Record<string, string>>()

  /** The object's attributes when this invocation already read them (then nothing to wait for). */
  seenAttributes(object: string): AttributeDef[] | undefined {
    let local = this.localKeys.get(object)
    if (local === undefined) this.localKeys.set(object, (local = `attributes\u0000${object}`))
    return this.peek(local, 'attributes', object)
  }

  /** The attribute's options or statuses when this invocation already read them. */
  seenOptions(object: string, attribute: AttributeDef): OptionDef[] | undefined {
    const kind = attribute.type === 'status' ? 'statuses' : 'options'
    let local = this.optionKeys.get(attribute)
    if (local === undefined)
      this.optionKeys.set(attribute, (local = `${kind}\u0000${object}\u0000${attribute.id}`))
    return this.peek(local, kind, object)
  }

  /**
   * The keys `seenAttributes` and `seenOptions` look up, built once per object and attribute of this
   * invocation (a batch asks thousands of times; joining the parts each time was most of the lookup).
   */
  private readonly localKeys = new Map<string, string>()
  private readonly optionKeys = new Map<AttributeDef, string>()

  private get telemetry(): Telemetry {
    return this.client.telemetry
  }

  private key(...parts: string[]): string {
    return [this.client.workspaceKey, ...parts].join('\u0000')
  }

  objects(read: Read = false): Promise<ObjectDef[]> {
    return this.list({ list: 'objects' }, ['objects'], () => this.client.listObjects(), read)
  }

  attributes(object: string, read: Read = false): Promise<AttributeDef[]> {
    return this.list(
      { list: 'attributes', object },
      ['attributes', object],
      () => this.client.listAttributes(object),
      read
    )
  }

  options(object: string, attribute: AttributeDef, read: Read = false): Promise<OptionDef[]> {
    const kind = attribute.type === 'status' ? 'statuses' : 'options'
    return this.list(
      { list: kind, object, attribute: attribute.slug },
      [kind, object, attribute.id],
      () => this.client.listOptions(object, attribute.slug, kind),
      read
    )
  }

  /**
   * After a value matched none of an attribute's cached options or statuses: reads them again, unless that
   * was done within `SCHEMA_REFRESH_INTERVAL_MS` (then takes what that read found). Says whether the list
   * this invocation holds now may differ from the one the value was checked against.
   */
  async refreshOptions(object: string, attribute: AttributeDef): Promise<boolean> {
    const kind = attribute.type === 'status' ? 'statuses' : 'options'
    const held = this.seen.get(`${kind}\u0000${object}\u0000${attribute.id}`)
    const now = await refresh(
      this.telemetry,
      { list: kind, object, attribute: attribute.slug },
      this.key(kind, object, attribute.id),
      () => this.options(object, attribute, true),
      () => this.options(object, attribute, 'shared')
    )
    return now !== held
  }

  /**
   * Finds an attribute by slug or id. An unknown one causes a refresh of the object's attributes (it may
   * have just been created) before it is declared unknown, at most once per `SCHEMA_REFRESH_INTERVAL_MS`.
   */
  async findAttribute(object: string, slugOrId: string): Promise<AttributeDef | undefined> {
    const match = (list: AttributeDef[]) => attributeNamed(list, slugOrId)
    const found = match(await this.attributes(object))
    if (found) return found
    const refreshed = await refresh(
      this.telemetry,
      { list: 'attributes', object },
      this.key('attributes', object),
      () => this.attributes(object, true),
      () => this.attributes(object, 'shared')
    )
    return match(refreshed)
  }

  /** Whether the workspace has this object activated (read again once an interval when it seems not). */
  async hasObject(slug: string): Promise<boolean> {
    const has = (objects: ObjectDef[]) => objects.some((object) => object.slug === slug)
    if (has(await this.objects())) return true
    const refreshed = await refresh(
      this.telemetry,
      { list: 'objects' },
      this.key('objects'),
      () => this.objects(true),
      () => this.objects('shared')
    )
    return has(refreshed)
  }

  /** Slugs of objects by object id, for record-reference attributes' allowed objects. */
  async objectSlugs(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return []
    let objects = await this.objects()
    const missing = ids.some((id) => !objects.some((object) => object.id === id))
    if (missing)
      objects = await refresh(
        this.telemetry,
        { list: 'objects' },
        this.key('objects'),
        () => this.objects(true),
        () => this.objects('shared')
      )
    return ids.map((id) => objects.find((object) => object.id === id)?.slug ?? id)
  }
}
