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
import { BULK_APPLY_WINDOW_MS, identitiesIn, type Identity } from './suppression'
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

/**
 * References are instructions to the destination (write that record first; link that existing record), so
 * they must never come from event data. Only the two functions below make them, and a value is a reference
 * only when it is one of the objects they made (an identity check against this module-private set, which
 * nothing built from JSON can pass), never because of its shape or a `kind` property.
 */
const issued = new WeakSet<object>()

function issue<T extends Reference>(reference: T): T {
  issued.add(reference)
  return Object.freeze(reference)
}

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

/** A reference to a record written first (made by the actions only, never read from an event). */
export const referTo = (assertion: RecordAssertion): AssertionReference =>
  issue({ kind: 'assertion', assertion: Object.freeze({ ...assertion }) })

/** A link to a record that must already exist (made by the actions only, never read from an event). */
export const linkExisting = (reference: Omit<ExistingReference, 'kind'>): ExistingReference =>
  issue({ kind: 'existing', ...reference })

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
  /**
   * The record must already exist (update and delete modes): the attributes Attio requires to create one
   * are not demanded.
   */
  existingOnly?: boolean
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
  /** Slugs of the object's unique attributes: the values that tell which record a write reaches. */
  unique: string[]
  /** What its values (and those of the records it references) take as JSON, and its largest value. */
  size: { bytes: number; largest?: { field: string; bytes: number } }
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

/** Attio's standard objects that a workspace admin activates (Attio's docs: "disabled by default"). */
const ACTIVATABLE: Readonly<Record<string, string>> = {
  users: 'Users',
  workspaces: 'Workspaces',
  deals: 'Deals'
}
const ACTIVATE_HOW = `A workspace admin can activate it in Attio under ${OBJECT_SETTINGS.place} (${OBJECT_SETTINGS.url})`

/** What to say about an object that is not activated (or, for others than Attio's standard ones, does not exist). */
function notActivated(object: string): string {
  const noun = ACTIVATABLE[object]
  return noun
    ? `Attio's ${noun} object is not activated in this workspace. ${ACTIVATE_HOW}.`
    : `Attio has no object "${object}" in this workspace, or it is not activated. ${ACTIVATE_HOW}, or choose another object.`
}

async function attributesOf(schema: WorkspaceSchema, assertion: RecordAssertion): Promise<AttributeDef[]> {
  try {
    return await schema.attributes(assertion.object)
  } catch (error) {
    if (error instanceof AttioApiError && error.status === 404) throw invalid(notActivated(assertion.object))
    throw error
  }
}

/** The object a reference value points to, when the value is one. */
function referencedObject(value: unknown): string | undefined {
  const reference = asReference(value)
  if (!reference) return undefined
  return reference.kind === 'existing' ? reference.object : reference.assertion.object
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
    required: [],
    unique: attributes
      .filter((a) => a.isUnique && !a.isArchived && a.slug !== 'record_id')
      .map((a) => a.slug),
    size: { bytes: 0 }
  }
  for (const record of nested.values()) addSize(prepared.size, record.size)
  const seen = new Map<string, string>()

  for (const input of assertion.values) {
    if (input.value === undefined) continue
    const attribute = await schema.findAttribute(object, input.attribute)
    // An empty matching value is no matching value (reported below), not a malformed one.
    if (attribute?.slug === matching.slug && typeof input.value === 'string' && input.value.trim() === '')
      continue
    if (!attribute) {
      // Attio hides an attribute that links to an object that is not activated (workspaces.users without Users).
      const target = referencedObject(input.value)
      if (target !== undefined && !(await schema.hasObject(target))) {
        const noun = ACTIVATABLE[target] ?? `"${target}"`
        throw invalid(
          `${input.field}: Attio's ${noun} object is not activated in this workspace, so a ${label} cannot be linked to one. ${ACTIVATE_HOW}, or leave ${input.field} unmapped.`
        )
      }
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

    const { depth } = deepest(input.value, MAX_VALUE_DEPTH + 1)
    if (depth > MAX_VALUE_DEPTH) {
      throw invalid(
        `${input.field}: the value is nested more than ${MAX_VALUE_DEPTH} levels deep. ${describeAttribute(label, attribute)} accepts ${acceptedFormat(attribute.type)}.`
      )
    }
    const written = await writeValue(
      schema,
      object,
      label,
      attribute as AttributeDef & { type: AttributeType },
      input,
      options
    )
    addSize(prepared.size, { bytes: Buffer.byteLength(JSON.stringify(written)), field: input.field })
    if (append) {
      if (written.length > 0) prepared.appendValues[attribute.slug] = written
    } else {
      prepared.assertValues[attribute.slug] = written
    }
  }
  if (prepared.size.bytes > MAX_EVENT_BYTES) {
    const largest = prepared.size.largest
    throw invalid(
      `${largest?.field ?? assertion.matchingField}: the values of this event add up to ${megabytes(prepared.size.bytes)}, more than the ${megabytes(MAX_EVENT_BYTES)} one event may send (the largest, ${largest?.field}, is ${megabytes(largest?.bytes ?? 0)}). Map fewer or smaller values; a text value may be up to 10 MB.`
    )
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
  const missing = options.existingOnly ? [] : required.filter((attribute) => !seen.has(attribute.slug))
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

/**
 * The most one event's values may take as JSON, nested records included: a text value may be up to Attio's
 * 10 MB, and an event carrying several large ones is refused before sending rather than building a request
 * Attio may refuse (its request size limit is not documented).
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`

function addSize(
  size: PreparedRecord['size'],
  add: { bytes: number; field?: string; largest?: { field: string; bytes: number } }
): void {
  size.bytes += add.bytes
  const largest =
    add.largest ?? (add.field !== undefined ? { field: add.field, bytes: add.bytes } : undefined)
  if (largest && largest.bytes > (size.largest?.bytes ?? -1)) size.largest = largest
}

async function writeValue(
  schema: WorkspaceSchema,
  object: string,
  label: string,
  attribute: AttributeDef & { type: AttributeType },
  input: ValueInput,
  options: PrepareOptions
): Promise<WireItem[]> {
  let context = await contextFor(schema, object, attribute, options)
  try {
    try {
      return writeAttributeValue(attribute, input.value, context)
    } catch (error) {
      // An option or status created in Attio since the options were read: read them again (rate-limited).
      if (!(
        error instanceof ValueProblem &&
        context.options &&
        (await schema.refreshOptions(object, attribute))
      ))
        throw error
      context = await contextFor(schema, object, attribute, options)
      return writeAttributeValue(attribute, input.value, context)
    }
  } catch (error) {
    if (error instanceof ValueProblem) {
      throw invalid(
        `${input.field}: ${showValue(input.value)} ${error.problem}. ${describeAttribute(label, attribute)} accepts ${acceptedFormat(attribute.type)}.`
      )
    }
    throw error
  }
}

/** The reference an action made (`referTo`, `linkExisting`); any other value, whatever its shape, is a value. */
/** The deepest a mapped value may nest objects and arrays: Attio's deepest value form nests four. */
export const MAX_VALUE_DEPTH = 32

/**
 * How deeply a value nests objects and arrays, and the path (its first keys) to its deepest point. Iterative,
 * so any depth is measured without recursion; with `stopAt`, it stops once that depth is reached.
 */
export function deepest(value: unknown, stopAt = Infinity): { depth: number; path: string[] } {
  let best = { depth: 0, path: [] as string[] }
  const stack: Array<{ value: unknown; depth: number; path: string[] }> = [{ value, depth: 0, path: [] }]
  while (stack.length > 0 && best.depth < stopAt) {
    const item = stack.pop() as { value: unknown; depth: number; path: string[] }
    if (item.value === null || typeof item.value !== 'object') continue
    const depth = item.depth + 1
    if (depth > best.depth) best = { depth, path: item.path }
    for (const [key, child] of Object.entries(item.value)) {
      // The path is kept only while it is short: a message names its start.
      stack.push({
        value: child,
        depth,
        path: item.path.length < PATH_KEPT ? [...item.path, key] : item.path
      })
    }
  }
  return best
}

const PATH_KEPT = 6

function asReference(value: unknown): Reference | undefined {
  return typeof value === 'object' && value !== null && issued.has(value) ? (value as Reference) : undefined
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
  if (!written) return send(client, prepared, outcomes, undefined, linkFates)
  const key = recordKey(prepared)
  let pending = written.get(key)
  if (!pending) {
    pending = send(client, prepared, outcomes, written, linkFates)
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

/** A record's identity in a workspace: object, matching attribute and matching value. */
export function recordKey(
  prepared: Pick<PreparedRecord, 'object' | 'matchingAttribute' | 'matchingKey'>
): string {
  return `${prepared.object}\u0000${prepared.matchingAttribute}\u0000${prepared.matchingKey}`
}

/** The unique values a record's write carries: those of its matching attribute, and the others. */
export function identitiesOf(
  prepared: { object: string; matchingAttribute: string; unique: Iterable<string> },
  assertValues: WireValues,
  appendValues: WireValues = {}
): { matching: Identity[]; others: Identity[] } {
  const all = identitiesIn(prepared.object, prepared.unique, assertValues, appendValues)
  return {
    matching: identitiesIn(prepared.object, [prepared.matchingAttribute], assertValues),
    others: all.filter((identity) => identity.attribute !== prepared.matchingAttribute)
  }
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
async function send(
  client: AttioClient,
  prepared: PreparedRecord,
  outcomes: WriteOutcome[],
  written: Map<string, Promise<RecordId>> | undefined,
  linkFates: LinkFates | undefined
): Promise<WrittenRecord> {
  const mark = outcomes.length
  try {
    return await sendOnce(client, prepared, outcomes, written, linkFates)
  } catch (error) {
    if (!(error instanceof StaleIds)) throw error
    outcomes.length = mark
    for (const key of error.keys) written?.delete(key)
    try {
      return await sendOnce(client, prepared, outcomes, written, linkFates)
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

async function sendOnce(
  client: AttioClient,
  prepared: PreparedRecord,
  outcomes: WriteOutcome[],
  written: Map<string, Promise<RecordId>> | undefined,
  linkFates: LinkFates | undefined
): Promise<WrittenRecord> {
  const assertValues: WireValues = { ...prepared.assertValues }
  const appendValues: WireValues = { ...prepared.appendValues }
  /** Records this write names by an id this process remembered (not one Attio just answered). */
  const relied: Array<{ recordId: string; key?: string }> = []

  for (const reference of prepared.references) {
    const target = await writeRecord(client, reference.target, outcomes, written, linkFates)
    if (target.remembered) relied.push({ recordId: target.recordId, key: recordKey(reference.target) })
    addReference(reference.append ? appendValues : assertValues, reference.attribute, target)
  }
  // A linked record that does not exist is not a reason to lose the rest: the record is written without
  // that link, and the missing link is reported once it is.
  let missing: AttioApiError | undefined
  const fates: Array<[ExistingReference, true | AttioApiError]> = []
  for (const lookup of prepared.lookups) {
    try {
      const target = await findExisting(client, lookup.reference)
      if (target.remembered) relied.push({ recordId: target.recordId })
      addReference(lookup.append ? appendValues : assertValues, lookup.attribute, target)
      fates.push([lookup.reference, true])
    } catch (error) {
      if (!(error instanceof AttioApiError && LINK_CODES.has(error.attioCode ?? ''))) throw error
      missing ??= error
      fates.push([lookup.reference, error])
    }
  }

  const what = `the ${prepared.label}`
  const memory = client.memory
  const { matching: matchingIds, others } = identitiesOf(prepared, assertValues, appendValues)
  const write = memory?.begin(prepared.object, [...matchingIds, ...others])
  let known = memory?.recordOf(matchingIds, others, write)
  const appended = Object.keys(appendValues)
  let skipAssert =
    known !== undefined && memory?.coversAssert(known, assertValues, prepared.matchingAttribute) === true
  // Skipping names the record by its remembered id: Attio must still have it (not deleted, not merged).
  if (skipAssert && known !== undefined && memory && !memory.isConfirmed(known)) {
    if (await stillThere(client, prepared.object, known)) memory.confirm(known)
    else {
      memory.forgetRecord(known)
      known = undefined
      skipAssert = false
    }
  }
  let recordId = skipAssert ? known : undefined
  let skipAppend = appended.length === 0
  const matching = matchingText(assertValues[prepared.matchingAttribute])
  if (matching !== undefined) client.bulkSent.forget(prepared.object, prepared.matchingAttribute, matching)
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
    write?.failed()
    if (skipAssert && recordId !== undefined) relied.push({ recordId })
    const refused = error instanceof AttioApiError && (error.status === 400 || error.status === 404)
    if (refused && relied.length > 0) {
      for (const { recordId: stale } of relied) memory?.forgetRecord(stale)
      throw new StaleIds(
        error,
        relied.flatMap(({ key }) => (key === undefined ? [] : [key]))
      )
    }
    throw error
  }
  const unchanged = skipAssert && skipAppend
  if (unchanged) write?.cancel()
  else
    write?.succeeded(recordId, answered, {
      assert: skipAssert ? undefined : assertValues,
      append: skipAppend ? undefined : appendValues,
      matchingAttribute: prepared.matchingAttribute
    })
  // Attio has the record: a later miss of it means it was deleted, never that a batch is still pending.
  if (matching !== undefined) client.bulkSent.seen(prepared.object, prepared.matchingAttribute, matching)
  // Written even when a link is missing: the outcome says so, and the error then reports the link (the
  // batch queue instead takes each link's fate, for the event it came from).
  if (linkFates) for (const [reference, fate] of fates) linkFates(recordKey(prepared), reference, fate)
  outcomes.push({
    object: prepared.object,
    label: prepared.label,
    record_id: recordId,
    result: unchanged ? 'unchanged' : 'asserted',
    ...(appended.length > 0 && !skipAppend ? { appended } : {})
  })
  if (missing && !linkFates) throw missing
  return { object: prepared.object, recordId, remembered: skipAssert }
}

/** The code of the error for a linked record that does not exist (the linking record is still written). */
const MISSING_LINK = 'missing_link'
/** The code of the error for a linked record sent in a batch moments ago (retryable; the record is written). */
const LINK_NOT_APPLIED = 'link_not_applied_yet'
const LINK_CODES = new Set([MISSING_LINK, LINK_NOT_APPLIED])

/** The error for a linked record that does not exist, naming the mapping field it came from. */
export function missingLink(reference: ExistingReference): AttioApiError {
  return new AttioApiError(
    `${reference.field}: Attio has no ${reference.label} with ${reference.attribute} ${showValue(reference.value)}: ${reference.whenMissing}`,
    404,
    MISSING_LINK
  )
}

/**
 * The error for a linked record Attio does not have yet, which this process sent in a batch less than
 * `BULK_APPLY_WINDOW_MS` ago and has never seen in Attio: Attio may not have applied that batch yet, so it is
 * retryable (503), and nothing creates the record (it may also have been deleted).
 */
export function linkNotAppliedYet(reference: ExistingReference): AttioApiError {
  return new AttioApiError(
    `${reference.field}: Attio has no ${reference.label} with ${reference.attribute} ${showValue(reference.value)} yet: it was sent in a batch less than ${BULK_APPLY_WINDOW_MS / 1000} s ago, which Attio may not have applied yet. It is safe to retry; after that it is reported missing.`,
    503,
    LINK_NOT_APPLIED
  )
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
    if (client.bulkSent.pending(reference.object, reference.attribute, reference.value))
      throw linkNotAppliedYet(reference)
    throw missingLink(reference)
  }
  client.memory?.rememberLookup(identity, recordId)
  client.bulkSent.seen(reference.object, reference.attribute, reference.value)
  return { object: reference.object, recordId }
}
