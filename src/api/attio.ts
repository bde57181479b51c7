/**
 * The Attio client as the actions use it: `connect` builds it from an action's request, settings and
 * auth; `assertRecords` checks every record before any write and then writes them in order.
 */
import type { RequestClient } from '@segment/actions-core'
import { AttioClient, credentialOf, secretsOf } from './client'
import {
  prepareRecord,
  writeRecord,
  type PrepareOptions,
  type RecordAssertion,
  type WriteOutcome
} from './records'
import { WorkspaceSchema } from './schema'

export interface ConnectionInput {
  settings?: { api_key?: string; default_phone_country?: string }
  auth?: { accessToken?: string; refreshToken?: string }
}

export class Attio {
  readonly client: AttioClient
  readonly schema: WorkspaceSchema

  constructor(request: RequestClient, input: ConnectionInput) {
    this.client = new AttioClient(
      request,
      credentialOf(input.settings, input.auth),
      secretsOf(input.settings, input.auth)
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
    const prepared = []
    for (const record of records) prepared.push(await prepareRecord(this.schema, record, options))
    const outcomes: WriteOutcome[] = []
    for (const record of prepared) await writeRecord(this.client, record, outcomes)
    return { records: outcomes }
  }
}

export function connect(request: RequestClient, input: ConnectionInput): Attio {
  return new Attio(request, input)
}
