/**
 * Request handling, in order: match a route, count it, read the body; then (API routes) the token, its
 * scopes, the rate limit and the JSON body; then spec validation and the handler, or an injected fault; and
 * the reply, held for the configured latency.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

import { checkScopes, type Tokens } from './auth'
import { parseJsonBody, readBody } from './body'
import { notFound } from './errors'
import { seededRandom, type FaultInjector } from './faults'
import type { RateLimiter } from './rate-limit'
import { errorReply, faultReply, json, rateLimitReply, send, type Reply } from './reply'
import type { Ctx, Route, Router } from './router'
import type { SpecValidator } from './spec'
import type { StatsRecorder } from './stats'
import type { EmulatorOptions } from './types'

export interface HandlerDeps {
  router: Router
  tokens: Tokens
  stats: StatsRecorder
  spec?: SpecValidator
  faults?: FaultInjector
  limiter?: RateLimiter
  log?: (line: string) => void
  /** How long the next answer is held (`EmulatorOptions.latency`). */
  latencyMs: () => number
  /** Answers held back (latency, hangs), cleared when the emulator closes. */
  timers: Set<NodeJS.Timeout>
}

/** `EmulatorOptions.latency` as a function giving each answer's hold time (seeded); 0 without it. */
export function latencyOf(latency: EmulatorOptions['latency']): () => number {
  if (latency && !(latency.minMs >= 0 && latency.maxMs >= latency.minMs))
    throw new Error('latency needs 0 <= minMs <= maxMs')
  const random = seededRandom(latency?.seed ?? 1)
  return () => (latency ? latency.minMs + Math.floor(random() * (latency.maxMs - latency.minMs + 1)) : 0)
}

type Request = Pick<Ctx, 'method' | 'path' | 'params' | 'query'>

/** The request handler of the emulator's HTTP server. */
export const createHandler =
  (d: HandlerDeps) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now()
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const path = url.pathname
    res.on('finish', () => d.log?.(`${method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`))

    const found = d.router.match(method, path)
    if (!found) {
      if (!path.startsWith('/_emulator')) d.stats.request(`${method} (unknown route)`, null)
      send(res, errorReply(notFound(`Route ${method} ${path} does not exist.`), d.log))
      return
    }
    const r = found.route
    if (!r.internal) d.stats.request(`${method} ${r.template}`, r.kind)
    const request: Request = { method, path, params: found.params, query: url.searchParams }

    let admitted: Ctx | Reply
    try {
      const raw = await readBody(req)
      admitted = r.internal
        ? r.handler({ ...request, body: undefined, hasBody: false } as Ctx)
        : admit(d, req, r, request, raw)
    } catch (e) {
      send(res, errorReply(e, d.log))
      return
    }
    if ('status' in admitted) send(res, admitted)
    else respond(d, req, res, r, admitted)
  }

/**
 * The context of an API request once its token is known and active, holds the route's scopes and is within
 * the rate limit, and its body is JSON; otherwise the reply that ends it (`{active: false}` for an inactive
 * token on /v2/self, a 429). Throws the 400, 401 and 403 errors.
 */
function admit(
  d: HandlerDeps,
  req: IncomingMessage,
  r: Route,
  request: Request,
  raw: Buffer | null
): Ctx | Reply {
  const token = d.tokens.authenticate(req.headers.authorization, r.template === '/v2/self')
  if (!token.active) return json(200, { active: false })
  checkScopes(token, d.spec?.scopes(request.method, request.path) ?? r.scopes)
  if (d.limiter && r.kind) {
    const taken = d.limiter.take(token.id, r.kind)
    if (!taken.ok) {
      d.stats.rateLimited()
      return rateLimitReply(taken.retryAfter)
    }
  }
  const body = parseJsonBody(raw)
  return { ...request, body, hasBody: raw !== null, token, actor: { type: 'api-token', id: token.id } }
}

/** Runs `then` after `ms`, unless the emulator closes first. */
function hold(d: HandlerDeps, ms: number, then: () => void): void {
  const timer = setTimeout(() => {
    d.timers.delete(timer)
    then()
  }, ms)
  d.timers.add(timer)
}

/** Validates and handles an admitted request, and answers: after the latency, or as an injected fault. */
function respond(d: HandlerDeps, req: IncomingMessage, res: ServerResponse, r: Route, ctx: Ctx): void {
  const run = (): Reply => {
    try {
      const invalid = d.spec?.validate(ctx.method, ctx.path, ctx.query, ctx.body, ctx.hasBody)
      if (invalid) return errorReply(invalid, d.log)
      return r.handler(ctx)
    } catch (e) {
      return errorReply(e, d.log)
    }
  }
  const decision = d.faults && r.kind ? d.faults.decide() : null
  if (!decision) {
    const reply = run()
    const wait = d.latencyMs()
    if (wait <= 0) send(res, reply)
    else hold(d, wait, () => send(res, reply))
    return
  }
  const reply = decision.applyFirst ? run() : null
  const applied = r.kind === 'write' && reply !== null && reply.status < 300
  d.stats.fault(decision.kind, applied)
  d.log?.(
    `fault ${decision.kind} on ${ctx.method} ${ctx.path} (${reply ? 'processed' : 'not processed'} first)`
  )
  switch (decision.kind) {
    case '500':
    case '503':
      send(res, faultReply(decision.kind))
      return
    case 'reset':
      req.socket.destroy()
      return
    case 'hang':
      hold(d, d.faults?.hangMs ?? 15_000, () => (reply ? send(res, reply) : req.socket.destroy()))
      return
  }
}
