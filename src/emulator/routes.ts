/**
 * The route table: every endpoint the emulator serves, with the rate-limit kind it counts as, the scopes it
 * requires and its handler, grouped as Attio's docs group them; then the emulator's own `/_emulator` routes.
 */
import { createAttribute, createOption, getAttribute, listAttributes } from './attributes'
import {
  CONFIG_READ,
  CONFIG_WRITE,
  ENTRY_READ,
  ENTRY_WRITE,
  LIST_CONFIG_READ,
  RECORD_READ,
  RECORD_WRITE
} from './auth'
import { recordValues } from './body'
import { parseBulkBody, type BulkProcessor } from './bulk'
import { notFound } from './errors'
import {
  assertEntry,
  createEntry,
  deleteEntry,
  entryJson,
  entryOrThrow,
  listAttributeOrThrow,
  listJson,
  listOrThrow,
  queryEntries
} from './lists'
import type { AttributeDef, ObjectDef } from './model'
import { queryRecords } from './query'
import { assertRecord, createRecord, deleteRecord, getRecordOrThrow, updateRecord } from './records'
import { json, type Reply } from './reply'
import { route, type Ctx, type Route } from './router'
import type { StatsRecorder } from './stats'
import type { Workspace } from './workspace'

export interface RouteDeps {
  ws: Workspace
  bulk: BulkProcessor
  stats: StatsRecorder
  /** Empties the records and the bulk queue and log (`POST /_emulator/reset`). */
  reset: () => void
  /** Whether `PUT /v2/batch/records` exists (`EmulatorOptions.bulkEndpoint`). */
  bulkEndpoint: boolean
}

/** Every route, in the order ties are decided in. */
export const buildRoutes = (d: RouteDeps): Route[] => [
  ...objectRoutes(d.ws),
  ...recordRoutes(d.ws),
  ...listRoutes(d.ws),
  ...(d.bulkEndpoint ? [bulkRoute(d.bulk)] : []),
  ...emulatorRoutes(d)
]

/** The activated object of the path's `{object}` (slug or id); 404 otherwise. */
function activeObject(ws: Workspace, c: Ctx): ObjectDef {
  const o = ws.object(c.params.object)
  if (!o) throw notFound(`Object with slug/ID "${c.params.object}" was not found (or is not activated).`)
  return o
}

const archivedToo = (c: Ctx): boolean => c.query.get('show_archived') === 'true'

/** The select options of an attribute (archived ones with `show_archived=true`). */
function optionsReply(ws: Workspace, attr: AttributeDef, c: Ctx): Reply {
  if (attr.type !== 'select') throw notFound(`Attribute "${attr.api_slug}" is not a select attribute.`)
  const all = archivedToo(c)
  return json(200, {
    data: attr.options.filter((o) => all || !o.is_archived).map((o) => ws.optionJson(attr, o))
  })
}

/** The statuses of a status attribute (archived ones with `show_archived=true`). */
function statusesReply(ws: Workspace, attr: AttributeDef, c: Ctx): Reply {
  if (attr.type !== 'status') throw notFound(`Attribute "${attr.api_slug}" is not a status attribute.`)
  const all = archivedToo(c)
  return json(200, {
    data: attr.statuses.filter((s) => all || !s.is_archived).map((s) => ws.statusJson(attr, s))
  })
}

const selfReply = (ws: Workspace, c: Ctx): Reply =>
  json(200, {
    active: true,
    scope: c.token.scopes.join(' '),
    client_id: c.token.clientId,
    token_type: 'Bearer',
    exp: null,
    iat: c.token.issuedAt,
    sub: ws.id,
    aud: c.token.clientId,
    iss: 'attio.com',
    authorized_by_workspace_member_id: ws.members[0]?.id ?? ws.id,
    workspace_id: ws.id,
    workspace_name: ws.name,
    workspace_slug: ws.slug,
    workspace_logo_url: null
  })

/** The token's own description, the objects and their attributes, options and statuses. */
function objectRoutes(ws: Workspace): Route[] {
  const objectOf = (c: Ctx): ObjectDef => activeObject(ws, c)
  const attributeOf = (c: Ctx): AttributeDef => getAttribute(ws, objectOf(c), c.params.attribute)
  const attribute = '/v2/objects/{object}/attributes/{attribute}'
  return [
    route('GET', '/v2/self', 'read', [], (c) => selfReply(ws, c)),
    route('GET', '/v2/objects', 'read', CONFIG_READ, () =>
      json(200, { data: ws.activeObjects().map((o) => ws.objectJson(o)) })
    ),
    route('GET', '/v2/objects/{object}', 'read', CONFIG_READ, (c) =>
      json(200, { data: ws.objectJson(objectOf(c)) })
    ),
    route('GET', '/v2/objects/{object}/attributes', 'read', CONFIG_READ, (c) =>
      json(200, { data: listAttributes(ws, objectOf(c), c.query).map((a) => ws.attributeJson(a)) })
    ),
    route('POST', '/v2/objects/{object}/attributes', 'write', CONFIG_WRITE, (c) =>
      json(200, { data: ws.attributeJson(createAttribute(ws, objectOf(c), c.body)) })
    ),
    route('GET', attribute, 'read', CONFIG_READ, (c) =>
      json(200, { data: ws.attributeJson(attributeOf(c)) })
    ),
    route('GET', `${attribute}/options`, 'read', CONFIG_READ, (c) => optionsReply(ws, attributeOf(c), c)),
    route('POST', `${attribute}/options`, 'write', CONFIG_WRITE, (c) => {
      const attr = attributeOf(c)
      return json(200, {
        data: ws.optionJson(attr, createOption(ws, objectOf(c), c.params.attribute, c.body))
      })
    }),
    route('GET', `${attribute}/statuses`, 'read', CONFIG_READ, (c) => statusesReply(ws, attributeOf(c), c))
  ]
}

/** Records: query, create, assert (PUT with matching_attribute), get, append (PATCH), overwrite (PUT), delete. */
function recordRoutes(ws: Workspace): Route[] {
  const objectOf = (c: Ctx): ObjectDef => activeObject(ws, c)
  const records = '/v2/objects/{object}/records'
  const record = `${records}/{record_id}`
  return [
    route('POST', `${records}/query`, 'read', RECORD_READ, (c) => {
      const object = objectOf(c)
      return json(200, {
        data: queryRecords(ws, object, c.hasBody ? c.body : {}).map((r) => ws.recordJson(r))
      })
    }),
    route('POST', records, 'write', RECORD_WRITE, (c) => {
      const object = objectOf(c)
      return json(200, { data: ws.recordJson(createRecord(ws, object, recordValues(c.body), c.actor)) })
    }),
    route('PUT', records, 'write', RECORD_WRITE, (c) => {
      const object = objectOf(c)
      const matching = c.query.get('matching_attribute')
      const { record } = assertRecord(ws, object, matching, recordValues(c.body), c.actor)
      return json(200, { data: ws.recordJson(record) })
    }),
    route('GET', record, 'read', RECORD_READ, (c) =>
      json(200, { data: ws.recordJson(getRecordOrThrow(ws, objectOf(c), c.params.record_id)) })
    ),
    route('PATCH', record, 'write', RECORD_WRITE, (c) => {
      const object = objectOf(c)
      const rec = updateRecord(ws, object, c.params.record_id, recordValues(c.body), 'append', c.actor)
      return json(200, { data: ws.recordJson(rec) })
    }),
    route('PUT', record, 'write', RECORD_WRITE, (c) => {
      const object = objectOf(c)
      const rec = updateRecord(ws, object, c.params.record_id, recordValues(c.body), 'overwrite', c.actor)
      return json(200, { data: ws.recordJson(rec) })
    }),
    route('DELETE', record, 'write', RECORD_WRITE, (c) => {
      deleteRecord(ws, objectOf(c), c.params.record_id)
      return json(200, {})
    })
  ]
}

/** Lists, their attributes, options and statuses, and their entries (lists.ts names the spec's operations). */
function listRoutes(ws: Workspace): Route[] {
  const listOf = (c: Ctx) => listOrThrow(ws, c.params.list)
  const attributeOf = (c: Ctx): AttributeDef => listAttributeOrThrow(listOf(c), c.params.attribute)
  const attribute = '/v2/lists/{list}/attributes/{attribute}'
  const entries = '/v2/lists/{list}/entries'
  return [
    route('GET', '/v2/lists', 'read', LIST_CONFIG_READ, () =>
      json(200, { data: ws.lists.map((l) => listJson(ws, l)) })
    ),
    route('GET', '/v2/lists/{list}', 'read', LIST_CONFIG_READ, (c) =>
      json(200, { data: listJson(ws, listOf(c)) })
    ),
    route('GET', '/v2/lists/{list}/attributes', 'read', LIST_CONFIG_READ, (c) => {
      const l = listOf(c)
      const all = archivedToo(c)
      return json(200, {
        data: l.attributes.filter((a) => all || !a.is_archived).map((a) => ws.attributeJson(a))
      })
    }),
    route('GET', attribute, 'read', LIST_CONFIG_READ, (c) =>
      json(200, { data: ws.attributeJson(attributeOf(c)) })
    ),
    route('GET', `${attribute}/options`, 'read', LIST_CONFIG_READ, (c) =>
      optionsReply(ws, attributeOf(c), c)
    ),
    route('GET', `${attribute}/statuses`, 'read', LIST_CONFIG_READ, (c) =>
      statusesReply(ws, attributeOf(c), c)
    ),
    route('POST', `${entries}/query`, 'read', ENTRY_READ, (c) => {
      const l = listOf(c)
      return json(200, { data: queryEntries(ws, l, c.hasBody ? c.body : {}).map((e) => entryJson(ws, l, e)) })
    }),
    route('PUT', entries, 'write', ENTRY_WRITE, (c) => {
      const l = listOf(c)
      return json(200, { data: entryJson(ws, l, assertEntry(ws, l, c.body, c.actor)) })
    }),
    route('POST', entries, 'write', ENTRY_WRITE, (c) => {
      const l = listOf(c)
      return json(200, { data: entryJson(ws, l, createEntry(ws, l, c.body, c.actor)) })
    }),
    route('GET', `${entries}/{entry_id}`, 'read', ENTRY_READ, (c) => {
      const l = listOf(c)
      return json(200, { data: entryJson(ws, l, entryOrThrow(l, c.params.entry_id)) })
    }),
    route('DELETE', `${entries}/{entry_id}`, 'write', ENTRY_WRITE, (c) => {
      deleteEntry(listOf(c), c.params.entry_id)
      return json(200, {})
    })
  ]
}

/** The bulk assertion endpoint: accepted (202) and applied later, in order (bulk.ts). */
const bulkRoute = (bulk: BulkProcessor): Route =>
  route('PUT', '/v2/batch/records', 'write', RECORD_WRITE, (c) => {
    bulk.enqueue(parseBulkBody(c.body), c.actor)
    return { status: 202 }
  })

/** The emulator's own routes (no token): reset, state, stats and the bulk log. */
function emulatorRoutes(d: RouteDeps): Route[] {
  const internal = (method: string, template: string, handler: () => Reply): Route =>
    route(method, template, null, [], handler, true)
  return [
    internal('POST', '/_emulator/reset', () => {
      d.reset()
      return json(200, { ok: true })
    }),
    internal('GET', '/_emulator/state', () => json(200, d.ws.state())),
    internal('GET', '/_emulator/stats', () => json(200, d.stats.snapshot())),
    internal('POST', '/_emulator/stats/reset', () => {
      d.stats.reset()
      return json(200, { ok: true })
    }),
    internal('GET', '/_emulator/bulk-log', () => json(200, { data: d.bulk.log }))
  ]
}
