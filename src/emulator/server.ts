/**
 * `startEmulator`: builds the workspace from the seed, the tokens, the route table and the request handler
 * (fault injection, rate limits, spec validation and latency as configured), and serves them on 127.0.0.1.
 * The parts: seed.ts and workspace.ts (the data), auth.ts (tokens and scopes), routes.ts and router.ts (the
 * endpoints), body.ts (request bodies), handler.ts (one request's way), reply.ts (answers).
 */
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'

import { Tokens } from './auth'
import { BulkProcessor } from './bulk'
import { FaultInjector } from './faults'
import { createHandler, latencyOf } from './handler'
import { entryJson } from './lists'
import { ATTIO_RATE_LIMITS, RateLimiter } from './rate-limit'
import { errorReply, send } from './reply'
import { Router } from './router'
import { buildRoutes } from './routes'
import { resolveSeed } from './seed'
import { SpecValidator } from './spec'
import { StatsRecorder } from './stats'
import type { EmulatorOptions, RunningEmulator } from './types'
import { Workspace } from './workspace'

// Kept importable from here: tooling outside src (bench/) gives its tokens every scope with it.
export { ALL_SCOPES } from './auth'

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const ws = new Workspace({ seed: resolveSeed(options.seed), objects: options.objects })
  const log = options.log
  const stats = new StatsRecorder()
  const spec = options.spec ? await SpecValidator.load(options.spec) : undefined
  const faults = options.faults ? new FaultInjector(options.faults) : undefined
  const rateLimits = options.rateLimits === true ? ATTIO_RATE_LIMITS : options.rateLimits || undefined
  const limiter = rateLimits ? new RateLimiter(rateLimits) : undefined
  const bulk = new BulkProcessor(ws, stats, options.bulkDelayMs ?? 50, log)
  const tokens = new Tokens(options.tokens)
  const reset = (): void => {
    bulk.cancel()
    bulk.clearLog()
    ws.clearRecords()
  }
  const router = new Router(
    buildRoutes({ ws, bulk, stats, reset, bulkEndpoint: options.bulkEndpoint !== false })
  )
  const timers = new Set<NodeJS.Timeout>()
  const latencyMs = latencyOf(options.latency)
  const handle = createHandler({ router, tokens, stats, spec, faults, limiter, log, latencyMs, timers })

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      try {
        send(res, errorReply(e, log))
      } catch {
        res.destroy()
      }
    })
  })
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  const url = await listen(server, options.port)
  let closed: Promise<void> | undefined

  return {
    url,
    apiKey: tokens.master.token,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        bulk.cancel()
        for (const t of timers) clearTimeout(t)
        timers.clear()
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

/** Listens on 127.0.0.1 (`port` 0 or none: a free one) and returns the server's URL. */
async function listen(server: Server, port: number | undefined): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`
}
