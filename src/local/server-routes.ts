/**
 * The local server's routes (listed in server.ts): the page's files, the actions ecosystem's routes, and
 * the page's own (`/_local/…`). Each request is checked for its origin first.
 */
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import type { Settings } from '../destinations/attio/generated-types'
import { MappingFileError, parseMappingFile, triggerProblem } from './mapping-file'
import { emulatorEntries, emulatorRecords } from './records'
import { redactDeep } from '../api/core/redact'
import { triggerMatches } from './routing'
import type { Auth, LocalRunner } from './runner'

export const HOST = '127.0.0.1'
const MAX_BODY_BYTES = 20 * 1024 * 1024

export interface RouteOptions {
  runner: LocalRunner
  /** The Attio API base URL the destination talks to (shown on the page). */
  apiUrl: string
  /** Set when the destination talks to the emulator: enables the records view. */
  emulatorUrl?: string
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Each problem, when there are several (a mapping file's). */
    readonly problems?: string[]
  ) {
    super(message)
  }
}

/**
 * The page's files, next to this module: src/local/page when running from the sources (tests),
 * dist/local/page — copied there by `npm run build` — when running from the build or the package.
 */
export function pageDirectory(): string {
  return path.join(__dirname, 'page')
}

/** The page's HTML, stylesheet and ES modules, by URL path; nothing else of the directory is served. */
function staticRoute(pathname: string): { file: string; type: string } | undefined {
  if (pathname === '/' || pathname === '/index.html') {
    return { file: 'index.html', type: 'text/html; charset=utf-8' }
  }
  const match = /^\/([a-z][a-z0-9-]*)\.(js|css)$/.exec(pathname)
  if (!match) return undefined
  const type = match[2] === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8'
  return { file: `${match[1]}.${match[2]}`, type }
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store'
}

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text)
  })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `The body is larger than ${MAX_BODY_BYTES} bytes.`)
    chunks.push(buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (text === '') return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw new HttpProblem(400, `The body is not valid JSON (${(error as Error).message}).`)
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpProblem(
      400,
      'The body must be a JSON object, e.g. {"payload": {…}, "mapping": {…}, "settings": {…}}.'
    )
  }
  return body as Record<string, unknown>
}

const objectOr = <T>(value: unknown): T | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : undefined

/** `{subscribe, payload}`: whether the event (each event of an array) matches the trigger, as a host decides. */
async function checkTrigger(body: Record<string, unknown>) {
  if (typeof body.subscribe !== 'string' || body.subscribe.trim() === '') {
    throw new HttpProblem(400, 'The body needs "subscribe": the trigger, e.g. type = "identify".')
  }
  const problem = triggerProblem(body.subscribe)
  if (problem) return { problem, matches: false, unmatched: 0 }
  const events = Array.isArray(body.payload) ? body.payload : [body.payload]
  const matched = await Promise.all(events.map((event) => triggerMatches(body.subscribe as string, event)))
  const unmatched = matched.filter((match) => !match).length
  return { matches: unmatched === 0, unmatched }
}

/** `{text, source?}`: a mapping file read by the CLI's parser; a 400 listing its problems when unusable. */
function readMappingFile(body: Record<string, unknown>, runner: LocalRunner) {
  if (typeof body.text !== 'string') throw new HttpProblem(400, 'The body needs "text": the mapping file.')
  const source = typeof body.source === 'string' ? body.source : 'the mapping file'
  try {
    return parseMappingFile(body.text, source, runner.actionCatalog())
  } catch (error) {
    if (error instanceof MappingFileError) throw new HttpProblem(400, error.message, error.problems)
    throw error
  }
}

/** Browsers send Origin on cross-site POSTs and Host always: only this server's own origin may call it. */
function checkOrigin(req: IncomingMessage, port: number): void {
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  const host = req.headers.host ?? ''
  if (!allowedHosts.has(host)) throw new HttpProblem(403, `Requests must be addressed to 127.0.0.1:${port}.`)
  const origin = req.headers.origin
  if (origin && origin !== 'null' && !allowedHosts.has(origin.replace(/^http:\/\//, ''))) {
    throw new HttpProblem(403, 'Cross-origin requests are refused.')
  }
  if (origin === 'null') throw new HttpProblem(403, 'Cross-origin requests are refused.')
}

/** The routes of one server; `handle` answers a request (or throws an HttpProblem). */
export class Routes {
  private readonly pages = pageDirectory()

  constructor(private readonly options: RouteOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    checkOrigin(req, port)
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`)
    const method = req.method ?? 'GET'
    const segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map((segment) => {
        try {
          return decodeURIComponent(segment)
        } catch {
          throw new HttpProblem(400, `The path ${url.pathname} is not validly percent-encoded.`)
        }
      })
    if (method === 'GET' || method === 'HEAD') return this.get(res, url, segments)
    if (method !== 'POST') throw new HttpProblem(405, `${method} is not supported here.`)
    return this.post(req, res, url, segments)
  }

  private async get(res: ServerResponse, url: URL, segments: string[]): Promise<void> {
    const { runner, emulatorUrl, apiUrl } = this.options
    const route = staticRoute(url.pathname)
    if (route) return this.serveStatic(res, route)
    if (url.pathname === '/manifest') return send(res, 200, runner.manifest())
    if (url.pathname === '/_local/info') {
      return send(res, 200, {
        target: emulatorUrl ? 'emulator' : 'attio',
        apiUrl,
        actions: runner.actionSlugs()
      })
    }
    if (url.pathname === '/_local/records') return send(res, 200, await this.records(url))
    if (url.pathname === '/_local/entries') return send(res, 200, await this.entries(url))
    if (segments.length >= 1 && (runner.hasAction(segments[0]) || segments[0] === 'authenticate')) {
      throw new HttpProblem(405, `${url.pathname} takes POST.`)
    }
    throw new HttpProblem(404, `Nothing at ${url.pathname}.`)
  }

  /** The emulator's records; `?ids=a,b`: only those (the page asks for the ones an event wrote), counts whole. */
  private async records(url: URL) {
    const { emulatorUrl, runner } = this.options
    if (!emulatorUrl) {
      throw new HttpProblem(404, 'Records are shown only when the server runs against the emulator.')
    }
    const all = await emulatorRecords(emulatorUrl)
    const counts = Object.fromEntries(Object.entries(all).map(([object, list]) => [object, list.length]))
    const ids = url.searchParams.get('ids')
    const wanted = ids === null ? undefined : new Set(ids.split(',').filter(Boolean))
    const records = wanted
      ? Object.fromEntries(
          Object.entries(all).map(([object, list]) => [object, list.filter((r) => wanted.has(r.record_id))])
        )
      : all
    return redactDeep({ records, counts }, runner.secretsOf())
  }

  /** `?list=<slug or id>`: the emulator's entries of that list (the page shows them after Sync List Entry). */
  private async entries(url: URL) {
    const { emulatorUrl, runner } = this.options
    if (!emulatorUrl) {
      throw new HttpProblem(404, 'List entries are shown only when the server runs against the emulator.')
    }
    const list = url.searchParams.get('list')
    if (!list) throw new HttpProblem(400, 'Name the list: /_local/entries?list=<api slug or id>.')
    const apiKey = runner.effectiveSettings(undefined).api_key ?? ''
    const entries = await emulatorEntries(emulatorUrl, apiKey, list)
    return redactDeep({ list, entries }, runner.secretsOf())
  }

  private async post(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]): Promise<void> {
    const { runner } = this.options
    const body = await readJson(req)
    const settings = objectOr<Partial<Settings>>(body.settings)
    const auth = objectOr<Auth>(body.auth)
    if (url.pathname === '/_local/trigger') return send(res, 200, await checkTrigger(body))
    if (url.pathname === '/_local/mapping-file') return send(res, 200, readMappingFile(body, runner))
    if (url.pathname === '/_local/delete') {
      // A user deletion request, as a host sends one (the definition's onDelete).
      const userId = typeof body.userId === 'string' ? body.userId.trim() : ''
      if (!userId) throw new HttpProblem(400, 'userId: the userId of the User to delete is required.')
      return send(res, 200, await runner.runDeletion(userId, { settings }))
    }
    if (url.pathname === '/authenticate') {
      // The actions CLI posts the settings themselves; `{settings, auth}` is accepted too.
      const given = settings ?? (body as Partial<Settings>)
      return send(res, 200, await runner.authenticate(given, auth))
    }
    if (segments.length === 1) {
      if (!runner.hasAction(segments[0])) {
        throw new HttpProblem(
          404,
          `No action "${segments[0]}": the actions are ${runner.actionSlugs().join(', ')}.`
        )
      }
      if (body.payload === undefined)
        throw new HttpProblem(400, 'The body needs a "payload": a Segment event or an array of them.')
      const mapping = objectOr<Record<string, unknown>>(body.mapping)
      return send(
        res,
        200,
        await runner.runAction(segments[0], { payload: body.payload, mapping, settings, auth })
      )
    }
    if (segments.length === 2) {
      const page = typeof body.page === 'string' ? body.page : undefined
      const result = await runner.runDynamicField(segments[0], segments[1], {
        settings,
        auth,
        payload: body.payload,
        page
      })
      return send(res, 200, result)
    }
    throw new HttpProblem(404, `Nothing at ${url.pathname}.`)
  }

  private async serveStatic(res: ServerResponse, route: { file: string; type: string }): Promise<void> {
    const pages = this.pages
    let content: Buffer
    try {
      content = await readFile(path.join(pages, route.file))
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error
      throw new HttpProblem(
        404,
        route.file === 'index.html'
          ? `The page is not in ${pages}: run npm run build (npm start does).`
          : `Nothing at /${route.file}.`
      )
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': route.type,
      'Content-Length': content.length,
      ...(route.file === 'index.html' ? { 'Content-Security-Policy': PAGE_CSP } : {})
    })
    res.end(content)
  }
}
