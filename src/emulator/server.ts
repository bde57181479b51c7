/** The HTTP server: routing, authentication and scopes, rate limits, fault injection, spec validation. */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

import { createAttribute, createOption, getAttribute, listAttributes } from './attributes'
import { BulkProcessor, parseBulkBody } from './bulk'
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
import { ApiError, notFound, payloadError } from './errors'
import { FaultInjector, seededRandom, type FaultDecision } from './faults'
import { queryRecords } from './query'
import { ATTIO_RATE_LIMITS, RateLimiter, type RequestKind } from './rate-limit'
import { assertRecord, createRecord, deleteRecord, getRecordOrThrow, updateRecord } from './records'
import { SpecValidator } from './spec'
import { StatsRecorder } from './stats'
import type { EmulatorActor, EmulatorOptions, RunningEmulator } from './types'
import { uuid } from './util'
import type { ObjectDef } from './model'
import { resolveSeed } from './seed'
import { Workspace } from './workspace'

/** Every scope Attio knows (the OpenAPI document's oauth2 scopes). */
export const ALL_SCOPES = [
  'user_management:read',
  'user_management:read-write',
  'record_permission:read',
  'record_permission:read-write',
  'object_configuration:read',
  'object_configuration:read-write',
  'list_entry:read',
  'list_entry:read-write',
  'list_configuration:read',
  'list_configuration:read-write',
  'public_collection:read',
  'public_collection:read-write',
  'private_collection:read',
  'private_collection:read-write',
  'comment:read',
  'comment:read-write',
  'task:read',
  'task:read-write',
  'note:read',
  'note:read-write',
  'meeting:read',
  'meeting:read-write',
  'call_recording:read',
  'call_recording:read-write',
  'webhook:read',
  'webhook:read-write',
  'file:read',
  'file:read-write',
  'scim_management:read',
  'scim_management:read-write'
]

const MAX_BODY_BYTES = 64 * 1024 * 1024

interface TokenState {
  token: string
  scopes: string[]
  active: boolean
  id: string
  clientId: string
  issuedAt: number
}

interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

interface Ctx {
  method: string
  path: string
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  hasBody: boolean
  token: TokenState
  actor: EmulatorActor
}

interface Route {
  method: string
  template: string
  segments: string[]
  kind: RequestKind | null
  scopes: string[]
  internal: boolean
  handler: (c: Ctx) => Reply
}

/** A scope is held when the token has it, or has the read-write scope of a required read scope. */
const hasScope = (held: string[], needed: string): boolean =>
  held.includes(needed) || (needed.endsWith(':read') && held.includes(`${needed}-write`))

const RECORD_READ = ['record_permission:read', 'object_configuration:read']
const RECORD_WRITE = ['record_permission:read-write', 'object_configuration:read']
const CONFIG_READ = ['object_configuration:read']
const CONFIG_WRITE = ['object_configuration:read-write']
const LIST_CONFIG_READ = ['list_configuration:read']
const ENTRY_READ = ['list_entry:read', 'list_configuration:read']
const ENTRY_WRITE = ['list_entry:read-write', 'list_configuration:read']

const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  headers
})

const authError = (status: 401 | 403, code: string, message: string): ApiError =>
  new ApiError(status, 'auth_error', code, message)

// eslint-disable-next-line max-lines-per-function -- Over 80 lines: the server's closure (tokens, body parsing, routes); its split into routing, auth and seed is still open (issue 14).
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const ws = new Workspace({ seed: resolveSeed(options.seed), objects: options.objects })
  const log = options.log
  const stats = new StatsRecorder()
  const spec = options.spec ? await SpecValidator.load(options.spec) : undefined
  const faults = options.faults ? new FaultInjector(options.faults) : undefined
  const rateLimits = options.rateLimits === true ? ATTIO_RATE_LIMITS : options.rateLimits || undefined
  const limiter = rateLimits ? new RateLimiter(rateLimits) : undefined
  const bulk = new BulkProcessor(ws, stats, options.bulkDelayMs ?? 50, log)

  const issuedAt = Math.floor(Date.now() / 1000)
  const makeToken = (token: string, scopes: string[], active = true): TokenState => ({
    token,
    scopes: [...scopes],
    active,
    id: uuid(),
    clientId: uuid(),
    issuedAt
  })
  const tokens = (options.tokens ?? []).map((t) => makeToken(t.token, t.scopes, t.active ?? true))
  let master = tokens.find((t) => t.active && ALL_SCOPES.every((s) => hasScope(t.scopes, s)))
  if (!master) {
    master = makeToken(`emu_${randomBytes(24).toString('hex')}`, ALL_SCOPES)
    tokens.push(master)
  }
  const byToken = new Map(tokens.map((t) => [t.token, t]))

  // ---- routes ----

  const objectOf = (c: Ctx): ObjectDef => {
    const o = ws.object(c.params.object)
    if (!o) throw notFound(`Object with slug/ID "${c.params.object}" was not found (or is not activated).`)
    return o
  }
  const bodyData = (c: Ctx): unknown => {
    const b = c.body
    if (typeof b !== 'object' || b === null || Array.isArray(b) || !('data' in b))
      throw payloadError([
        {
          code: 'invalid_type',
          path: ['data'],
          message: 'Required',
          expected: 'object',
          received: 'undefined'
        }
      ])
    const data = (b as { data: unknown }).data
    if (typeof data !== 'object' || data === null || Array.isArray(data) || !('values' in data))
      throw payloadError([
        {
          code: 'invalid_type',
          path: ['data', 'values'],
          message: 'Required',
          expected: 'object',
          received: 'undefined'
        }
      ])
    return (data as { values: unknown }).values
  }

  const routes: Route[] = []
  const route = (
    method: string,
    template: string,
    kind: RequestKind | null,
    scopes: string[],
    handler: (c: Ctx) => Reply,
    internal = false
  ): void => {
    routes.push({ method, template, segments: template.split('/'), kind, scopes, handler, internal })
  }

  route('GET', '/v2/self', 'read', [], (c) =>
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
  )
  route('GET', '/v2/objects', 'read', CONFIG_READ, () =>
    json(200, { data: ws.activeObjects().map((o) => ws.objectJson(o)) })
  )
  route('GET', '/v2/objects/{object}', 'read', CONFIG_READ, (c) =>
    json(200, { data: ws.objectJson(objectOf(c)) })
  )
  route('GET', '/v2/objects/{object}/attributes', 'read', CONFIG_READ, (c) =>
    json(200, { data: listAttributes(ws, objectOf(c), c.query).map((a) => ws.attributeJson(a)) })
  )
  route('POST', '/v2/objects/{object}/attributes', 'write', CONFIG_WRITE, (c) =>
    json(200, { data: ws.attributeJson(createAttribute(ws, objectOf(c), c.body)) })
  )
  route('GET', '/v2/objects/{object}/attributes/{attribute}', 'read', CONFIG_READ, (c) =>
    json(200, { data: ws.attributeJson(getAttribute(ws, objectOf(c), c.params.attribute)) })
  )
  route('GET', '/v2/objects/{object}/attributes/{attribute}/options', 'read', CONFIG_READ, (c) => {
    const attr = getAttribute(ws, objectOf(c), c.params.attribute)
    if (attr.type !== 'select') throw notFound(`Attribute "${attr.api_slug}" is not a select attribute.`)
    const all = c.query.get('show_archived') === 'true'
    return json(200, {
      data: attr.options.filter((o) => all || !o.is_archived).map((o) => ws.optionJson(attr, o))
    })
  })
  route('POST', '/v2/objects/{object}/attributes/{attribute}/options', 'write', CONFIG_WRITE, (c) => {
    const attr = getAttribute(ws, objectOf(c), c.params.attribute)
    return json(200, { data: ws.optionJson(attr, createOption(ws, objectOf(c), c.params.attribute, c.body)) })
  })
  route('GET', '/v2/objects/{object}/attributes/{attribute}/statuses', 'read', CONFIG_READ, (c) => {
    const attr = getAttribute(ws, objectOf(c), c.params.attribute)
    if (attr.type !== 'status') throw notFound(`Attribute "${attr.api_slug}" is not a status attribute.`)
    const all = c.query.get('show_archived') === 'true'
    return json(200, {
      data: attr.statuses.filter((s) => all || !s.is_archived).map((s) => ws.statusJson(attr, s))
    })
  })
  route('POST', '/v2/objects/{object}/records/query', 'read', RECORD_READ, (c) => {
    const object = objectOf(c)
    return json(200, { data: queryRecords(ws, object, c.hasBody ? c.body : {}).map((r) => ws.recordJson(r)) })
  })
  route('POST', '/v2/objects/{object}/records', 'write', RECORD_WRITE, (c) => {
    const object = objectOf(c)
    return json(200, { data: ws.recordJson(createRecord(ws, object, bodyData(c), c.actor)) })
  })
  route('PUT', '/v2/objects/{object}/records', 'write', RECORD_WRITE, (c) => {
    const object = objectOf(c)
    const { record } = assertRecord(ws, object, c.query.get('matching_attribute'), bodyData(c), c.actor)
    return json(200, { data: ws.recordJson(record) })
  })
  route('GET', '/v2/objects/{object}/records/{record_id}', 'read', RECORD_READ, (c) =>
    json(200, { data: ws.recordJson(getRecordOrThrow(ws, objectOf(c), c.params.record_id)) })
  )
  route('PATCH', '/v2/objects/{object}/records/{record_id}', 'write', RECORD_WRITE, (c) => {
    const object = objectOf(c)
    const rec = updateRecord(ws, object, c.params.record_id, bodyData(c), 'append', c.actor)
    return json(200, { data: ws.recordJson(rec) })
  })
  route('PUT', '/v2/objects/{object}/records/{record_id}', 'write', RECORD_WRITE, (c) => {
    const object = objectOf(c)
    const rec = updateRecord(ws, object, c.params.record_id, bodyData(c), 'overwrite', c.actor)
    return json(200, { data: ws.recordJson(rec) })
  })
  route('DELETE', '/v2/objects/{object}/records/{record_id}', 'write', RECORD_WRITE, (c) => {
    deleteRecord(ws, objectOf(c), c.params.record_id)
    return json(200, {})
  })
  // Lists and entries (src/emulator/lists.ts names the spec's operations).
  route('GET', '/v2/lists', 'read', LIST_CONFIG_READ, () =>
    json(200, { data: ws.lists.map((l) => listJson(ws, l)) })
  )
  route('GET', '/v2/lists/{list}', 'read', LIST_CONFIG_READ, (c) =>
    json(200, { data: listJson(ws, listOrThrow(ws, c.params.list)) })
  )
  route('GET', '/v2/lists/{list}/attributes', 'read', LIST_CONFIG_READ, (c) => {
    const l = listOrThrow(ws, c.params.list)
    const all = c.query.get('show_archived') === 'true'
    return json(200, {
      data: l.attributes.filter((a) => all || !a.is_archived).map((a) => ws.attributeJson(a))
    })
  })
  route('GET', '/v2/lists/{list}/attributes/{attribute}', 'read', LIST_CONFIG_READ, (c) =>
    json(200, {
      data: ws.attributeJson(listAttributeOrThrow(listOrThrow(ws, c.params.list), c.params.attribute))
    })
  )
  route('GET', '/v2/lists/{list}/attributes/{attribute}/options', 'read', LIST_CONFIG_READ, (c) => {
    const attr = listAttributeOrThrow(listOrThrow(ws, c.params.list), c.params.attribute)
    if (attr.type !== 'select') throw notFound(`Attribute "${attr.api_slug}" is not a select attribute.`)
    const all = c.query.get('show_archived') === 'true'
    return json(200, {
      data: attr.options.filter((o) => all || !o.is_archived).map((o) => ws.optionJson(attr, o))
    })
  })
  route('GET', '/v2/lists/{list}/attributes/{attribute}/statuses', 'read', LIST_CONFIG_READ, (c) => {
    const attr = listAttributeOrThrow(listOrThrow(ws, c.params.list), c.params.attribute)
    if (attr.type !== 'status') throw notFound(`Attribute "${attr.api_slug}" is not a status attribute.`)
    const all = c.query.get('show_archived') === 'true'
    return json(200, {
      data: attr.statuses.filter((s) => all || !s.is_archived).map((s) => ws.statusJson(attr, s))
    })
  })
  route('POST', '/v2/lists/{list}/entries/query', 'read', ENTRY_READ, (c) => {
    const l = listOrThrow(ws, c.params.list)
    return json(200, { data: queryEntries(ws, l, c.hasBody ? c.body : {}).map((e) => entryJson(ws, l, e)) })
  })
  route('PUT', '/v2/lists/{list}/entries', 'write', ENTRY_WRITE, (c) => {
    const l = listOrThrow(ws, c.params.list)
    return json(200, { data: entryJson(ws, l, assertEntry(ws, l, c.body, c.actor)) })
  })
  route('POST', '/v2/lists/{list}/entries', 'write', ENTRY_WRITE, (c) => {
    const l = listOrThrow(ws, c.params.list)
    return json(200, { data: entryJson(ws, l, createEntry(ws, l, c.body, c.actor)) })
  })
  route('GET', '/v2/lists/{list}/entries/{entry_id}', 'read', ENTRY_READ, (c) => {
    const l = listOrThrow(ws, c.params.list)
    return json(200, { data: entryJson(ws, l, entryOrThrow(l, c.params.entry_id)) })
  })
  route('DELETE', '/v2/lists/{list}/entries/{entry_id}', 'write', ENTRY_WRITE, (c) => {
    deleteEntry(listOrThrow(ws, c.params.list), c.params.entry_id)
    return json(200, {})
  })
  if (options.bulkEndpoint !== false) {
    route('PUT', '/v2/batch/records', 'write', RECORD_WRITE, (c) => {
      bulk.enqueue(parseBulkBody(c.body), c.actor)
      return { status: 202 }
    })
  }

  const reset = (): void => {
    bulk.cancel()
    bulk.clearLog()
    ws.clearRecords()
  }
  route(
    'POST',
    '/_emulator/reset',
    null,
    [],
    () => {
      reset()
      return json(200, { ok: true })
    },
    true
  )
  route('GET', '/_emulator/state', null, [], () => json(200, ws.state()), true)
  route('GET', '/_emulator/stats', null, [], () => json(200, stats.snapshot()), true)
  route(
    'POST',
    '/_emulator/stats/reset',
    null,
    [],
    () => {
      stats.reset()
      return json(200, { ok: true })
    },
    true
  )
  route('GET', '/_emulator/bulk-log', null, [], () => json(200, { data: bulk.log }), true)

  const match = (method: string, path: string): { route: Route; params: Record<string, string> } | null => {
    const segs = path.split('/')
    let best: { route: Route; params: Record<string, string>; literals: number } | null = null
    for (const r of routes) {
      if (r.method !== method || r.segments.length !== segs.length) continue
      const params: Record<string, string> = {}
      let literals = 0
      let ok = true
      for (let i = 0; i < segs.length && ok; i++) {
        const t = r.segments[i]
        if (t.startsWith('{')) {
          if (!segs[i]) ok = false
          else
            try {
              params[t.slice(1, -1)] = decodeURIComponent(segs[i])
            } catch {
              ok = false
            }
        } else if (t === segs[i]) literals++
        else ok = false
      }
      if (ok && (!best || literals > best.literals)) best = { route: r, params, literals }
    }
    return best
  }

  // ---- request handling ----

  const sockets = new Set<Socket>()
  const hangs = new Set<NodeJS.Timeout>()
  const latency = options.latency
  if (latency && !(latency.minMs >= 0 && latency.maxMs >= latency.minMs))
    throw new Error('latency needs 0 <= minMs <= maxMs')
  const latencyRandom = seededRandom(latency?.seed ?? 1)
  /** How long the next answer is held (`EmulatorOptions.latency`). */
  const latencyMs = (): number =>
    latency ? latency.minMs + Math.floor(latencyRandom() * (latency.maxMs - latency.minMs + 1)) : 0

  const send = (res: ServerResponse, reply: Reply): void => {
    if (res.writableEnded || res.destroyed) return
    const headers: Record<string, string> = { ...(reply.headers ?? {}) }
    if (reply.body === undefined) {
      res.writeHead(reply.status, { ...headers, 'content-length': '0' })
      res.end()
      return
    }
    const text = JSON.stringify(reply.body)
    res.writeHead(reply.status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text))
    })
    res.end(text)
  }

  const errorReply = (e: unknown): Reply => {
    if (e instanceof ApiError) return json(e.status, e.body(), e.headers)
    log?.(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    return json(500, {
      status_code: 500,
      type: 'api_error',
      code: 'internal_server_error',
      message: `Emulator error: ${e instanceof Error ? e.message : String(e)}`
    })
  }

  const readBody = (req: IncomingMessage): Promise<Buffer | null> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_BODY_BYTES) {
          reject(new ApiError(413, 'invalid_request_error', 'content_too_large', 'Request body too large.'))
          req.destroy()
          return
        }
        chunks.push(chunk)
      })
      req.on('end', () => resolve(size === 0 ? null : Buffer.concat(chunks)))
      req.on('error', reject)
    })

  const authenticate = (req: IncomingMessage, isSelf: boolean): TokenState | Reply => {
    const header = req.headers.authorization
    if (!header)
      throw authError(
        401,
        'unauthorized',
        'Missing access token: send it as "Authorization: Bearer <token>".'
      )
    const m = /^(\w+)\s+(.+)$/.exec(header.trim())
    let value: string | undefined
    if (m && m[1].toLowerCase() === 'bearer') value = m[2].trim()
    else if (m && m[1].toLowerCase() === 'basic') {
      const decoded = Buffer.from(m[2].trim(), 'base64').toString('utf8')
      value = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded
    }
    if (!value)
      throw authError(
        401,
        'unauthorized',
        'Unsupported Authorization header: use Bearer (or Basic with the token as user name).'
      )
    const token = byToken.get(value)
    if (!token) throw authError(401, 'unauthorized', 'The access token is invalid.')
    if (!token.active) {
      if (isSelf) return json(200, { active: false })
      throw authError(401, 'unauthorized', 'The access token is not active.')
    }
    return token
  }

  // eslint-disable-next-line max-lines-per-function -- Over 80 lines: the route table; to move to its own module with the server's split (issue 14).
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now()
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const path = url.pathname
    res.on('finish', () => log?.(`${method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`))

    const found = match(method, path)
    if (!found) {
      if (!path.startsWith('/_emulator')) stats.request(`${method} (unknown route)`, null)
      send(res, errorReply(notFound(`Route ${method} ${path} does not exist.`)))
      return
    }
    const r = found.route
    if (!r.internal) stats.request(`${method} ${r.template}`, r.kind)

    let raw: Buffer | null
    try {
      raw = await readBody(req)
    } catch (e) {
      send(res, errorReply(e))
      return
    }

    let ctx: Ctx
    try {
      if (r.internal) {
        send(
          res,
          r.handler({
            method,
            path,
            params: found.params,
            query: url.searchParams,
            body: undefined,
            hasBody: false
          } as Ctx)
        )
        return
      }
      const auth = authenticate(req, r.template === '/v2/self')
      if (!('token' in auth)) {
        send(res, auth)
        return
      }
      const required = spec?.scopes(method, path) ?? r.scopes
      const missing = required.filter((s) => !hasScope(auth.scopes, s))
      if (missing.length)
        throw authError(
          403,
          'forbidden',
          `The access token is missing the required scope(s): ${missing.join(', ')}.`
        )
      if (limiter && r.kind) {
        const taken = limiter.take(auth.id, r.kind)
        if (!taken.ok) {
          stats.rateLimited()
          send(
            res,
            json(
              429,
              {
                status_code: 429,
                type: 'rate_limit_error',
                code: 'rate_limit_exceeded',
                message: 'Rate limit exceeded, please try again later'
              },
              { 'retry-after': taken.retryAfter }
            )
          )
          return
        }
      }
      let body: unknown = undefined
      if (raw !== null) {
        try {
          body = JSON.parse(raw.toString('utf8'))
        } catch (e) {
          throw payloadError([
            { code: 'invalid_json', path: [], message: `Invalid JSON: ${(e as Error).message}` }
          ])
        }
      }
      ctx = {
        method,
        path,
        params: found.params,
        query: url.searchParams,
        body,
        hasBody: raw !== null,
        token: auth,
        actor: { type: 'api-token', id: auth.id }
      }
    } catch (e) {
      send(res, errorReply(e))
      return
    }

    const run = (): Reply => {
      try {
        const invalid = spec?.validate(method, path, url.searchParams, ctx.body, ctx.hasBody)
        if (invalid) return errorReply(invalid)
        return r.handler(ctx)
      } catch (e) {
        return errorReply(e)
      }
    }

    const decision: FaultDecision | null = faults && r.kind ? faults.decide() : null
    if (!decision) {
      const reply = run()
      const wait = latencyMs()
      if (wait <= 0) {
        send(res, reply)
        return
      }
      const timer = setTimeout(() => {
        hangs.delete(timer)
        send(res, reply)
      }, wait)
      hangs.add(timer)
      return
    }
    const reply = decision.applyFirst ? run() : null
    const applied = r.kind === 'write' && reply !== null && reply.status < 300
    stats.fault(decision.kind, applied)
    log?.(`fault ${decision.kind} on ${method} ${path} (${reply ? 'processed' : 'not processed'} first)`)
    switch (decision.kind) {
      case '500':
        send(
          res,
          json(500, {
            status_code: 500,
            type: 'api_error',
            code: 'internal_server_error',
            message: 'An internal error occurred.'
          })
        )
        return
      case '503':
        send(
          res,
          json(503, {
            status_code: 503,
            type: 'api_error',
            code: 'service_unavailable',
            message: 'Service temporarily unavailable.'
          })
        )
        return
      case 'reset':
        req.socket.destroy()
        return
      case 'hang': {
        const timer = setTimeout(() => {
          hangs.delete(timer)
          if (reply) send(res, reply)
          else req.socket.destroy()
        }, faults?.hangMs ?? 15_000)
        hangs.add(timer)
        return
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      try {
        send(res, errorReply(e))
      } catch {
        res.destroy()
      }
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  const url = `http://127.0.0.1:${port}`
  let closed: Promise<void> | undefined

  return {
    url,
    apiKey: master.token,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        bulk.cancel()
        for (const t of hangs) clearTimeout(t)
        hangs.clear()
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
      return closed
    },
    reset,
    state: () => ws.state(),
    entries: (list: string) => {
      const l = ws.lists.find((x) => x.api_slug === list || x.id === list)
      return l ? [...l.entries.values()].map((e) => entryJson(ws, l, e)) : []
    },
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    bulkLog: () => structuredClone(bulk.log),
    settle: () => bulk.settle()
  }
}
