/**
 * The doctor's HTTP to Attio, outside the actions-core runtime: `got`, loaded on first use (it is ESM-only,
 * and this keeps it off the package's main entry). Two ways in: `send` answers whatever Attio answers
 * (status, headers, body), for the checks and probes that look at the wire; `requestClient` gives the
 * destination's own `AttioClient` the part of actions-core's request it uses, so reads and writes are made
 * by the same code the actions use. Every exchange is logged without the credential (its headers are
 * Attio's answer's), for the rate-limit and clock checks. Callers URL-encode every path part they build.
 */
import type { RequestClient } from '@segment/actions-core'

export interface DoctorExchange {
  method: string
  path: string
  status: number
  /** Attio's response headers, lower-cased. */
  headers: Record<string, string>
  sentAt: number
  answeredAt: number
}

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown
  text: string
}

export interface SendOptions {
  searchParams?: Record<string, string>
  json?: unknown
}

type Got = (typeof import('got', { with: { 'resolution-mode': 'import' } }))['default']
let gotModule: Promise<Got> | undefined
const loadGot = (): Promise<Got> => (gotModule ??= import('got').then((module) => module.default))

const REQUEST_TIMEOUT_MS = 15_000

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

export class DoctorHttp {
  readonly exchanges: DoctorExchange[] = []

  /**
   * @param baseUrl Attio's API base URL, without a trailing slash
   * @param credential the API key or OAuth access token, sent as a Bearer token and never logged
   */
  constructor(
    readonly baseUrl: string,
    private readonly credential: string
  ) {}

  /** One request; any HTTP status is an answer. A network failure throws, naming the base URL only. */
  async send(method: string, path: string, options: SendOptions = {}): Promise<RawAnswer> {
    const got = await loadGot()
    const sentAt = Date.now()
    let response
    try {
      response = await got(`${this.baseUrl}${path}`, {
        method: method as 'GET',
        headers: { authorization: `Bearer ${this.credential}`, accept: 'application/json' },
        ...(options.searchParams ? { searchParams: options.searchParams } : {}),
        ...(options.json !== undefined ? { json: options.json } : {}),
        throwHttpErrors: false,
        retry: { limit: 0 },
        timeout: { request: REQUEST_TIMEOUT_MS }
      })
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name
      // eslint-disable-next-line preserve-caught-error -- got's error holds the request options, Authorization header included: it must not travel on
      throw new Error(`Could not reach Attio at ${this.baseUrl} (${code}).`)
    }
    const headers = flatHeaders(response.headers)
    this.exchanges.push({
      method,
      path,
      status: response.statusCode,
      headers,
      sentAt,
      answeredAt: Date.now()
    })
    let body: unknown
    try {
      body = response.body === '' ? undefined : JSON.parse(response.body)
    } catch {
      body = undefined
    }
    return { status: response.statusCode, headers, body, text: response.body }
  }

  /**
   * actions-core's `request`, as far as `AttioClient` uses it (method, searchParams, json; `data` of the
   * answer; an error carrying `response` for a status of 400 and above, which the client turns into the
   * destination's own errors). The client builds URLs from ATTIO_API_URL, which the doctor sets to baseUrl.
   */
  requestClient(): RequestClient {
    const request = async (url: string, options: { method?: string } & SendOptions = {}) => {
      if (!url.startsWith(this.baseUrl)) throw new Error(`The doctor only talks to ${this.baseUrl}.`)
      const answer = await this.send(options.method ?? 'GET', url.slice(this.baseUrl.length), options)
      const response = {
        status: answer.status,
        data: answer.body,
        content: answer.text,
        headers: new Headers(answer.headers)
      }
      if (answer.status >= 400) {
        throw Object.assign(new Error(`Attio answered ${answer.status}`), { response })
      }
      return response
    }
    // The client calls only the subset above; actions-core's full RequestClient type is not needed for it.
    return request as unknown as RequestClient
  }
}
