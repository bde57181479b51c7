/**
 * The Attio client: one method per documented endpoint the destination uses, over actions-core's
 * `request` (so the host's authentication, time-outs and response capture apply). Every path segment and
 * query value built from input is URL-encoded, every response is checked with zod, every failure becomes
 * an actions-core error with Attio's message and status and without the credential.
 */
import { createHash } from 'node:crypto'
import type { RequestClient } from '@segment/actions-core'
import { z } from 'zod'
import { AttioApiError, CredentialRefusedError, toActionError } from './errors'
import { reportSharedState, writeSlotsFor, type WriteSlots } from './state'
import { BulkSentMemory, WriteMemory } from './suppression'
import { METRICS, NO_TELEMETRY, Telemetry, type HostContext } from './telemetry'
import {
  attributeListResponse,
  objectListResponse,
  optionListResponse,
  recordListResponse,
  recordResponse,
  selfResponse,
  toAttributeDef,
  toObjectDef,
  toOptionDef,
  type AttributeDef,
  type ObjectDef,
  type OptionDef,
  type SelfResponse
} from './wire'
import { apiUrl, DEFAULT_API_URL } from './core/config'
import type { RecordId, WireValues } from './core/wire-types'

export { DEFAULT_API_URL }

/** Attio's API base URL: `ATTIO_API_URL` when set (local runs point it at the emulator). */
export function attioBaseUrl(): string {
  return apiUrl()
}

/** The credential a request uses: the workspace API key when set, else the OAuth access token. */
export function credentialOf(
  settings: { api_key?: string } | undefined,
  auth?: { accessToken?: string }
): string {
  const apiKey = settings?.api_key?.trim()
  if (apiKey) return apiKey
  return auth?.accessToken?.trim() ?? ''
}

/** Every secret the settings and auth carry, so none of them is ever repeated in an error. */
export function secretsOf(
  settings: { api_key?: string } | undefined,
  auth?: { accessToken?: string; refreshToken?: string }
): string[] {
  return [settings?.api_key, auth?.accessToken, auth?.refreshToken]
    .map((secret) => secret?.trim() ?? '')
    .filter((secret) => secret.length > 0)
}

export const NO_CREDENTIAL_MESSAGE =
  'No Attio credential: connect the destination to Attio (OAuth) or enter a workspace API key in the settings.'

export type { RecordId, WireValues } from './core/wire-types'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

const anyBody = z.unknown()

const encode = encodeURIComponent

/**
 * What a single write is counted as: its object (for a list entry, the list's parent object) and kind
 * (`entry_assert`, `entry_delete` for list entries).
 */
export type WriteMetric = {
  object: string
  kind: 'assert' | 'append' | 'create' | 'update' | 'delete' | 'entry_assert' | 'entry_delete'
}

export class AttioClient {
  /** A hash of base URL and credential: keys every cache, never the credential itself. */
  readonly workspaceKey: string

  private readonly secrets: string[]
  private readonly hasCredential: boolean
  /** The write budget of this credential: this process's, or the fleet's (`ATTIO_STATE_URL`). */
  private readonly limiter: WriteSlots
  /** How long a write may wait for a slot under the write limit before it is handed back as a 429. */
  maxWriteWaitMs = 5000
  /** Requests this client sent (reads include record queries). */
  readonly sent = { reads: 0, writes: 0 }
  /** What earlier writes left in Attio, when redundant-write suppression is on. */
  readonly memory: WriteMemory | undefined
  /** Records this client's bulk requests carried, to link them later without a lookup (always kept). */
  readonly bulkSent: BulkSentMemory
  /** The host's metrics and debug log (a no-op when it passed none). */
  readonly telemetry: Telemetry
  /** The host's cancellation of this invocation: writes stop waiting for a slot once it fires. */
  readonly signal: AbortSignal | undefined

  /**
   * @param credential the token requests carry (set by the destination's extendRequest)
   * @param otherSecrets further secrets to keep out of every message (the unused OAuth tokens)
   * @param options.suppressUnchanged skip writes whose values Attio already holds from this process
   * @param options.host the host's statsContext, logger and AbortSignal
   */
  constructor(
    private readonly request: RequestClient,
    credential: string,
    otherSecrets: readonly string[] = [],
    options: { suppressUnchanged?: boolean; host?: HostContext } = {}
  ) {
    // Without a credential nothing can be sent; every call says so (`send`), so a batch answers per event.
    this.hasCredential = credential !== ''
    this.secrets = [credential, ...otherSecrets]
    this.workspaceKey = createHash('sha256')
      .update(`${attioBaseUrl()}\n${credential}`)
      .digest('hex')
      .slice(0, 32)
    this.limiter = writeSlotsFor(this.workspaceKey)
    this.memory = options.suppressUnchanged ? new WriteMemory(this.workspaceKey) : undefined
    this.bulkSent = new BulkSentMemory(this.workspaceKey)
    const host = options.host
    this.telemetry =
      host?.statsContext || host?.logger
        ? new Telemetry(host.statsContext, host.logger, this.secrets)
        : NO_TELEMETRY
    // An outage of fleet mode's shared state since the last invocation: this host hears of it (metric, warning).
    if (this.telemetry !== NO_TELEMETRY) reportSharedState(this.telemetry)
    this.signal = host?.signal
  }

  /** `GET /v2/self`: what the token is and which scopes it has. */
  self(): Promise<SelfResponse> {
    return this.send('GET', '/v2/self', undefined, selfResponse, 'the token check (GET /v2/self)')
  }

  /** `GET /v2/objects`: the workspace's objects, with their slugs and nouns. */
  async listObjects(): Promise<ObjectDef[]> {
    const body = await this.send('GET', '/v2/objects', undefined, objectListResponse, 'the list of objects')
    return body.data.map(toObjectDef).filter((object): object is ObjectDef => object !== null)
  }

  /** `GET /v2/objects/{object}/attributes`, archived ones included so they can be named in errors. */
  async listAttributes(object: string): Promise<AttributeDef[]> {
    const body = await this.send(
      'GET',
      `/v2/objects/${encode(object)}/attributes`,
      { searchParams: { show_archived: 'true' } },
      attributeListResponse,
      `the attributes of "${object}"`
    )
    return body.data.map(toAttributeDef)
  }

  /** The options of a select attribute or the statuses of a status attribute. */
  listOptions(object: string, attribute: string, kind: 'options' | 'statuses'): Promise<OptionDef[]> {
    return this.listOptionsOf('objects', object, attribute, kind)
  }

  /** The options or statuses of an object's or a list's attribute (archived ones too). */
  async listOptionsOf(
    parent: 'objects' | 'lists',
    id: string,
    attribute: string,
    kind: 'options' | 'statuses'
  ): Promise<OptionDef[]> {
    const body = await this.send(
      'GET',
      `/v2/${parent}/${encode(id)}/attributes/${encode(attribute)}/${kind}`,
      { searchParams: { show_archived: 'true' } },
      optionListResponse,
      `the ${kind} of "${id}.${attribute}"`
    )
    return body.data.map(toOptionDef)
  }

  /** `PUT /v2/objects/{object}/records?matching_attribute=`: create or update by a unique attribute. */
  async assertRecord(
    object: string,
    matchingAttribute: string,
    values: WireValues,
    what: string
  ): Promise<RecordId> {
    return this.writeRecordValues({ method: 'PUT', object, matchingAttribute, kind: 'assert' }, values, what)
  }

  /** `PATCH /v2/objects/{object}/records/{record_id}`: update, appending to multiselect values. */
  async appendValues(object: string, recordId: string, values: WireValues, what: string): Promise<RecordId> {
    return this.writeRecordValues({ method: 'PATCH', object, recordId, kind: 'append' }, values, what)
  }

  /** `POST /v2/objects/{object}/records`: creates a record (a unique value already taken is a 409). */
  async createRecord(object: string, values: WireValues, what: string): Promise<RecordId> {
    return this.writeRecordValues({ method: 'POST', object, kind: 'create' }, values, what)
  }

  /** `PUT /v2/objects/{object}/records/{record_id}`: update, overwriting multiselect values. */
  async overwriteValues(
    object: string,
    recordId: string,
    values: WireValues,
    what: string
  ): Promise<RecordId> {
    return this.writeRecordValues({ method: 'PUT', object, recordId, kind: 'update' }, values, what)
  }

  /**
   * One single-record write of `values` (`{data: {values}}`): to the object's records, or to one record by its id,
   * matching on `matchingAttribute` when given; counted by object and kind. Answers the record Attio answered with.
   */
  private async writeRecordValues(
    write: {
      method: Method
      object: string
      recordId?: string
      matchingAttribute?: string
      kind: WriteMetric['kind']
    },
    values: WireValues,
    what: string
  ): Promise<RecordId> {
    const { method, object, recordId, matchingAttribute, kind } = write
    const path = `/v2/objects/${encode(object)}/records${recordId === undefined ? '' : `/${encode(recordId)}`}`
    const json = { data: { values } }
    const options =
      matchingAttribute === undefined
        ? { json }
        : { searchParams: { matching_attribute: matchingAttribute }, json }
    const body = await this.send(method, path, options, recordResponse, what, { object, kind })
    return { object, recordId: body.data.id.record_id, values: body.data.values }
  }

  /**
   * `PUT /v2/batch/records`: many assertions in one request (the bulk endpoint Segment's Attio destination
   * uses; not in Attio's public reference). Attio answers 202 and applies them asynchronously. The assertions
   * are built by `build` once the request has its slot under the write limit, right before it is sent (an
   * error thrown by `build` sends nothing).
   */
  async bulkAssert(build: () => unknown[], what: string): Promise<number> {
    await this.send('PUT', '/v2/batch/records', { json: () => ({ assertions: build() }) }, anyBody, what)
    return 202
  }

  /** `DELETE /v2/objects/{object}/records/{record_id}`: deletes the record (for good). */
  async deleteRecord(object: string, recordId: string, what: string): Promise<void> {
    await this.send(
      'DELETE',
      `/v2/objects/${encode(object)}/records/${encode(recordId)}`,
      undefined,
      anyBody,
      what,
      { object, kind: 'delete' }
    )
  }

  /** `GET /v2/objects/{object}/records/{record_id}`. */
  async getRecord(
    object: string,
    recordId: string
  ): Promise<{ recordId: string; values: Record<string, unknown> }> {
    const body = await this.send(
      'GET',
      `/v2/objects/${encode(object)}/records/${encode(recordId)}`,
      undefined,
      recordResponse,
      `the ${object} record ${recordId}`
    )
    return { recordId: body.data.id.record_id, values: body.data.values ?? {} }
  }

  /**
   * `POST /v2/objects/{object}/records/query` with a filter: the matching records' ids by the text value
   * of `keyAttribute` (e.g. user_id → record id).
   */
  async findRecords(
    object: string,
    filter: Record<string, unknown>,
    keyAttribute: string,
    limit: number,
    what: string
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>()
    for (const record of await this.queryRecords(object, filter, limit, what)) {
      for (const value of record.values?.[keyAttribute] ?? []) {
        if (typeof value.value === 'string') found.set(value.value, record.id.record_id)
      }
    }
    return found
  }

  /** `POST /v2/objects/{object}/records/query` with a filter: the ids of the matching records. */
  async findRecordIds(
    object: string,
    filter: Record<string, unknown>,
    limit: number,
    what: string
  ): Promise<string[]> {
    return (await this.queryRecords(object, filter, limit, what)).map((record) => record.id.record_id)
  }

  /** `POST /v2/objects/{object}/records/query` with a filter: at most `limit` matching records. */
  private async queryRecords(
    object: string,
    filter: Record<string, unknown>,
    limit: number,
    what: string
  ): Promise<z.infer<typeof recordListResponse>['data']> {
    const body = await this.send(
      'POST',
      `/v2/objects/${encode(object)}/records/query`,
      { json: { filter, limit } },
      recordListResponse,
      what
    )
    return body.data
  }

  /**
   * Every request: the credential check, the write limit (a write waits for its slot), the error handling and
   * the answer's check against `schema`. Also for the modules of src/api that speak further endpoints (lists/);
   * `path` parts must be URL-encoded by the caller.
   */
  async send<Schema extends z.ZodType>(
    method: Method,
    path: string,
    /** `json` may be a function: the body is then built once the write has its slot (see `bulkAssert`). */
    options: { searchParams?: Record<string, string>; json?: unknown } | undefined,
    schema: Schema,
    what: string,
    /**
     * A single-record write (or a list entry's), counted in `attio.writes.*` by object and kind (the bulk path
     * counts its records itself).
     */
    metric?: WriteMetric
  ): Promise<z.infer<Schema>> {
    if (!this.hasCredential) throw new CredentialRefusedError(NO_CREDENTIAL_MESSAGE)
    let data: unknown
    const write = method !== 'GET' && !/\/(records|entries)\/query$/.test(path)
    const telemetry = this.telemetry
    if (write) {
      const asked = Date.now()
      try {
        await this.limiter.acquire(this.maxWriteWaitMs, this.signal)
      } catch (error) {
        if (metric)
          telemetry.count(METRICS.writesFailed, 1, {
            ...metric,
            reason: this.signal?.aborted ? 'cancelled' : 'no_write_slot'
          })
        throw error
      }
      telemetry.histogram(METRICS.writeSlotWaitMs, Date.now() - asked)
    }
    const json: unknown =
      typeof options?.json === 'function' ? (options.json as () => unknown)() : options?.json
    if (write) this.sent.writes += 1
    else this.sent.reads += 1
    try {
      const response = await this.request(`${attioBaseUrl()}${path}`, {
        method,
        ...(options?.searchParams ? { searchParams: options.searchParams } : {}),
        ...(json !== undefined ? { json } : {})
      })
      data = response.data
    } catch (error) {
      const failure = toActionError(error, what, this.secrets)
      const status = failure instanceof AttioApiError ? failure.status : undefined
      if (status === 429) {
        telemetry.count(METRICS.rateLimited, 1, { method })
        const until = (failure as AttioApiError).retryAfter
        if (until) telemetry.count(METRICS.retryAfterWaitMs, Math.max(0, until - Date.now()))
      }
      if (metric) telemetry.count(METRICS.writesFailed, 1, { ...metric, reason: String(status ?? 'network') })
      if (failure instanceof AttioApiError && failure.retryAfter) this.limiter.blockUntil(failure.retryAfter)
      throw failure
    }
    const parsed = schema.safeParse(data)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
      throw new AttioApiError(
        `Attio answered ${method} ${path.split('?')[0]} for ${what} with an unexpected body (${issue?.message ?? 'invalid'}${where}).`,
        502
      )
    }
    if (metric) telemetry.count(METRICS.writesSent, 1, metric)
    return parsed.data
  }
}
