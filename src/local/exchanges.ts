/**
 * The HTTP exchanges actions-core captured while running an action (every response goes through its
 * `afterResponse` hook into `Destination.responses`), as plain JSON: method, URL, status, request and
 * response headers and bodies. Credentials are removed later, over the whole answer (see redact.ts).
 */
import type { DecoratedResponse } from '@segment/actions-core'

export interface Exchange {
  method: string
  url: string
  status: number
  request: { headers: Record<string, string>; body?: unknown }
  response: { headers: Record<string, string>; body?: unknown }
}

function headersOf(headers: Headers | undefined): Record<string, string> {
  const result: Record<string, string> = {}
  if (!headers || typeof headers.forEach !== 'function') return result
  headers.forEach((value, key) => {
    result[key] = value
  })
  return result
}

function parsed(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function requestBodyOf(options: DecoratedResponse['options'] | undefined): unknown {
  if (!options) return undefined
  if (options.json !== undefined) return options.json
  const body: unknown = options.body
  if (typeof body === 'string') return parsed(body)
  if (body instanceof URLSearchParams) return body.toString()
  return undefined
}

function responseBodyOf(response: DecoratedResponse): unknown {
  if (response.data !== undefined && response.data !== null && response.data !== '') return response.data
  return typeof response.content === 'string' ? parsed(response.content) : undefined
}

export function toExchange(response: DecoratedResponse): Exchange {
  return {
    method: (response.request?.method ?? response.options?.method ?? 'GET').toUpperCase(),
    url: response.request?.url ?? response.url,
    status: response.status,
    request: { headers: headersOf(response.request?.headers), body: requestBodyOf(response.options) },
    response: { headers: headersOf(response.headers), body: responseBodyOf(response) }
  }
}

/** Takes (and removes) every response captured so far. */
export function takeExchanges(responses: DecoratedResponse[]): Exchange[] {
  return responses.splice(0).map(toExchange)
}
