/**
 * The single path's write: `writeRecord` sends a prepared record the documented way (referenced records
 * first, existing records looked up, the assert, then the append update of multiselect values), skipping a
 * write Attio already holds, and trying once more when a remembered id turned out stale.
 */
import type { AttioClient } from '../client'
import type { Identity, RecordId, WireValues } from '../core/wire-types'
import { AttioApiError, isMissingLink } from '../errors'
import { askShared, identitiesIn, type WriteInProgress } from '../suppression'
import { identitiesOf, isKeyedReference, matchingText, recordKey } from './identity'
import { METRICS } from '../telemetry'
import { recordIdItem, type WireItem } from '../values'
import { type ExistingReference, type PreparedRecord } from './assertion'
import { keyNotAppliedYet, linkNotAppliedYet, missingLink } from './messages'

function addReference(values: WireValues, attribute: string, record: RecordId): void {
  values[attribute] = [...(values[attribute] ?? []), recordIdItem(record.object, record.recordId)]
}

/** What happened to one record, in write order: the action's answer lists them. */
export interface WriteOutcome {
  object: string
  label: string
  record_id: string
  /**
   * `asserted`: written; `unchanged`: no write sent, because Attio already holds these values from an
   * earlier write of this process (redundant-write suppression; see the README's Skipping unchanged writes).
   */
  result: 'asserted' | 'unchanged'
  /** Multiselect attributes whose values were added with the append update. */
  appended?: string[]
}

/**
 * What became of each link to an existing record (`recordKey` of the linking record, the reference): made, or
 * the linked record is missing. Given to `writeRecord`, a missing link is reported here instead of thrown, so
 * each event that asked for a link gets its own outcome (the batch queue).
 */
export type LinkFates = (recordKey: string, reference: ExistingReference, fate: true | AttioApiError) => void

/**
 * Writes a prepared record the documented way: records it references first (each by its own assert),
 * existing records looked up, then the assert, then the append update of multiselect values. Each
 * record written is added to `outcomes`. With `written`, a record already written (or being written)
 * under the same identity is not written again.
 */
export async function writeRecord(
  client: AttioClient,
  prepared: PreparedRecord,
  outcomes: WriteOutcome[] = [],
  written?: Map<string, Promise<RecordId>>,
  linkFates?: LinkFates
): Promise<WrittenRecord> {
  if (!written) return send({ client, outcomes, linkFates }, prepared)
  const key = recordKey(prepared)
  let pending = written.get(key)
  if (!pending) {
    pending = send({ client, outcomes, written, linkFates }, prepared)
    written.set(key, pending)
    // Only a record that was written stays remembered: a failed one is tried again when asked again.
    pending.catch(() => written.delete(key))
  }
  return pending
}

/** A record written or found, and whether its id came from this process's memory rather than Attio's answer. */
export interface WrittenRecord extends RecordId {
  remembered?: boolean
}

/** Attio refused a write that named records by ids this process remembered; they are forgotten now. */
class StaleIds extends Error {
  constructor(
    readonly original: unknown,
    /** `recordKey`s of the referenced records to write again. */
    readonly keys: string[]
  ) {
    super('a remembered record id is stale')
  }
}

/**
 * Writes the record; when Attio refuses the write (400, 404) while it named records by ids this process
 * remembered (a referenced record skipped as unchanged, a linked user, the record itself), those are
 * forgotten (they may have been deleted or merged in Attio) and the write is made once more, resolving them
 * again, rather than reported.
 */
async function send(run: SingleWrite, prepared: PreparedRecord): Promise<WrittenRecord> {
  const mark = run.outcomes.length
  try {
    return await sendOnce(run, prepared)
  } catch (error) {
    if (!(error instanceof StaleIds)) throw error
    run.outcomes.length = mark
    for (const key of error.keys) run.written?.delete(key)
    try {
      return await sendOnce(run, prepared)
    } catch (again) {
      throw again instanceof StaleIds ? again.original : again
    }
  }
}

/** Whether Attio still has the record under this id (a read; not deleted, not merged into another). */
async function stillThere(client: AttioClient, object: string, recordId: string): Promise<boolean> {
  try {
    return (await client.getRecord(object, recordId)).recordId === recordId
  } catch {
    // Deleted (404), or the read failed: the write is sent rather than skipped.
    return false
  }
}

/** What every record of one `writeRecord` call shares: the client, the outcomes, the records written, the links' fates. */
interface SingleWrite {
  client: AttioClient
  outcomes: WriteOutcome[]
  written?: Map<string, Promise<RecordId>>
  linkFates?: LinkFates
}

/** The values of one write once its links are made, and what the links relied on or missed. */
interface Linked {
  assertValues: WireValues
  appendValues: WireValues
  /** Records this write names by an id this process remembered (not one Attio just answered). */
  relied: Array<{ recordId: string; key?: string }>
  /** The first linked record that does not exist, reported once the record is written. */
  missing?: AttioApiError
  /** What became of each link to an existing record. */
  fates: Array<[ExistingReference, true | AttioApiError]>
}

/** What the write memory says of one write: its registration, the record it would reach, whether the assert is redundant. */
interface Plan {
  write?: WriteInProgress
  known?: string
  skipAssert: boolean
  /** Another worker's write left exactly these values (fleet mode): neither request is sent. */
  skipAll?: boolean
}

/** One write of a record: its links, what the memory says of it, the requests, then what is remembered and answered. */
async function sendOnce(run: SingleWrite, prepared: PreparedRecord): Promise<WrittenRecord> {
  const { client, outcomes, linkFates } = run
  const linked = await linkRecords(run, prepared)
  const plan = await planWrite(client, prepared, linked)
  const matching = matchingText(linked.assertValues[prepared.matchingAttribute])
  if (matching !== undefined) client.bulkSent.forget(prepared.object, prepared.matchingAttribute, matching)
  const { recordId, skipAppend, answered } = await sendWrites(client, prepared, linked, plan)
  const unchanged = plan.skipAssert && skipAppend
  rememberWrite(client, prepared, linked, plan, { recordId, skipAppend, answered })
  // Attio has the record: a later miss of it means it was deleted, never that a batch is still pending.
  if (matching !== undefined) client.bulkSent.seen(prepared.object, prepared.matchingAttribute, matching)
  // Written even when a link is missing: the outcome says so, and the error then reports the link (the
  // batch queue instead takes each link's fate, for the event it came from).
  if (linkFates) for (const [reference, fate] of linked.fates) linkFates(recordKey(prepared), reference, fate)
  const appended = Object.keys(linked.appendValues)
  outcomes.push({
    object: prepared.object,
    label: prepared.label,
    record_id: recordId,
    result: unchanged ? 'unchanged' : 'asserted',
    ...(appended.length > 0 && !skipAppend ? { appended } : {})
  })
  if (linked.missing && !linkFates) throw linked.missing
  return { object: prepared.object, recordId, remembered: plan.skipAssert }
}

/** The records this one references are written first, then the existing records it links to are found. */
async function linkRecords(run: SingleWrite, prepared: PreparedRecord): Promise<Linked> {
  const { client, outcomes, written, linkFates } = run
  const linked: Linked = {
    assertValues: { ...prepared.assertValues },
    appendValues: { ...prepared.appendValues },
    relied: [],
    fates: []
  }
  const { assertValues, appendValues, relied, fates } = linked
  for (const reference of prepared.references) {
    const target = await writeRecord(client, reference.target, outcomes, written, linkFates)
    if (target.remembered) relied.push({ recordId: target.recordId, key: recordKey(reference.target) })
    addReference(reference.append ? appendValues : assertValues, reference.attribute, target)
  }
  // A linked record that does not exist is not a reason to lose the rest: the record is written without
  // that link, and the missing link is reported once it is.
  for (const lookup of prepared.lookups) {
    try {
      const target = await findExisting(client, lookup.reference)
      if (target.remembered) relied.push({ recordId: target.recordId })
      addReference(lookup.append ? appendValues : assertValues, lookup.attribute, target)
      fates.push([lookup.reference, true])
    } catch (error) {
      if (!isMissingLink(error)) throw error
      linked.missing ??= error
      fates.push([lookup.reference, error])
    }
  }
  return linked
}

/** Registers the write with the memory and asks it whether Attio already holds the assert's values. */
async function planWrite(client: AttioClient, prepared: PreparedRecord, linked: Linked): Promise<Plan> {
  const memory = client.memory
  const { matching: matchingIds, others } = identitiesOf(prepared, linked.assertValues, linked.appendValues)
  const write = memory?.begin(prepared.object, [...matchingIds, ...others])
  let known = memory?.recordOf(matchingIds, others, write)
  let skipAssert =
    known !== undefined &&
    memory?.coversAssert(known, linked.assertValues, prepared.matchingAttribute) === true
  // Skipping names the record by its remembered id: Attio must still have it (not deleted, not merged).
  if (skipAssert && known !== undefined && memory && !memory.isConfirmed(known)) {
    if (await stillThere(client, prepared.object, known)) memory.confirm(known)
    else {
      memory.forgetRecord(known)
      known = undefined
      skipAssert = false
    }
  }
  if (!skipAssert && memory && write) {
    const { assertValues, appendValues } = linked
    const found = await askShared(memory, write, prepared, assertValues, appendValues)
    if (found !== undefined) return { write, known: found, skipAssert: true, skipAll: true }
  }
  return { write, known, skipAssert }
}

/**
 * The assert (unless redundant), then the append update (unless empty or redundant). A refusal while the write
 * named records by remembered ids forgets them and throws `StaleIds`, so the write is made once more.
 */
async function sendWrites(
  client: AttioClient,
  prepared: PreparedRecord,
  linked: Linked,
  plan: Plan
): Promise<{ recordId: string; skipAppend: boolean; answered: Identity[] }> {
  const { assertValues, appendValues, relied } = linked
  const { skipAssert, known } = plan
  const memory = client.memory
  const what = `the ${prepared.label}`
  let recordId = skipAssert ? known : undefined
  let skipAppend = plan.skipAll === true || Object.keys(appendValues).length === 0
  const answered: Identity[] = []
  try {
    if (recordId === undefined) {
      const result = await client.assertRecord(
        prepared.object,
        prepared.matchingAttribute,
        assertValues,
        what
      )
      recordId = result.recordId
      answered.push(...identitiesIn(prepared.object, prepared.unique, result.values))
    }
    skipAppend ||= recordId === known && memory?.coversAppend(recordId, appendValues) === true
    if (!skipAppend) {
      const result = await client.appendValues(prepared.object, recordId, appendValues, what)
      answered.push(...identitiesIn(prepared.object, prepared.unique, result.values))
    }
  } catch (error) {
    plan.write?.failed()
    if (skipAssert && recordId !== undefined) relied.push({ recordId })
    const refused = error instanceof AttioApiError && (error.status === 400 || error.status === 404)
    // Refused while it names by key a record a batch sent moments ago: Attio may not have applied it yet.
    const notYet = refused ? await namedByKeyNotApplied(client, error, assertValues, appendValues) : undefined
    if (refused && relied.length > 0) {
      for (const { recordId: stale } of relied) memory?.forgetRecord(stale)
      throw new StaleIds(
        notYet ?? error,
        relied.flatMap(({ key }) => (key === undefined ? [] : [key]))
      )
    }
    throw notYet ?? error
  }
  return { recordId, skipAppend, answered }
}

/**
 * For a write Attio refused: the retryable error to answer instead when one of its values names a record by
 * its key (`{target_object, domains: [...]}`) that this process sent in a batch less than
 * `BULK_APPLY_WINDOW_MS` ago and has not seen in Attio since (in fleet mode: any worker), else undefined.
 */
async function namedByKeyNotApplied(
  client: AttioClient,
  refusal: AttioApiError,
  ...valueSets: WireValues[]
): Promise<AttioApiError | undefined> {
  for (const values of valueSets) {
    for (const attribute in values) {
      for (const item of values[attribute]) {
        if (!isKeyedReference(item) || typeof item.target_object !== 'string') continue
        const object = item.target_object
        for (const key in item) {
          const text = key === 'target_object' ? undefined : matchingText(item[key] as WireItem[])
          if (text !== undefined && (await client.bulkSent.pendingAnywhere(object, key, text)))
            return keyNotAppliedYet(attribute, { object, attribute: key, value: text }, refusal)
        }
      }
    }
  }
  return undefined
}

/** The suppressed writes are counted; the memory remembers what was written, or forgets the write unsent. */
function rememberWrite(
  client: AttioClient,
  prepared: PreparedRecord,
  linked: Linked,
  plan: Plan,
  sent: { recordId: string; skipAppend: boolean; answered: Identity[] }
): void {
  const { skipAssert, write } = plan
  const { recordId, skipAppend } = sent
  const telemetry = client.telemetry
  if (skipAssert) telemetry.count(METRICS.writesSuppressed, 1, { object: prepared.object, kind: 'assert' })
  if (skipAppend && Object.keys(linked.appendValues).length > 0)
    telemetry.count(METRICS.writesSuppressed, 1, { object: prepared.object, kind: 'append' })
  if (skipAssert && skipAppend) {
    telemetry.debug(`write skipped as unchanged: ${prepared.object} record ${recordId}`)
    write?.cancel()
  } else
    write?.succeeded(recordId, sent.answered, {
      assert: skipAssert ? undefined : linked.assertValues,
      append: skipAppend ? undefined : linked.appendValues,
      matchingAttribute: prepared.matchingAttribute
    })
}

/**
 * The id of an existing record the event links to: remembered (and confirmed by Attio within `CONFIRM_MS`),
 * or found by a query. Nothing is ever created here: a record this process sent in a batch that Attio may not
 * have applied yet is a retryable 503 (`linkNotAppliedYet`), any other missing record a 404.
 */
async function findExisting(client: AttioClient, reference: ExistingReference): Promise<WrittenRecord> {
  const identity: Identity = {
    object: reference.object,
    attribute: reference.attribute,
    text: reference.value
  }
  const remembered = client.memory?.lookup(identity)
  if (remembered) return { object: reference.object, recordId: remembered, remembered: true }
  const [recordId] = await client.findRecordIds(
    reference.object,
    { [reference.attribute]: reference.value },
    2,
    `the lookup of the ${reference.label} "${reference.value}"`
  )
  if (!recordId) {
    if (await client.bulkSent.pendingAnywhere(reference.object, reference.attribute, reference.value))
      throw linkNotAppliedYet(reference)
    throw missingLink(reference)
  }
  client.memory?.rememberLookup(identity, recordId)
  client.bulkSent.seen(reference.object, reference.attribute, reference.value)
  return { object: reference.object, recordId }
}
