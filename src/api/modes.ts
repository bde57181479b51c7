/**
 * Sync modes of Assert Record other than create-or-update (`upsert`, which `Attio.assertRecords` and
 * `deliverBatch` do): `update` changes an existing record only, `add` creates a record only, `delete`
 * deletes the matching record. Each finds the record by its matching attribute with a records query, then
 * writes it by record id (`PUT`/`PATCH /v2/objects/{object}/records/{record_id}`), creates it
 * (`POST /v2/objects/{object}/records`) or deletes it (`DELETE …/records/{record_id}`).
 *
 * The write memory (suppression/) stays true: every write registers with it like an assert does (so an
 * overlapping write remembers nothing), an update or a creation remembers what it wrote, and a deletion
 * forgets the record and every unique value that led to it.
 */
import { MultiStatusResponse, PayloadValidationError } from '@segment/actions-core'
import type { Attio } from './attio'
import { toMultiStatus } from './attio'
import { errorOutcome, heldBackOutcome, isRetried, type BatchItem, type EventOutcome } from './batch'
import type { AttioClient, WireValues } from './client'
import { AttioApiError } from './errors'
import {
  identitiesOf,
  prepareRecord,
  showValue,
  type PrepareOptions,
  type PreparedRecord,
  type RecordAssertion
} from './records'
import { identitiesIn, type Identity, type WriteInProgress } from './suppression'

export const SYNC_MODES = ['upsert', 'update', 'add', 'delete'] as const
export type AssertSyncMode = (typeof SYNC_MODES)[number]

/** The mode a payload's `syncMode` names; create-or-update when the host sent none. */
export function syncModeOf(value: unknown): AssertSyncMode {
  return (SYNC_MODES as readonly unknown[]).includes(value) ? (value as AssertSyncMode) : 'upsert'
}

/** What a mode did to one record. */
export interface ModeOutcome {
  object: string
  label: string
  /** Absent when no record matched (`delete` of an absent record). */
  record_id?: string
  /**
   * `updated` (update), `created` (add), `exists` (add: a record with the unique value exists and was
   * left untouched), `deleted`, `absent` (delete: no record matched, nothing to delete), `unchanged`
   * (update: the event held nothing but the matching value).
   */
  result: 'updated' | 'created' | 'exists' | 'deleted' | 'absent' | 'unchanged'
}

/** The error for `update` when no record matches: nothing is created. */
export function noRecordToUpdate(prepared: PreparedRecord, values: readonly Identity[]): AttioApiError {
  const shown = values.map((identity) => showValue(identity.text)).join(' or ')
  return new AttioApiError(
    `matching_attribute: Attio has no ${prepared.object} record with ${prepared.matchingAttribute} ${shown}, and the sync mode is "update", which changes existing records only: nothing was created. Choose the sync mode "upsert" to create missing records.`,
    404,
    'record_not_found'
  )
}

function severalMatch(
  prepared: Pick<PreparedRecord, 'object' | 'matchingAttribute'>,
  values: readonly Identity[]
): AttioApiError {
  const shown = values.map((identity) => showValue(identity.text)).join(', ')
  return new AttioApiError(
    `matching_attribute: the values ${shown} of ${prepared.matchingAttribute} match several ${prepared.object} records, so Attio could not tell which one to change. Map one value to match on.`,
    400,
    'multiple_match_results'
  )
}

/**
 * The records whose matching attribute holds one of the values (by a records query; at most a few). When the
 * query fails, the write registered for the record is cancelled (it sent nothing).
 */
async function findMatching(
  client: AttioClient,
  prepared: PreparedRecord,
  matching: readonly Identity[],
  write: WriteInProgress | undefined
): Promise<string[]> {
  const conditions = matching.map((identity) => ({ [prepared.matchingAttribute]: identity.text }))
  const filter = conditions.length === 1 ? conditions[0] : { $or: conditions }
  try {
    return await client.findRecordIds(
      prepared.object,
      filter,
      2,
      `the lookup of the ${prepared.label} by ${prepared.matchingAttribute}`
    )
  } catch (error) {
    write?.cancel()
    throw error
  }
}

/** The matching values of a prepared record, as the memory and the query know them. */
function matchingOf(prepared: PreparedRecord): { matching: Identity[]; others: Identity[] } {
  const found = identitiesOf(prepared, prepared.assertValues, prepared.appendValues)
  if (found.matching.length === 0) {
    throw new PayloadValidationError(
      `matching_attribute: the value of ${prepared.matchingAttribute} cannot be used to find a ${prepared.object} record (it is not a text, an email address, a domain or a number).`
    )
  }
  return found
}

function withoutAttribute(values: WireValues, attribute: string): WireValues {
  const rest: WireValues = { ...values }
  delete rest[attribute]
  return rest
}

/** `update`: the matching record's other values are written by record id; a missing record is an error. */
async function updateExisting(client: AttioClient, prepared: PreparedRecord): Promise<ModeOutcome> {
  const { matching, others } = matchingOf(prepared)
  const memory = client.memory
  const write = memory?.begin(prepared.object, [...matching, ...others])
  const ids = await findMatching(client, prepared, matching, write)
  if (ids.length === 0) {
    write?.cancel()
    throw noRecordToUpdate(prepared, matching)
  }
  if (ids.length > 1) {
    write?.cancel()
    throw severalMatch(prepared, matching)
  }
  const recordId = ids[0]
  // The record holds the matching value already (it was found by it): overwriting that attribute would drop
  // its other values (a Person's other email addresses), so it is not sent.
  const overwrite = withoutAttribute(prepared.assertValues, prepared.matchingAttribute)
  const append = prepared.appendValues
  const what = `the ${prepared.label}`
  const answered: Identity[] = []
  const sent = { overwrite: Object.keys(overwrite).length > 0, append: Object.keys(append).length > 0 }
  try {
    if (sent.overwrite) {
      const result = await client.overwriteValues(prepared.object, recordId, overwrite, what)
      answered.push(...identitiesIn(prepared.object, prepared.unique, result.values))
    }
    if (sent.append) {
      const result = await client.appendValues(prepared.object, recordId, append, what)
      answered.push(...identitiesIn(prepared.object, prepared.unique, result.values))
    }
  } catch (error) {
    write?.failed()
    // Deleted between the query and the write: still nothing to update, and nothing is created.
    if (error instanceof AttioApiError && error.status === 404) {
      memory?.forgetDeleted(recordId, matching)
      throw noRecordToUpdate(prepared, matching)
    }
    throw error
  }
  if (!sent.overwrite && !sent.append) {
    write?.cancel()
    memory?.rememberLookup(matching[0], recordId)
  } else {
    write?.succeeded(recordId, [...matching, ...answered], {
      ...(sent.overwrite ? { assert: overwrite } : {}),
      ...(sent.append ? { append } : {}),
      matchingAttribute: prepared.matchingAttribute
    })
  }
  for (const identity of matching)
    client.bulkSent.seen(prepared.object, prepared.matchingAttribute, identity.text)
  return {
    object: prepared.object,
    label: prepared.label,
    record_id: recordId,
    result: sent.overwrite || sent.append ? 'updated' : 'unchanged'
  }
}

/** `add`: creates the record unless one with the matching value (or another unique value) exists. */
async function addNew(client: AttioClient, prepared: PreparedRecord): Promise<ModeOutcome> {
  const { matching, others } = matchingOf(prepared)
  const memory = client.memory
  const write = memory?.begin(prepared.object, [...matching, ...others])
  const exists = (recordId?: string): ModeOutcome => ({
    object: prepared.object,
    label: prepared.label,
    ...(recordId !== undefined ? { record_id: recordId } : {}),
    result: 'exists'
  })
  const ids = await findMatching(client, prepared, matching, write)
  if (ids.length > 0) {
    write?.cancel()
    if (ids.length === 1) memory?.rememberLookup(matching[0], ids[0])
    return exists(ids.length === 1 ? ids[0] : undefined)
  }
  // A new record holds exactly what it is created with: the appended values are part of it.
  const values: WireValues = { ...prepared.assertValues, ...prepared.appendValues }
  let recordId: string
  const answered: Identity[] = []
  try {
    const result = await client.createRecord(prepared.object, values, `the ${prepared.label}`)
    recordId = result.recordId
    answered.push(...identitiesIn(prepared.object, prepared.unique, result.values))
  } catch (error) {
    write?.failed()
    // Created meanwhile, or another of its unique values is taken: an existing record is left untouched.
    if (error instanceof AttioApiError && error.status === 409) return exists()
    throw error
  }
  write?.succeeded(recordId, answered, { assert: values, matchingAttribute: prepared.matchingAttribute })
  for (const identity of matching)
    client.bulkSent.seen(prepared.object, prepared.matchingAttribute, identity.text)
  return { object: prepared.object, label: prepared.label, record_id: recordId, result: 'created' }
}

/**
 * Deletes the record(s) of `object` found by `matching` values (each in turn; already gone is a success) and
 * forgets everything remembered about them. Used by the `delete` mode and by the CDP's deletion requests.
 */
export async function deleteMatching(
  client: AttioClient,
  record: { object: string; label: string; matchingAttribute: string },
  matching: readonly Identity[],
  options: { several?: 'refuse' | 'delete' } = {}
): Promise<ModeOutcome[]> {
  const memory = client.memory
  const write = memory?.begin(record.object, matching)
  let ids: string[]
  try {
    const conditions = matching.map((identity) => ({ [record.matchingAttribute]: identity.text }))
    ids = await client.findRecordIds(
      record.object,
      conditions.length === 1 ? conditions[0] : { $or: conditions },
      options.several === 'delete' ? 50 : 2,
      `the lookup of the ${record.label} by ${record.matchingAttribute}`
    )
  } catch (error) {
    write?.cancel()
    throw error
  }
  if (ids.length > 1 && options.several !== 'delete') {
    write?.cancel()
    throw severalMatch(record, matching)
  }
  const outcomes: ModeOutcome[] = []
  try {
    for (const recordId of ids) {
      try {
        await client.deleteRecord(record.object, recordId, `the deletion of the ${record.label}`)
      } catch (error) {
        // Deleted meanwhile: already gone is what was asked for.
        if (!(error instanceof AttioApiError && error.status === 404)) throw error
      }
      if (write) write.write.recordId = recordId
      memory?.forgetDeleted(recordId, matching)
      outcomes.push({ object: record.object, label: record.label, record_id: recordId, result: 'deleted' })
    }
  } finally {
    // Whatever happened, nothing about these records is remembered (failed() forgets what they led to).
    write?.failed()
    memory?.forgetDeleted(undefined, matching)
    // A link to a deleted record must never create it again from what a bulk request once sent.
    for (const identity of matching)
      client.bulkSent.seen(record.object, record.matchingAttribute, identity.text)
  }
  if (ids.length === 0) outcomes.push({ object: record.object, label: record.label, result: 'absent' })
  return outcomes
}

/** Prepares the record as the mode needs it: `delete` reads only the matching value. */
async function prepareFor(
  attio: Attio,
  record: RecordAssertion,
  mode: Exclude<AssertSyncMode, 'upsert'>,
  options: PrepareOptions
): Promise<PreparedRecord> {
  if (mode === 'add') return prepareRecord(attio.schema, record, options)
  if (mode === 'update') return prepareRecord(attio.schema, record, { ...options, existingOnly: true })
  // Delete: only the matching value matters; the other values are neither checked nor sent.
  const matching = await attio.schema.findAttribute(record.object, record.matchingAttribute)
  const values = []
  for (const input of record.values) {
    const attribute = matching ? await attio.schema.findAttribute(record.object, input.attribute) : undefined
    if (!matching || attribute?.slug === matching.slug) values.push(input)
  }
  return prepareRecord(attio.schema, { ...record, values }, { ...options, existingOnly: true })
}

async function runMode(
  attio: Attio,
  record: RecordAssertion,
  mode: Exclude<AssertSyncMode, 'upsert'>,
  options: PrepareOptions
): Promise<ModeOutcome[]> {
  const prepared = await prepareFor(attio, record, mode, options)
  if (prepared.references.length > 0 || prepared.lookups.length > 0) {
    // Assert Record maps plain values only; links belong to Identify User and Group Workspace (upsert).
    throw new PayloadValidationError(
      `attributes: links to other records are written in the "upsert" sync mode only.`
    )
  }
  if (mode === 'update') return [await updateExisting(attio.client, prepared)]
  if (mode === 'add') return [await addNew(attio.client, prepared)]
  return deleteMatching(attio.client, prepared, matchingOf(prepared).matching)
}

/** One event in a sync mode other than upsert (the single path). */
export async function syncRecord(
  attio: Attio,
  record: RecordAssertion,
  mode: Exclude<AssertSyncMode, 'upsert'>,
  options: PrepareOptions = {}
): Promise<{ mode: AssertSyncMode; records: ModeOutcome[] }> {
  try {
    return { mode, records: await runMode(attio, record, mode, options) }
  } finally {
    attio.client.telemetry.flush()
  }
}

/**
 * Many events in a sync mode other than upsert, one by one in their order, each with its own outcome. After
 * an event fails retryably, the later ones are held back (503) so the host's retry keeps their order.
 */
export async function syncBatch(
  attio: Attio,
  items: BatchItem[],
  mode: Exclude<AssertSyncMode, 'upsert'>
): Promise<MultiStatusResponse> {
  try {
    return await syncEach(attio, items, mode)
  } finally {
    attio.client.telemetry.flush()
  }
}

async function syncEach(
  attio: Attio,
  items: BatchItem[],
  mode: Exclude<AssertSyncMode, 'upsert'>
): Promise<MultiStatusResponse> {
  const outcomes: EventOutcome[] = []
  /** The first event that failed in a way the host retries: every later one waits for its retry. */
  let retried: number | undefined
  for (const [index, item] of items.entries()) {
    if (retried !== undefined) {
      outcomes.push(heldBackOutcome(retried))
      continue
    }
    try {
      const records = await runMode(attio, item.build(), mode, item.options)
      outcomes.push({ ok: true, status: 200, sent: { mode }, body: { mode, records } })
    } catch (error) {
      outcomes.push(errorOutcome(error))
      if (isRetried(error)) retried = index
    }
  }
  return toMultiStatus({ outcomes, requests: 0, assertions: 0, nestedAssertions: 0, path: 'queue' })
}
