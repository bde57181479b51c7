/**
 * Records the destination asserts, from an action's description of them to Attio's requests.
 *
 * An action describes each record as a `RecordAssertion` (object, matching attribute, mapped values, and
 * references to other records). `prepareRecord` checks it against the workspace's attributes and turns
 * every value into Attio's write form, before any write is sent; invalid input becomes a
 * `PayloadValidationError` naming the mapping field. `writeRecord` then performs the documented calls in
 * order: referenced records first, the assert, then the append update for multiselect values.
 */
import { PayloadValidationError } from '@segment/actions-core'
import { closest, distance } from 'fastest-levenshtein'
import type { AttioClient, RecordId, WireValues } from './client'
import { AttioApiError } from './errors'
import { OBJECT_SETTINGS } from './requirements'
import type { WorkspaceSchema } from './schema'
import {
  acceptedFormat,
  isMultiValued,
  recordIdItem,
  ValueProblem,
  writeAttributeValue,
  type AttributeType,
  type WireItem,
  type WriteContext
} from './values'
import type { AttributeDef } from './wire'

/** Write a referenced record first and point to it by its record id. */
export interface AssertionReference {
  readonly kind: 'assertion'
  readonly assertion: RecordAssertion
}

/** Point to a record that must already exist, found by a unique attribute (never created). */
export interface ExistingReference {
  readonly kind: 'existing'
  readonly object: string
  readonly label: string
  readonly attribute: string
  readonly value: string
  /** What the user should do when the record does not exist. */
  readonly whenMissing: string
  /** The mapping field the value came from, named first in the error. */
  readonly field: string
}

export type Reference = AssertionReference | ExistingReference

export const referTo = (assertion: RecordAssertion): AssertionReference => ({ kind: 'assertion', assertion })

export interface ValueInput {
  /** The attribute's slug or id, as mapped. */
  attribute: string
  /** The mapped value, or a reference to another record. `undefined` means "not mapped". */
  value: unknown
  /** The mapping field the value came from, named in errors (e.g. `person_attributes.twitter`). */
  field: string
  /** Multiselect values that must only ever be added, whatever the multiselect mode (links). */
  alwaysAppend?: boolean
}

export interface RecordAssertion {
  object: string
  /** What the record is to a person reading an error: "Person", "User", "Company record". */
  label: string
  matchingAttribute: string
  /** The field the matching attribute's mapping came from. */
  matchingField: string
  /**
   * Where the matching value is mapped when it has no field of its own (Assert Record: among its Attributes,
   * by slug or id): named when it or a required value is missing.
   */
  matchingValueIn?: { field: string; label: string }
  values: ValueInput[]
}

export interface PrepareOptions {
  /** `append` (default): multiselect attributes other than the matching one only gain values. */
  multiselect?: 'append' | 'replace'
  /** ISO country for phone numbers without a `+`. */
  defaultCountry?: string
}

export interface PreparedReference {
  attribute: string
  /** Sent with the append update (multiselect in append mode) rather than with the assert. */
  append: boolean
  /** The attribute holds several references. */
  multi: boolean
  target: PreparedRecord
}

export interface PreparedLookup {
  attribute: string
  append: boolean
  multi: boolean
  reference: ExistingReference
}

/** A record checked against the workspace and written in Attio's form, ready to send. */
export interface PreparedRecord {
  object: string
  label: string
  matchingAttribute: string
  /** Canonical text of the matching value: the record's identity inside a workspace. */
  matchingKey: string
  /** Values sent with the assert. */
  assertValues: WireValues
  /** Multiselect values sent with the append update after the assert. */
  appendValues: WireValues
  /** Records written first, then referenced by id. */
  references: PreparedReference[]
  /** Existing records looked up, then referenced by id. */
  lookups: PreparedLookup[]
  /** Slugs of the multi-valued attributes among the values (merged by union when records coalesce). */
  multiValued: string[]
  /** Whether the record was prepared in "replace" multiselect mode. */
  replaceMultiselect: boolean
  /** Slugs of the attributes Attio requires to create a record of this object (all of them given). */
  required: string[]
}

const MAX_SHOWN = 60

/** A short, safe rendering of an offending value for messages. */
export function showValue(value: unknown): string {
  let text: string
  if (typeof value === 'string') {
    text = JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN - 4)}…` : value)
  } else {
    try {
      text = JSON.stringify(value) ?? String(value)
    } catch {
      text = String(value)
    }
    if (text.length > MAX_SHOWN) text = `${text.slice(0, MAX_SHOWN - 1)}…`
  }
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are escaped so messages stay one line
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}

/**
 * The path of a key-value entry for messages: `person_attributes.twitter`, or
 * `person_attributes["odd key"]` (escaped and shortened) when the key is not a plain slug.
 */
export function fieldPath(field: string, key: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(key) ? `${field}.${key}` : `${field}[${showValue(key)}]`
}

function invalid(message: string): PayloadValidationError {
  return new PayloadValidationError(message)
}

/**
 * Why an attribute cannot be written (archived, filled by Attio itself, or of a type this destination
 * does not know), or undefined when it can: the sentence follows the attribute's description.
 */
export function unwritableReason(attribute: AttributeDef): string | undefined {
  if (attribute.isArchived) return 'is archived in Attio: restore it or remove it from the mapping.'
  if (!attribute.isWritable || attribute.type === 'interaction') {
    return 'is not writable (Attio fills it itself, e.g. enriched data); remove it from the mapping.'
  }
  if (attribute.type === null) return 'has a type this destination cannot write yet.'
  return undefined
}

/** The attributes Attio requires a value for when it creates a record (those without a default). */
export function requiredAttributes(attributes: readonly AttributeDef[]): AttributeDef[] {
  return attributes.filter(
    (attribute) =>
      attribute.isRequired && !attribute.hasDefault && !attribute.isArchived && attribute.isWritable
  )
}

export function describeAttribute(label: string, attribute: AttributeDef): string {
  return `${label} attribute "${attribute.slug}" (${attribute.type ?? attribute.rawType})`
}

/** " Did you mean …?" (or the writable attributes there are) for an attribute slug the object lacks. */
export function attributeSuggestion(attributes: AttributeDef[], wanted: string): string {
  const candidates = attributes.filter((a) => a.isWritable && !a.isArchived && a.type !== 'interaction')
  if (candidates.length === 0) return ''
  const byTitle = candidates.find((a) => a.title.toLowerCase() === wanted.toLowerCase())
  const lower = wanted.toLowerCase()
  const ranked = candidates
    .map((a) => ({ slug: a.slug, score: distance(lower, a.slug.toLowerCase()) }))
    .filter((c) => c.score <= Math.max(2, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.score - b.score || a.slug.localeCompare(b.slug))
    .map((c) => c.slug)
  const suggestions = [...new Set([...(byTitle ? [byTitle.slug] : []), ...ranked])].slice(0, 3)
  if (suggestions.length === 0) {
    const nearest = closest(
      lower,
      candidates.map((a) => a.slug)
    )
    return ` Writable attributes include ${candidates
      .slice(0, 8)
      .map((a) => `"${a.slug}"`)
      .join(', ')}${nearest ? `; the nearest is "${nearest}"` : ''}.`
  }
  return ` Did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
}

async function attributesOf(schema: WorkspaceSchema, assertion: RecordAssertion): Promise<AttributeDef[]> {
  try {
    return await schema.attributes(assertion.object)
  } catch (error) {
    if (error instanceof AttioApiError && error.status === 404) {
      throw invalid(
        `Attio has no object "${assertion.object}" in this workspace, or it is not activated: activate it in Attio under ${OBJECT_SETTINGS.place}, or choose another object.`
      )
    }
    throw error
  }
}

async function contextFor(
  schema: WorkspaceSchema,
  object: string,
  attribute: AttributeDef,
  options: PrepareOptions
): Promise<WriteContext> {
  const context: WriteContext = { defaultCountry: options.defaultCountry }
  if (attribute.type === 'select' || attribute.type === 'status') {
    context.options = await schema.options(object, attribute)
  }
  if (attribute.type === 'record-reference') {
    context.allowedObjects = await schema.objectSlugs(attribute.allowedObjectIds)
  }
  return context
}

/**
 * Checks a record against the workspace's attributes and writes its values in Attio's form. Throws a
 * PayloadValidationError naming the field, the attribute, the problem and the accepted format; reads
 * the workspace's schema (cached) but never writes.
 */
export async function prepareRecord(
  schema: WorkspaceSchema,
  assertion: RecordAssertion,
  options: PrepareOptions = {}
): Promise<PreparedRecord> {
  const { label, object } = assertion
  // Referenced records are checked first, in the order they will be written.
  const nested = new Map<ValueInput, PreparedRecord>()
  for (const input of assertion.values) {
    const reference = asReference(input.value)
    if (reference?.kind === 'assertion')
      nested.set(input, await prepareRecord(schema, reference.assertion, options))
  }
  const attributes = await attributesOf(schema, assertion)

  const matching = await schema.findAttribute(object, assertion.matchingAttribute)
  if (!matching) {
    throw invalid(
      `${assertion.matchingField}: Attio's ${object} object has no attribute ${showValue(assertion.matchingAttribute)} to match on.${attributeSuggestion(
        attributes.filter((a) => a.isUnique),
        assertion.matchingAttribute
      )}`
    )
  }
  if (!matching.isUnique) {
    const unique = attributes.filter((a) => a.isUnique && !a.isArchived).map((a) => `"${a.slug}"`)
    throw invalid(
      `${assertion.matchingField}: "${matching.slug}" cannot be used to match a ${label} because it is not unique in Attio. Unique attributes of ${object}: ${unique.join(', ') || 'none (add one in Attio)'}.`
    )
  }

  const multiselectMode = options.multiselect ?? 'append'
  const prepared: PreparedRecord = {
    object,
    label,
    matchingAttribute: matching.slug,
    matchingKey: '',
    assertValues: {},
    appendValues: {},
    references: [],
    lookups: [],
    multiValued: [],
    replaceMultiselect: multiselectMode === 'replace',
    required: []
  }
  const seen = new Map<string, string>()

  for (const input of assertion.values) {
    if (input.value === undefined) continue
    const attribute = await schema.findAttribute(object, input.attribute)
    // An empty matching value is no matching value (reported below), not a malformed one.
    if (attribute?.slug === matching.slug && typeof input.value === 'string' && input.value.trim() === '')
      continue
    if (!attribute) {
      throw invalid(
        `${input.field}: Attio's ${object} object has no attribute ${showValue(input.attribute)} (attributes are referenced by slug or id, and Attio never creates them).${attributeSuggestion(
          await attributesOf(schema, assertion),
          input.attribute
        )}`
      )
    }
    const previous = seen.get(attribute.slug)
    if (previous !== undefined) {
      throw invalid(
        `${input.field}: ${describeAttribute(label, attribute)} is already mapped by ${previous}; map it once.`
      )
    }
    seen.set(attribute.slug, input.field)
    const unwritable = unwritableReason(attribute)
    // An unknown type (null) always has a reason; testing it too narrows the type for what follows.
    if (unwritable !== undefined || attribute.type === null) {
      throw invalid(`${input.field}: ${describeAttribute(label, attribute)} ${unwritable}`)
    }
    const multi = isMultiValued({ ...attribute, type: attribute.type })
    if (multi) prepared.multiValued.push(attribute.slug)
    const append =
      attribute.slug !== matching.slug &&
      multi &&
      (input.alwaysAppend === true || multiselectMode === 'append')

    const reference = asReference(input.value)
    if (reference) {
      if (attribute.type !== 'record-reference') {
        throw invalid(`${input.field}: ${describeAttribute(label, attribute)} is not a record reference.`)
      }
      const target = nested.get(input)
      if (target) {
        prepared.references.push({ attribute: attribute.slug, append, multi, target })
      } else if (reference.kind === 'existing') {
        prepared.lookups.push({ attribute: attribute.slug, append, multi, reference })
      }
      continue
    }

    const written = await writeValue(
      schema,
      object,
      label,
      attribute as AttributeDef & { type: AttributeType },
      input,
      options
    )
    if (append) {
      if (written.length > 0) prepared.appendValues[attribute.slug] = written
    } else {
      prepared.assertValues[attribute.slug] = written
    }
  }

  const matchingValues = prepared.assertValues[matching.slug]
  if (!matchingValues || matchingValues.length === 0) {
    const within = assertion.matchingValueIn
    if (within) {
      throw invalid(
        `${within.field}: the matching attribute ${showValue(assertion.matchingAttribute)} has no value in ${within.label}, so Attio could not tell which ${object} record to create or update. Add ${showValue(assertion.matchingAttribute)} to ${within.label} with the value to match on.`
      )
    }
    throw invalid(
      `${assertion.matchingField}: the ${label} has no value for its matching attribute "${matching.slug}", so Attio could not tell which record to create or update. Map a value to "${matching.slug}".`
    )
  }
  prepared.matchingKey = canonical(matchingValues)

  const required = requiredAttributes(attributes)
  // Every missing one at once: a user should not discover them one send at a time.
  const missing = required.filter((attribute) => !seen.has(attribute.slug))
  if (missing.length > 0) {
    const named = missing.map((attribute) => `"${attribute.slug}" (${attribute.type ?? attribute.rawType})`)
    const list =
      named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}` : named[0]
    throw invalid(
      `${assertion.matchingValueIn?.field ?? assertion.matchingField}: Attio requires ${list} when it creates a ${label}; map a value to ${missing.length > 1 ? 'each' : 'it'}.`
    )
  }
  prepared.required.push(...required.map((attribute) => attribute.slug))
  return prepared
}

async function writeValue(
  schema: WorkspaceSchema,
  object: string,
  label: string,
  attribute: AttributeDef & { type: AttributeType },
  input: ValueInput,
  options: PrepareOptions
): Promise<WireItem[]> {
  const context = await contextFor(schema, object, attribute, options)
  try {
    return writeAttributeValue(attribute, input.value, context)
  } catch (error) {
    if (error instanceof ValueProblem) {
      throw invalid(
        `${input.field}: ${showValue(input.value)} ${error.problem}. ${describeAttribute(label, attribute)} accepts ${acceptedFormat(attribute.type)}.`
      )
    }
    throw error
  }
}

function asReference(value: unknown): Reference | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const kind = (value as { kind?: unknown }).kind
  if (kind === 'assertion' && 'assertion' in value) return value as AssertionReference
  if (kind === 'existing' && 'object' in value) return value as ExistingReference
  return undefined
}

/** Stable text for a wire value (object keys sorted), for identities and fingerprints. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        )
      : item
  )
}

function addReference(values: WireValues, attribute: string, record: RecordId): void {
  values[attribute] = [...(values[attribute] ?? []), recordIdItem(record.object, record.recordId)]
}

/**
 * The matching value of a record as plain text, when it is a single item with a single text property
 * (`[{"value":"u-1"}]`, `[{"email_address":"ada@example.com"}]`): how lookups name the record.
 */
export function matchingText(values: readonly WireItem[] | undefined): string | undefined {
  if (!values || values.length !== 1) return undefined
  const [item] = values
  if (typeof item === 'string') return item
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined
  const properties = Object.values(item)
  return properties.length === 1 && typeof properties[0] === 'string' ? properties[0] : undefined
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
 * Writes a prepared record the documented way: records it references first (each by its own assert),
 * existing records looked up, then the assert, then the append update of multiselect values. Each
 * record written is added to `outcomes`. With `written`, a record already written (or being written)
 * under the same identity is not written again.
 */
export async function writeRecord(
  client: AttioClient,
  prepared: PreparedRecord,
  outcomes: WriteOutcome[] = [],
  written?: Map<string, Promise<RecordId>>
): Promise<RecordId> {
  if (!written) return send(client, prepared, outcomes, undefined)
  const key = recordKey(prepared)
  let pending = written.get(key)
  if (!pending) {
    pending = send(client, prepared, outcomes, written)
    written.set(key, pending)
    // Only a record that was written stays remembered: a failed one is tried again when asked again.
    pending.catch(() => written.delete(key))
  }
  return pending
}

/** A record's identity in a workspace: object, matching attribute and matching value. */
export function recordKey(
  prepared: Pick<PreparedRecord, 'object' | 'matchingAttribute' | 'matchingKey'>
): string {
  return `${prepared.object}\u0000${prepared.matchingAttribute}\u0000${prepared.matchingKey}`
}

async function send(
  client: AttioClient,
  prepared: PreparedRecord,
  outcomes: WriteOutcome[],
  written: Map<string, Promise<RecordId>> | undefined
): Promise<RecordId> {
  const assertValues: WireValues = { ...prepared.assertValues }
  const appendValues: WireValues = { ...prepared.appendValues }

  for (const reference of prepared.references) {
    const target = await writeRecord(client, reference.target, outcomes, written)
    addReference(reference.append ? appendValues : assertValues, reference.attribute, target)
  }
  // A linked record that does not exist is not a reason to lose the rest: the record is written without
  // that link, and the missing link is reported once it is.
  let missing: AttioApiError | undefined
  for (const lookup of prepared.lookups) {
    try {
      const target = await findExisting(client, lookup.reference, outcomes)
      addReference(lookup.append ? appendValues : assertValues, lookup.attribute, target)
    } catch (error) {
      if (!(error instanceof AttioApiError && error.attioCode === MISSING_LINK)) throw error
      missing ??= error
    }
  }

  const what = `the ${prepared.label}`
  const key = recordKey(prepared)
  const memory = client.memory
  const known = memory?.recordId(key)
  const appended = Object.keys(appendValues)
  const skipAssert =
    known !== undefined && memory?.coversAssert(key, assertValues, prepared.matchingAttribute) === true
  const skipAppend =
    appended.length === 0 || (known !== undefined && memory?.coversAppend(key, appendValues) === true)
  let recordId = known
  const matching = matchingText(assertValues[prepared.matchingAttribute])
  if (matching !== undefined) client.bulkSent.forget(prepared.object, prepared.matchingAttribute, matching)
  try {
    if (!skipAssert || recordId === undefined) {
      recordId = (await client.assertRecord(prepared.object, prepared.matchingAttribute, assertValues, what))
        .recordId
      memory?.rememberAssert(key, recordId, assertValues, prepared.matchingAttribute)
      // A later link to this record (a Workspace's user) then needs no lookup.
      if (matching !== undefined)
        memory?.rememberLookup(prepared.object, prepared.matchingAttribute, matching, recordId)
    }
    if (!skipAppend) {
      await client.appendValues(prepared.object, recordId, appendValues, what)
      memory?.rememberAppend(key, recordId, appendValues)
    }
  } catch (error) {
    memory?.forget(key)
    throw error
  }
  const unchanged = skipAssert && skipAppend
  // Written even when a link is missing: the outcome says so, and the error then reports the link.
  outcomes.push({
    object: prepared.object,
    label: prepared.label,
    record_id: recordId,
    result: unchanged ? 'unchanged' : 'asserted',
    ...(appended.length > 0 && !skipAppend ? { appended } : {})
  })
  if (missing) throw missing
  return { object: prepared.object, recordId }
}

/** The code of the error for a linked record that does not exist (the linking record is still written). */
const MISSING_LINK = 'missing_link'

/** The error for a linked record that does not exist, naming the mapping field it came from. */
export function missingLink(reference: ExistingReference): AttioApiError {
  return new AttioApiError(
    `${reference.field}: Attio has no ${reference.label} with ${reference.attribute} ${showValue(reference.value)}: ${reference.whenMissing}`,
    404,
    MISSING_LINK
  )
}

/**
 * The id of an existing record the event links to: remembered, or found by a query. A record this process
 * sent through the bulk endpoint that Attio has not applied yet is not found; it is asserted with the
 * values that bulk request sent (its matching and required ones), so the link is not lost (Attio applies
 * the bulk request's other values when it gets to it).
 */
async function findExisting(
  client: AttioClient,
  reference: ExistingReference,
  outcomes: WriteOutcome[]
): Promise<RecordId> {
  const remembered = client.memory?.lookup(reference.object, reference.attribute, reference.value)
  if (remembered) return { object: reference.object, recordId: remembered }
  const ids = await client.findRecordIds(
    reference.object,
    { [reference.attribute]: reference.value },
    2,
    `the lookup of the ${reference.label} "${reference.value}"`
  )
  let recordId = ids[0]
  const sent = recordId
    ? undefined
    : client.bulkSent.get(reference.object, reference.attribute, reference.value)
  if (sent) {
    try {
      recordId = (
        await client.assertRecord(
          reference.object,
          reference.attribute,
          sent.values,
          `the ${reference.label} "${reference.value}" (sent in an earlier batch, not applied by Attio yet)`
        )
      ).recordId
      outcomes.push({
        object: reference.object,
        label: reference.label,
        record_id: recordId,
        result: 'asserted'
      })
    } catch (error) {
      // Attio refused those values (the batch was most likely dropped for the same reason): a missing link.
      const refused = error instanceof AttioApiError && error.status === 400
      if (!refused) throw error
    }
  }
  if (!recordId) throw missingLink(reference)
  client.memory?.rememberLookup(reference.object, reference.attribute, reference.value, recordId)
  return { object: reference.object, recordId }
}
