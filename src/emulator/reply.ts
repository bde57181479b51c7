/**
 * Replies: what a route answers (status, JSON body, headers), how it is written to the response, and the
 * error bodies the server itself sends (an ApiError's, an internal error's, a 429's, an injected fault's).
 */
import type { ServerResponse } from 'node:http'

import { ApiError } from './errors'
import type { FaultKind } from './types'

export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  headers
})

/** Writes a reply (JSON with its length, or an empty body), unless the response is already over. */
export function send(res: ServerResponse, reply: Reply): void {
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

/** An ApiError as Attio answers it; anything else is the emulator's own bug: logged, and a 500. */
export function errorReply(e: unknown, log?: (line: string) => void): Reply {
  if (e instanceof ApiError) return json(e.status, e.body(), e.headers)
  log?.(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  return json(500, {
    status_code: 500,
    type: 'api_error',
    code: 'internal_server_error',
    message: `Emulator error: ${e instanceof Error ? e.message : String(e)}`
  })
}

/** Attio's 429, with the HTTP date the next request is allowed at. */
export const rateLimitReply = (retryAfter: string): Reply =>
  json(
    429,
    {
      status_code: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: 'Rate limit exceeded, please try again later'
    },
    { 'retry-after': retryAfter }
  )

/** The answer of an injected 500 or 503 fault. */
export const faultReply = (kind: Extract<FaultKind, '500' | '503'>): Reply =>
  kind === '500'
    ? json(500, {
        status_code: 500,
        type: 'api_error',
        code: 'internal_server_error',
        message: 'An internal error occurred.'
      })
    : json(503, {
        status_code: 503,
        type: 'api_error',
        code: 'service_unavailable',
        message: 'Service temporarily unavailable.'
      })
