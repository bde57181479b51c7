/**
 * A list's definition, attributes and options, cached per workspace credential like the objects' (schema.ts),
 * and the list a mapping names resolved (or refused with an error naming the `list` field).
 */
import { PayloadValidationError } from '@segment/actions-core'
import { LRUCache } from 'lru-cache'
import type { AttioClient } from '../client'
import { AttioApiError } from '../errors'
import { showValue } from '../records'
import type { AttributeDef, OptionDef } from '../wire'
import { getList, listLists, type ListDef } from './wire'

const LIST_TTL_MS = 5 * 60 * 1000
type Cached = ListDef | AttributeDef[] | OptionDef[]
let cache = new LRUCache<string, Promise<Cached>>({ max: 1000, ttl: LIST_TTL_MS })

/** Empties the cached list definitions (tests). */
export function clearListCache(): void {
  cache = new LRUCache<string, Promise<Cached>>({ max: 1000, ttl: LIST_TTL_MS })
  refreshedAt = new LRUCache<string, number>({ max: 1000, ttl: LIST_TTL_MS })
}

export function cached<T extends Cached>(
  client: AttioClient,
  key: string[],
  load: () => Promise<T>
): Promise<T> {
  const k = [client.workspaceKey, ...key].join('\u0000')
  let hit = cache.get(k) as Promise<T> | undefined
  if (!hit) {
    hit = load()
    cache.set(k, hit)
    // A failed read is not remembered: the next event reads again.
    hit.catch(() => cache.delete(k))
  }
  return hit
}

/** The least time between two re-reads of one cached list definition caused by a value it lacked. */
const LIST_REFRESH_INTERVAL_MS = 10 * 1000
let refreshedAt = new LRUCache<string, number>({ max: 1000, ttl: LIST_TTL_MS })

/**
 * Reads a cached definition again after a value named something it lacked (an attribute or a stage just
 * created in Attio), at most once per `LIST_REFRESH_INTERVAL_MS`; undefined when that was done too recently.
 */
export async function reread<T extends Cached>(
  client: AttioClient,
  key: string[],
  load: () => Promise<T>
): Promise<T | undefined> {
  const k = [client.workspaceKey, ...key].join('\u0000')
  const last = refreshedAt.get(k)
  if (last !== undefined && Date.now() - last < LIST_REFRESH_INTERVAL_MS) return undefined
  refreshedAt.set(k, Date.now())
  cache.delete(k)
  return cached(client, key, load)
}

export const invalid = (message: string) => new PayloadValidationError(message)

/** The list a mapping names, or a pre-send error naming the `list` field when the workspace has none such. */
export async function resolveList(client: AttioClient, list: string): Promise<ListDef> {
  try {
    return await cached(client, ['list', list], () => getList(client, list))
  } catch (error) {
    if (error instanceof AttioApiError && error.status === 404) {
      const known = await listLists(client).catch(() => [])
      const names = known.map((l) => `"${l.slug}"`).join(', ')
      throw invalid(
        `list: Attio has no list ${showValue(list)} in this workspace. Use a list's api slug or id${names ? ` (the lists are ${names})` : ''}.`
      )
    }
    throw error
  }
}
