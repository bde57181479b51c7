/**
 * The Attio client as the actions use it: `connect` builds it from an action's request, settings and
 * auth; `assertRecords` checks every record before any write and then writes them in order.
 */
import { MultiStatusResponse, type JSONLikeObject, type RequestClient } from '@segment/actions-core'
import { deliverBatch, type BatchItem, type BatchOptions, type BatchReport } from './batch'
import { AttioClient, credentialOf, secretsOf } from './client'
import {
  prepareRecord,
  writeRecord,
  type PrepareOptions,
  type RecordAssertion,
  type WriteOutcome
} from './records'
import { WorkspaceSchema } from './schema'
import type { HostContext } from './telemetry'

/** The records an event wrote before its error, by error (the single path's partial result). */
const writtenBeforeFailure = new WeakMap<object, WriteOutcome[]>()

/**
 * What was written before an action's error: e.g. the Company and the Workspace of a group event whose
 * User link failed. Undefined when nothing was, or the error did not come from `assertRecords`.
 */
export function recordsWrittenBefore(error: unknown): WriteOutcome[] | undefined {
  return typeof error === 'object' && error !== null ? writtenBeforeFailure.get(error) : undefined
}

/** An action's settings and auth, and what the host passes for its metrics, logs and cancellation. */
export interface ConnectionInput extends HostContext {
  settings?: { api_key?: string; default_phone_country?: string; suppress_unchanged_writes?: boolean }
  auth?: { accessToken?: string; refreshToken?: string }
}

export class Attio {
  readonly client: AttioClient
  readonly schema: WorkspaceSchema

  constructor(request: RequestClient, input: ConnectionInput) {
    this.client = new AttioClient(
      request,
      credentialOf(input.settings, input.auth),
      secretsOf(input.settings, input.auth),
      // On unless the setting turns it off.
      {
        suppressUnchanged: input.settings?.suppress_unchanged_writes !== false,
        host: { statsContext: input.statsContext, logger: input.logger, signal: input.signal }
      }
    )
    this.schema = new WorkspaceSchema(this.client)
  }

  /**
   * Asserts records in the given order. All of them are checked against the workspace first, so a
   * mapping mistake in the last one sends no write for the first.
   */
  async assertRecords(
    records: RecordAssertion[],
    options: PrepareOptions = {}
  ): Promise<{ records: WriteOutcome[] }> {
    const outcomes: WriteOutcome[] = []
    try {
      const prepared = []
      for (const record of records) prepared.push(await prepareRecord(this.schema, record, options))
      for (const record of prepared) await writeRecord(this.client, record, outcomes)
    } catch (error) {
      if (outcomes.length > 0 && typeof error === 'object' && error !== null) {
        writtenBeforeFailure.set(error, [...outcomes])
      }
      throw error
    } finally {
      this.client.telemetry.flush()
    }
    return { records: outcomes }
  }

  /** Delivers many events: validated one by one, merged by record, sent in few requests. */
  async assertBatch(items: BatchItem[], options: BatchOptions = {}): Promise<MultiStatusResponse> {
    try {
      return toMultiStatus(await deliverBatch(this.client, this.schema, items, options))
    } finally {
      this.client.telemetry.flush()
    }
  }
}

/** The report of a batch as actions-core's per-event multi-status answer. */
export function toMultiStatus(report: BatchReport): MultiStatusResponse {
  const response = new MultiStatusResponse()
  report.outcomes.forEach((outcome, index) => {
    if (outcome.ok) {
      response.setSuccessResponseAtIndex(index, {
        status: outcome.status,
        sent: outcome.sent as JSONLikeObject,
        body: outcome.body as JSONLikeObject
      })
    } else {
      response.setErrorResponseAtIndex(index, {
        status: outcome.status,
        errortype: outcome.errortype,
        errormessage: outcome.message,
        ...(outcome.sent ? { sent: outcome.sent as JSONLikeObject } : {})
      })
    }
  })
  return response
}

export function connect(request: RequestClient, input: ConnectionInput): Attio {
  return new Attio(request, input)
}
