/**
 * The local destination server: the routes of the actions ecosystem's local development server, so its
 * tooling can drive this destination, plus the Edit Mapping / Send test event page. Listens on 127.0.0.1
 * only and refuses cross-origin browser requests (another web site could otherwise make it write to the
 * workspace with the default credential).
 *
 *   GET  /                       the page (and its ES modules, /main.js …, and stylesheets, /base.css …)
 *   GET  /manifest               the definition: settings, actions and their fields, presets
 *   POST /authenticate           settings → {ok: true} | {ok: false, error}
 *   POST /{action}               {payload, mapping, settings, auth} → exchanges and result (array payload: batch)
 *   POST /{action}/{field}       a dynamic field: {settings, auth, payload, page} → {choices, error?}
 *   GET  /_local/info            what the server talks to (emulator or Attio)
 *   GET  /_local/records         the emulator's records (when running against it); ?ids=a,b for some only
 *   GET  /_local/entries         ?list=<slug or id>: the emulator's entries of a list (when running against it)
 *   POST /_local/delete          {userId, settings} → a user deletion request (onDelete), answered like an action
 *   POST /_local/trigger         {subscribe, payload} → whether the event matches the trigger
 *   POST /_local/mapping-file    {text} → the mapping file's subscriptions, or a 400 with its problems
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { redactDeep } from '../api/core/redact'
import { UnknownRouteError, type LocalRunner } from './runner'
import { HOST, HttpProblem, Routes, send } from './server-routes'

export { HOST, pageDirectory } from './server-routes'

export interface LocalServerOptions {
  /** 0 = a free port. */
  port?: number
  /** Runs the destination; its default credential is used for requests that carry none. */
  runner: LocalRunner
  /** The Attio API base URL the destination talks to (shown on the page). */
  apiUrl: string
  /** Set when the destination talks to the emulator: enables the records view. */
  emulatorUrl?: string
  /** One line per request. */
  log?: (line: string) => void
}

export interface RunningLocalServer {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

export async function startLocalServer(options: LocalServerOptions): Promise<RunningLocalServer> {
  const { runner } = options
  const routes = new Routes(options)
  let port = options.port ?? 0

  const server = createServer((req, res) => {
    const started = Date.now()
    res.on('finish', () =>
      options.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`)
    )
    routes.handle(req, res, port).catch((error: unknown) => {
      const status =
        error instanceof HttpProblem || error instanceof UnknownRouteError
          ? error.status
          : (error as { code?: string }).code === 'ECONNREFUSED'
            ? 502
            : 500
      const message = error instanceof Error ? error.message : String(error)
      if (res.headersSent) {
        res.destroy()
        return
      }
      const problems = error instanceof HttpProblem ? error.problems : undefined
      send(
        res,
        status,
        redactDeep({ error: { message, status, ...(problems ? { problems } : {}) } }, runner.secretsOf())
      )
    })
  })
  // Let a browser's keep-alive connections end with the server.
  server.keepAliveTimeout = 2000

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(port, HOST, () => {
      server.off('error', onError)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const url = `http://${HOST}:${port}`
  return {
    url,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
  }
}
