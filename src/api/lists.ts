/**
 * Attio's lists as the Sync List Entry action uses them: a list's definition and attributes, an entry's values
 * written through the value module (values.ts) like record values, and membership: add (assert the entry by
 * parent, `PUT /v2/lists/{list}/entries`) or remove (find the parent's entry, `POST
 * /v2/lists/{list}/entries/query`, then `DELETE /v2/lists/{list}/entries/{entry_id}`; an absent entry is a
 * success). The parent record is asserted first (records.ts), so an entry never points at nothing.
 */
import {
  MultiStatusResponse,
  PayloadValidationError,
  type DynamicFieldResponse,
  type JSONLikeObject,
  type RequestClient
} from '@segment/actions-core'
import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import type { AttioClient } from './client'
// From the package's index, whose exports stay stable while the modules behind it move.
import { Attio, type ConnectionInput } from './attio'
import { AttioApiError } from './errors'
import { answer as answerPicker, matchingAttributeChoices, writableAttributeChoices } from './pickers'
import {
  attributeSuggestion,
  describeAttribute,
  showValue,
  unwritableReason,
  type PrepareOptions,
  type RecordAssertion,
  type ValueInput,
  type WriteOutcome
} from './records'
import { ACTION_SCOPES, DEVELOPER_SETTINGS } from './requirements'
import { acceptedFormat, ValueProblem, writeAttributeValue, type WireItem, type WriteContext } from './values'
import {
  attributeListResponse,
  optionListResponse,
  toAttributeDef,
  toOptionDef,
  type AttributeDef,
  type OptionDef
} from './wire'

const encode = encodeURIComponent

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

async function listListOptions(
  client: AttioClient,
  list: string,
  attribute: string,
  kind: 'options' | 'statuses'
): Promise<OptionDef[]> {
  const body = await client.send(
    'GET',
    `/v2/lists/${encode(list)}/attributes/${encode(attribute)}/${kind}`,
    { searchParams: { show_archived: 'true' } },
    optionListResponse,
    `the ${kind} of "${list}.${attribute}"`
  )
  return body.data.map(toOptionDef)
}

// ---- the list's schema, cached per workspace credential like the objects' (schema.ts) ----

const LIST_TTL_MS = 5 * 60 * 1000
type Cached = ListDef | AttributeDef[] | OptionDef[]
let cache = new LRUCache<string, Promise<Cached>>({ max: 1000, ttl: LIST_TTL_MS })

/** Empties the cached list definitions (tests). */
export function clearListCache(): void {
  cache = new LRUCache<string, Promise<Cached>>({ max: 1000, ttl: LIST_TTL_MS })
  refreshedAt = new LRUCache<string, number>({ max: 1000, ttl: LIST_TTL_MS })
}

function cached<T extends Cached>(client: AttioClient, key: string[], load: () => Promise<T>): Promise<T> {
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
async function reread<T extends Cached>(
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

const invalid = (message: string) => new PayloadValidationError(message)

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

// ---- the action's request: entry values prepared before anything is written ----

export interface ListEntrySync {
  /** The list's api slug or id, as mapped. */
  list: string
  /** Add (true) or remove (false) the parent's entry. */
  member: boolean
  /** The parent record, asserted first (a record of the list's parent object). */
  parent: {
    /** The unique attribute it is found by; by default `DEFAULT_PARENT_MATCHING` of the parent object. */
    matchingAttribute?: string
    matchingField: string
    matchingValue: unknown
    matchingValueField: string
    /** Further parent attributes written with the assert. */
    values: ValueInput[]
  }
  /** The matching value when none is mapped: the email of a People list, the domain of a Companies list. */
  defaults?: { email?: unknown; domain?: unknown }
  /** Entry attribute values, keyed by list attribute slug or id (only written when adding). */
  values: ValueInput[]
}

export interface ListEntryOutcome {
  list: string
  parent: WriteOutcome
  /** `added`: the entry was asserted; `removed`: deleted; `absent`: there was none to remove. */
  result: 'added' | 'removed' | 'absent'
  entry_id?: string
}

async function entryValues(
  attio: Attio,
  list: ListDef,
  inputs: ValueInput[],
  options: PrepareOptions
): Promise<Record<string, WireItem[]>> {
  if (inputs.length === 0) return {}
  const client = attio.client
  const loadAttributes = () => listListAttributes(client, list.id)
  let attributes = await cached(client, ['attributes', list.id], loadAttributes)
  const label = `The list "${list.slug}"'s`
  const out: Record<string, WireItem[]> = {}
  for (const input of inputs) {
    const find = () => attributes.find((a) => a.slug === input.attribute || a.id === input.attribute)
    let attribute = find()
    if (!attribute) {
      // Perhaps created in Attio since the list was read.
      attributes = (await reread(client, ['attributes', list.id], loadAttributes)) ?? attributes
      attribute = find()
    }
    if (!attribute) {
      throw invalid(
        `${input.field}: the list "${list.slug}" has no attribute ${showValue(input.attribute)}.${attributeSuggestion(attributes, input.attribute)}`
      )
    }
    const reason = unwritableReason(attribute)
    if (reason || attribute.type === null) {
      throw invalid(
        `${input.field}: ${describeAttribute(label, attribute)} ${reason ?? 'cannot be written'}.`
      )
    }
    const type = attribute.type
    const slug = attribute.slug
    const context: WriteContext = { defaultCountry: options.defaultCountry }
    const kind = type === 'status' ? 'statuses' : type === 'select' ? 'options' : undefined
    const optionsKey = [kind ?? '', list.id, attribute.id]
    const loadOptions = () => listListOptions(client, list.id, slug, kind ?? 'options')
    if (kind) context.options = await cached(client, optionsKey, loadOptions)
    if (type === 'record-reference')
      context.allowedObjects = await attio.schema.objectSlugs(attribute.allowedObjectIds)
    const shape = { ...attribute, type }
    try {
      try {
        out[slug] = writeAttributeValue(shape, input.value, context)
      } catch (error) {
        // A stage or option created in Attio since they were read: read them again (rate-limited) and retry.
        const fresh =
          error instanceof ValueProblem && kind ? await reread(client, optionsKey, loadOptions) : undefined
        if (!fresh) throw error
        context.options = fresh
        out[slug] = writeAttributeValue(shape, input.value, context)
      }
    } catch (error) {
      if (error instanceof ValueProblem) {
        throw invalid(
          `${input.field}: ${showValue(input.value)} ${error.problem}. ${describeAttribute(label, attribute)} accepts ${acceptedFormat(type)}.`
        )
      }
      throw error
    }
  }
  return out
}

const multipleEntries = (list: ListDef, parent: WriteOutcome, count?: number) =>
  invalid(
    `list: the ${parent.label} ${parent.record_id} has ${count ?? 'several'} entries in the list "${list.slug}", so Attio cannot tell which one to ${count === undefined ? 'update' : 'remove'}. Merge or delete the duplicate entries in Attio; this event was not applied.`
  )

/** Puts the parent's entry in the list (or takes it out): every value checked before the first write. */
export async function syncListEntry(
  attio: Attio,
  sync: ListEntrySync,
  options: PrepareOptions = {}
): Promise<ListEntryOutcome> {
  try {
    return await sync1(attio, sync, options)
  } catch (error) {
    if (error instanceof AttioApiError && error.status === 403) {
      const missing = ACTION_SCOPES.syncListEntry.join(', ')
      const refused = new AttioApiError(
        `Sync List Entry needs the scopes ${missing}; Attio refused: ${error.message} Add them to the API key in Attio (${DEVELOPER_SETTINGS}) or reconnect the OAuth app with them.`,
        403,
        error.attioCode
      )
      throw refused
    }
    throw error
  } finally {
    attio.client.telemetry.flush()
  }
}

async function sync1(attio: Attio, sync: ListEntrySync, options: PrepareOptions): Promise<ListEntryOutcome> {
  const client = attio.client
  const list = await resolveList(client, sync.list)
  const parentObject = list.parentObject
  const matching = sync.parent.matchingAttribute || DEFAULT_PARENT_MATCHING[parentObject]
  if (!matching) {
    throw invalid(
      `parent_matching_attribute: the list "${list.slug}" holds ${parentObject} records; name the unique ${parentObject} attribute its parent is found by.`
    )
  }
  let matchingValue = sync.parent.matchingValue
  let matchingValueField = sync.parent.matchingValueField
  if (matchingValue === undefined && matching === DEFAULT_PARENT_MATCHING[parentObject]) {
    const field = parentObject === 'people' ? 'email' : parentObject === 'companies' ? 'domain' : undefined
    if (field) {
      matchingValue = sync.defaults?.[field]
      matchingValueField = field
    }
  }
  if (matchingValue === undefined || matchingValue === null || matchingValue === '') {
    throw invalid(
      `${matchingValueField}: no value to find the ${parentObject} record by (its "${matching}"); map the record's ${matchingValueField === 'email' ? 'email address' : matchingValueField === 'domain' ? 'domain' : 'matching value'}.`
    )
  }
  const values = sync.member ? await entryValues(attio, list, sync.values, options) : {}
  const parentAssertion: RecordAssertion = {
    object: parentObject,
    label: `${parentObject} record`,
    matchingAttribute: matching,
    matchingField: sync.parent.matchingField,
    values: [{ attribute: matching, value: matchingValue, field: matchingValueField }, ...sync.parent.values]
  }
  const { records } = await attio.assertRecords([parentAssertion], options)
  const parent = records[0]
  const entries = `/v2/lists/${encode(list.id)}/entries`
  if (sync.member) {
    try {
      const body = await client.send(
        'PUT',
        entries,
        {
          json: {
            data: { parent_record_id: parent.record_id, parent_object: parentObject, entry_values: values }
          }
        },
        entryResponse,
        `the entry of ${parent.label} ${parent.record_id} in the list "${list.slug}"`
      )
      return { list: list.slug, parent, result: 'added', entry_id: body.data.id.entry_id }
    } catch (error) {
      if (error instanceof AttioApiError && error.attioCode === 'multiple_match_results')
        throw multipleEntries(list, parent)
      throw error
    }
  }
  const found = await client.send(
    'POST',
    `${entries}/query`,
    {
      json: {
        filter: {
          path: [
            [list.slug, 'parent_record'],
            [parentObject, 'record_id']
          ],
          constraints: { value: parent.record_id }
        },
        limit: 2
      }
    },
    entryListResponse,
    `the entry of ${parent.label} ${parent.record_id} in the list "${list.slug}"`
  )
  const mine = found.data.filter((e) => e.parent_record_id === parent.record_id)
  if (mine.length === 0) return { list: list.slug, parent, result: 'absent' }
  if (mine.length > 1) throw multipleEntries(list, parent, mine.length)
  const entryId = mine[0].id.entry_id
  try {
    await client.send('DELETE', `${entries}/${encode(entryId)}`, undefined, anyBody, `the entry ${entryId}`)
  } catch (error) {
    // Removed since it was found: what was asked for holds.
    if (error instanceof AttioApiError && error.status === 404)
      return { list: list.slug, parent, result: 'absent' }
    throw error
  }
  return { list: list.slug, parent, result: 'removed', entry_id: entryId }
}

/**
 * Many events in received order, each its own outcome: ordered single calls under the client's write limit
 * (Attio documents no bulk endpoint for list entries), so the last membership of a parent wins.
 */
export async function syncListEntries(
  attio: Attio,
  items: Array<{ build: () => ListEntrySync; options: PrepareOptions }>
): Promise<MultiStatusResponse> {
  const response = new MultiStatusResponse()
  const fail = (index: number, status: number, code: string | undefined, message: string) =>
    response.setErrorResponseAtIndex(index, {
      status,
      // actions-core's error types are the names of its ErrorCodes; these errors carry one.
      errortype: (code ?? (status >= 500 ? 'RETRYABLE_ERROR' : 'PAYLOAD_VALIDATION_FAILED')) as never,
      errormessage: message
    })
  /** Records (by list and mapped identity) whose earlier event failed and will be retried by the host. */
  const held = new Map<string, number>()
  for (const [index, item] of items.entries()) {
    let key: string | undefined
    try {
      const sync = item.build()
      key = JSON.stringify([
        sync.list,
        sync.parent.matchingAttribute,
        sync.parent.matchingValue,
        sync.defaults
      ])
      const earlier = held.get(key)
      if (earlier !== undefined) {
        // Applying it now would be undone when the earlier event is retried: it waits for that retry too.
        fail(
          index,
          503,
          'RETRYABLE_ERROR',
          `Not applied: event ${earlier} of this batch, for the same record and list, failed and will be retried; this later event must follow it.`
        )
        continue
      }
      const outcome = await syncListEntry(attio, sync, item.options)
      response.setSuccessResponseAtIndex(index, {
        status: 200,
        sent: {} as JSONLikeObject,
        body: outcome as unknown as JSONLikeObject
      })
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400
      const retryable = status === 429 || status >= 500
      if (retryable && key !== undefined) held.set(key, index)
      fail(
        index,
        status,
        (error as { code?: string }).code,
        error instanceof Error ? error.message : String(error)
      )
    }
  }
  return response
}

// ---- pickers ----

/** A list picker's choices, or its failure as a dynamic-field error (the pickers' own `answer`). */
const answer = (load: () => Promise<DynamicFieldResponse['choices']>) =>
  answerPicker(load, 'Could not read the lists from Attio.')

/** The workspace's lists, valued by api slug, with their parent object. */
export function listChoices(request: RequestClient, input: ConnectionInput): Promise<DynamicFieldResponse> {
  return answer(async () =>
    (await listLists(new Attio(request, input).client))
      .map((l) => ({
        label: l.name,
        value: l.slug,
        description: `${l.slug}: entries are ${l.parentObject} records`
      }))
      .sort((a, b) => a.label.localeCompare(b.label))
  )
}

/** The unique attributes of the chosen list's parent object. */
export async function parentMatchingChoices(
  request: RequestClient,
  input: ConnectionInput,
  list: string | undefined
): Promise<DynamicFieldResponse> {
  return parentChoices(request, input, list, matchingAttributeChoices)
}

/** The writable attributes of the chosen list's parent object (the record's own attributes). */
export async function parentAttributeChoices(
  request: RequestClient,
  input: ConnectionInput,
  list: string | undefined
): Promise<DynamicFieldResponse> {
  return parentChoices(request, input, list, writableAttributeChoices)
}

/** Choices of the chosen list's parent object, by `choicesOf` (a picker of src/api/pickers.ts). */
async function parentChoices(
  request: RequestClient,
  input: ConnectionInput,
  list: string | undefined,
  choicesOf: (request: RequestClient, input: ConnectionInput, object: string) => Promise<DynamicFieldResponse>
): Promise<DynamicFieldResponse> {
  if (!list) return { choices: [], error: { code: 'ERROR', message: 'Choose a list first.' } }
  let parent: string
  try {
    parent = (await getList(new Attio(request, input).client, list)).parentObject
  } catch (error) {
    return answer(() => Promise.reject(error))
  }
  return choicesOf(request, input, parent)
}

/** The writable attributes of the chosen list. */
export function listAttributeChoices(
  request: RequestClient,
  input: ConnectionInput,
  list: string | undefined
): Promise<DynamicFieldResponse> {
  return answer(async () => {
    if (!list) throw new Error('Choose a list first.')
    return (await listListAttributes(new Attio(request, input).client, list))
      .filter((a) => a.isWritable && !a.isArchived && a.type !== null)
      .map((a) => ({ label: `${a.title} (${a.type})`, value: a.slug, description: a.slug }))
      .sort((a, b) => a.label.localeCompare(b.label))
  })
}
