/**
 * Attio's list endpoints as Sync List Entry speaks them: the lists, their attributes and options, and the
 * entry calls (assert by parent, query by parent, delete). Response shapes are checked with zod here.
 */
import { z } from 'zod'
import type { AttioClient } from '../client'
import type { WireItem } from '../values'
import { attributeListResponse, toAttributeDef, type AttributeDef, type OptionDef } from '../wire'

export const encode = encodeURIComponent

export interface ListDef {
  id: string
  slug: string
  name: string
  /** The slug of the object whose records the list's entries are about. */
  parentObject: string
}

const listEntry = z.object({
  id: z.object({ list_id: z.string() }),
  api_slug: z.string(),
  name: z.string(),
  parent_object: z.array(z.string()).min(1)
})
const listListResponse = z.object({ data: z.array(listEntry) })
const listResponse = z.object({ data: listEntry })
const entryEntry = z.object({
  id: z.object({ entry_id: z.string().min(1) }),
  parent_record_id: z.string(),
  parent_object: z.string(),
  entry_values: z.record(z.string(), z.unknown()).optional()
})
const entryResponse = z.object({ data: entryEntry })
const entryListResponse = z.object({ data: z.array(entryEntry) })
const anyBody = z.unknown()

const toListDef = (entry: z.infer<typeof listEntry>): ListDef => ({
  id: entry.id.list_id,
  slug: entry.api_slug,
  name: entry.name,
  parentObject: entry.parent_object[0]
})

/** The unique attribute a parent is matched on when the mapping names none, by parent object. */
export const DEFAULT_PARENT_MATCHING: Readonly<Record<string, string>> = {
  people: 'email_addresses',
  companies: 'domains',
  users: 'user_id',
  workspaces: 'workspace_id'
}

// ---- wire calls ----

/** `GET /v2/lists`. */
export async function listLists(client: AttioClient): Promise<ListDef[]> {
  const body = await client.send('GET', '/v2/lists', undefined, listListResponse, 'the lists')
  return body.data.map(toListDef)
}

/** `GET /v2/lists/{list}`. */
export async function getList(client: AttioClient, list: string): Promise<ListDef> {
  const body = await client.send(
    'GET',
    `/v2/lists/${encode(list)}`,
    undefined,
    listResponse,
    `the list "${list}"`
  )
  return toListDef(body.data)
}

/** `GET /v2/lists/{list}/attributes` (the spec's `/v2/{target}/{identifier}/attributes`), archived included. */
export async function listListAttributes(client: AttioClient, list: string): Promise<AttributeDef[]> {
  const body = await client.send(
    'GET',
    `/v2/lists/${encode(list)}/attributes`,
    { searchParams: { show_archived: 'true' } },
    attributeListResponse,
    `the attributes of the list "${list}"`
  )
  return body.data.map(toAttributeDef)
}

export async function listListOptions(
  client: AttioClient,
  list: string,
  attribute: string,
  kind: 'options' | 'statuses'
): Promise<OptionDef[]> {
  return client.listOptionsOf('lists', list, attribute, kind)
}

// ---- entries ----

const entriesPath = (list: ListDef) => `/v2/lists/${encode(list.id)}/entries`

/** `PUT /v2/lists/{list}/entries`: creates or updates the parent's entry; its id. */
export async function assertEntry(
  client: AttioClient,
  list: ListDef,
  parentRecordId: string,
  values: Record<string, WireItem[]>,
  what: string
): Promise<string> {
  const body = await client.send(
    'PUT',
    entriesPath(list),
    {
      json: {
        data: { parent_record_id: parentRecordId, parent_object: list.parentObject, entry_values: values }
      }
    },
    entryResponse,
    what,
    { object: list.parentObject, kind: 'entry_assert' }
  )
  return body.data.id.entry_id
}

/** `POST /v2/lists/{list}/entries/query` by parent record: the ids of its entries (at most two). */
export async function findEntries(
  client: AttioClient,
  list: ListDef,
  parentRecordId: string,
  what: string
): Promise<string[]> {
  const found = await client.send(
    'POST',
    `${entriesPath(list)}/query`,
    {
      json: {
        filter: {
          path: [
            [list.slug, 'parent_record'],
            [list.parentObject, 'record_id']
          ],
          constraints: { value: parentRecordId }
        },
        limit: 2
      }
    },
    entryListResponse,
    what
  )
  return found.data.filter((e) => e.parent_record_id === parentRecordId).map((e) => e.id.entry_id)
}

/** `DELETE /v2/lists/{list}/entries/{entry_id}`. */
export async function deleteEntry(client: AttioClient, list: ListDef, entryId: string): Promise<void> {
  await client.send(
    'DELETE',
    `${entriesPath(list)}/${encode(entryId)}`,
    undefined,
    anyBody,
    `the entry ${entryId}`,
    { object: list.parentObject, kind: 'entry_delete' }
  )
}

/** `GET /v2/lists/{list}/entries/{entry_id}`: whether Attio still has the entry, for this parent. */
export async function entryExists(
  client: AttioClient,
  list: ListDef,
  entryId: string,
  parentRecordId: string
): Promise<boolean> {
  const body = await client.send(
    'GET',
    `${entriesPath(list)}/${encode(entryId)}`,
    undefined,
    entryResponse,
    `the entry ${entryId}`
  )
  return body.data.id.entry_id === entryId && body.data.parent_record_id === parentRecordId
}
