/**
 * What the destination knows of a workspace: its objects, each object's attributes, and the options of
 * select and status attributes. Read from Attio on first use and cached per workspace credential (keyed by
 * a hash, never the credential), bounded in size, with a time to live of a few minutes. Concurrent events
 * share one in-flight read.
 */
import { LRUCache } from 'lru-cache'
import type { AttioClient } from './client'
import type { AttributeDef, ObjectDef, OptionDef } from './wire'

export const SCHEMA_TTL_MS = 5 * 60 * 1000
export const SCHEMA_MAX_ENTRIES = 2000

type Entry = ObjectDef[] | AttributeDef[] | OptionDef[]

interface FetchContext {
  load: () => Promise<Entry>
}

function createCaches(max: number, ttl: number) {
  return {
    entries: new LRUCache<string, Entry, FetchContext>({
      max,
      ttl,
      fetchMethod: (_key, _stale, { context }) => context.load()
    }),
    /** Slugs looked up after a refresh and still unknown, so they do not cause a read per event. */
    knownUnknown: new LRUCache<string, true>({ max: max * 4, ttl })
  }
}

let { entries: cache, knownUnknown } = createCaches(SCHEMA_MAX_ENTRIES, SCHEMA_TTL_MS)

/** Empties every cached schema; with limits, also changes the bound and time to live (tests). */
export function clearSchemaCache(limits?: { max?: number; ttlMs?: number }): void {
  ;({ entries: cache, knownUnknown } = createCaches(
    limits?.max ?? SCHEMA_MAX_ENTRIES,
    limits?.ttlMs ?? SCHEMA_TTL_MS
  ))
}

/** How many schema entries are cached (tests of the bound). */
export function schemaCacheSize(): number {
  return cache.size
}

async function cached<T extends Entry>(
  key: string,
  load: () => Promise<T>,
  forceRefresh = false
): Promise<T> {
  const value = await cache.fetch(key, { context: { load }, forceRefresh })
  return value as T
}

export class WorkspaceSchema {
  constructor(private readonly client: AttioClient) {}

  private key(...parts: string[]): string {
    return [this.client.workspaceKey, ...parts].join('\u0000')
  }

  objects(forceRefresh = false): Promise<ObjectDef[]> {
    return cached(this.key('objects'), () => this.client.listObjects(), forceRefresh)
  }

  attributes(object: string, forceRefresh = false): Promise<AttributeDef[]> {
    return cached(this.key('attributes', object), () => this.client.listAttributes(object), forceRefresh)
  }

  options(object: string, attribute: AttributeDef): Promise<OptionDef[]> {
    const kind = attribute.type === 'status' ? 'statuses' : 'options'
    return cached(this.key(kind, object, attribute.id), () =>
      this.client.listOptions(object, attribute.slug, kind)
    )
  }

  /**
   * Finds an attribute by slug or id. An unknown one causes one refresh of the object's attributes (it
   * may have just been created) before it is declared unknown; later events with the same unknown slug
   * do not read again until the cache entry expires.
   */
  async findAttribute(object: string, slugOrId: string): Promise<AttributeDef | undefined> {
    const match = (list: AttributeDef[]) => list.find((a) => a.slug === slugOrId || a.id === slugOrId)
    const found = match(await this.attributes(object))
    if (found) return found
    const unknownKey = this.key('unknown', object, slugOrId)
    if (knownUnknown.has(unknownKey)) return undefined
    const refreshed = match(await this.attributes(object, true))
    if (!refreshed) knownUnknown.set(unknownKey, true)
    return refreshed
  }

  /** Slugs of objects by object id, for record-reference attributes' allowed objects. */
  async objectSlugs(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return []
    let objects = await this.objects()
    const missing = ids.filter((id) => !objects.some((object) => object.id === id))
    const unknownKey = this.key('unknown-objects', ...missing)
    if (missing.length > 0 && !knownUnknown.has(unknownKey)) {
      objects = await this.objects(true)
      if (ids.some((id) => !objects.some((object) => object.id === id))) knownUnknown.set(unknownKey, true)
    }
    return ids.map((id) => objects.find((object) => object.id === id)?.slug ?? id)
  }
}
