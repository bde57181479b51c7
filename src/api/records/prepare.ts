/**
 * `prepareRecord`: checks a record against the workspace's attributes and writes every value in Attio's
 * form, before any write is sent. Reads the schema (cached), never writes.
 */
import { canonical, showValue } from '../core/text'
import { attributeNamed, type WorkspaceSchema } from '../schema'
import { deepest, MAX_VALUE_DEPTH } from './depth'
import { acceptedFormat, isMultiValued, type AttributeType } from '../values'
import { writeAtOnce, writeValue } from './write-value'
import type { AttributeDef } from '../wire'
import {
  asReference,
  NO_VALUES,
  NONE,
  type PrepareOptions,
  type PreparedRecord,
  type RecordAssertion,
  type ValueInput
} from './assertion'
import { describeAttribute, invalid, megabytes, unwritableReason } from './messages'
import { attributesOf, checkedMatching, slugsOf, unknownAttribute } from './schema-checks'
import { addSize, keep, MAX_EVENT_BYTES } from './size'
import type { Written, WrittenValues } from './written'

/** One record's preparation: what it was asked, what it has found so far, and the record it builds. */
interface Preparing {
  schema: WorkspaceSchema
  assertion: RecordAssertion
  options: PrepareOptions
  attributes: AttributeDef[]
  matching: AttributeDef
  /** The referenced records, prepared first, each after the value that refers to them (when any). */
  nested: Nested | undefined
  /**
   * The attributes mapped so far (the first `mapped` pairs), each slug followed by the mapping field that
   * mapped it: a list made at its full length (two per value) once, not a map and not grown by pushes.
   */
  seen: string[]
  mapped: number
  prepared: PreparedRecord
  /** What the batch wrote of its plain values so far (`WrittenValues`), when the caller keeps it. */
  written: WrittenValues | undefined
  /** The matching value as `written` remembers it, when it does (its canonical text is made once). */
  matchingWritten: Written | undefined
}

/**
 * Checks a record against the workspace's attributes and writes its values in Attio's form. Throws a
 * PayloadValidationError naming the field, the attribute, the problem and the accepted format; reads
 * the workspace's schema (cached) but never writes. Answers at once (no promise) when everything the record
 * needs was already read by this invocation, as for all but the first records of a batch. `written`: what
 * the batch wrote of its plain values so far (the batch path keeps one per batch), to reuse and add to.
 */
export function prepareRecord(
  schema: WorkspaceSchema,
  assertion: RecordAssertion,
  options: PrepareOptions = {},
  written?: WrittenValues
): PreparedRecord | Promise<PreparedRecord> {
  return (
    prepareNow(schema, assertion, options, written) ?? prepareReading(schema, assertion, options, written)
  )
}

/**
 * `prepareRecord` without waiting for anything: undefined as soon as the record (or one it references) needs
 * a schema read, and then the reading path does the whole record again (what was done here is dropped).
 * Errors are thrown in the same order as the reading path's, so which one an event gets does not depend on
 * the cache.
 */
function prepareNow(
  schema: WorkspaceSchema,
  assertion: RecordAssertion,
  options: PrepareOptions,
  written: WrittenValues | undefined
): PreparedRecord | undefined {
  let nested: Nested | undefined
  for (const input of assertion.values) {
    const reference = asReference(input.value)
    if (reference?.kind === 'assertion') {
      const record = prepareNow(schema, reference.assertion, options, written)
      if (!record) return undefined
      nested = withNested(nested, input, record)
    }
  }
  const attributes = schema.seenAttributes(assertion.object)
  const matching = attributes && attributeNamed(attributes, assertion.matchingAttribute)
  if (!matching) return undefined
  // Synchronous, and a referenced record is prepared before this one starts: one run and one list of
  // seen attributes serve every record prepared here (each is a record's alone on the reading path).
  const run = startRecord(schema, assertion, options, attributes, matching, nested, written, scratch)
  try {
    for (const input of assertion.values) {
      if (input.value === undefined) continue
      const attribute = attributeNamed(attributes, input.attribute)
      if (!attribute || prepareValue(run, input, attribute, true) === LATER) return undefined
    }
    finishRecord(run)
    return run.prepared
  } finally {
    releaseScratch(run)
  }
}

/** The run `prepareNow` reuses (`startRecord` fills it in; `releaseScratch` lets go of what it held). */
const scratch = emptyRun(0)

/** A run with nothing in it yet (`startRecord` fills it in): the one shape of every run, the scratch one included. */
function emptyRun(values: number): Preparing {
  return {
    schema: undefined as never,
    assertion: undefined as never,
    options: {},
    attributes: NONE,
    matching: undefined as never,
    nested: undefined,
    seen: new Array<string>(values * 2),
    mapped: 0,
    prepared: undefined as never,
    written: undefined,
    matchingWritten: undefined
  }
}

/** Drops the scratch run's hold on the record and its inputs (its `seen` list keeps its length, not its slugs). */
function releaseScratch(run: Preparing): void {
  run.seen.fill(undefined as never, 0, run.mapped * 2)
  run.mapped = 0
  run.schema = run.assertion = run.matching = run.prepared = undefined as never
  run.nested = undefined
  run.attributes = NONE
  run.written = run.matchingWritten = undefined
}

/** `prepareRecord` reading from the schema whatever this invocation has not read yet. */
async function prepareReading(
  schema: WorkspaceSchema,
  assertion: RecordAssertion,
  options: PrepareOptions,
  written: WrittenValues | undefined
): Promise<PreparedRecord> {
  // Referenced records are checked first, in the order they will be written.
  let nested: Nested | undefined
  for (const input of assertion.values) {
    const reference = asReference(input.value)
    if (reference?.kind === 'assertion')
      nested = withNested(nested, input, await prepareRecord(schema, reference.assertion, options, written))
  }
  // What this invocation already read needs no waiting: only the first record of an object reads.
  const attributes = schema.seenAttributes(assertion.object) ?? (await attributesOf(schema, assertion))
  const run = startRecord(
    schema,
    assertion,
    options,
    attributes,
    attributeNamed(attributes, assertion.matchingAttribute) ??
      (await schema.findAttribute(assertion.object, assertion.matchingAttribute)),
    nested,
    written
  )
  for (const input of assertion.values) {
    if (input.value === undefined) continue
    const attribute =
      attributeNamed(attributes, input.attribute) ??
      (await schema.findAttribute(assertion.object, input.attribute))
    // Most values need nothing more from the schema: those are written without waiting.
    const pending = prepareValue(run, input, attribute, false)
    if (pending) await pending
  }
  finishRecord(run)
  return run.prepared
}

/** A record's preparation once its attributes are known: the matching attribute checked, nothing written yet. */
function startRecord(
  schema: WorkspaceSchema,
  assertion: RecordAssertion,
  options: PrepareOptions,
  attributes: AttributeDef[],
  found: AttributeDef | undefined,
  nested: Nested | undefined,
  written: WrittenValues | undefined,
  reuse?: Preparing
): Preparing {
  const matching = checkedMatching(assertion, attributes, found)
  const slugs = slugsOf(attributes)
  const prepared: PreparedRecord = {
    object: assertion.object,
    label: assertion.label,
    matchingAttribute: matching.slug,
    matchingKey: '',
    assertValues: {},
    appendValues: NO_VALUES,
    references: NONE,
    lookups: NONE,
    multiValued: NONE,
    replaceMultiselect: options.multiselect === 'replace',
    // Given now, as the record is returned only once `finishRecord` found each of them mapped.
    required: slugs.requiredSlugs,
    unique: slugs.unique,
    // Every property from the start: one shape, not a second one for the first value measured.
    valueBytes: 0,
    largestBytes: 0,
    largestField: undefined
  }
  if (nested) for (let at = 1; at < nested.length; at += 2) addSize(prepared, nested[at] as PreparedRecord)
  const run = reuse ?? emptyRun(assertion.values.length)
  run.schema = schema
  run.assertion = assertion
  run.options = options
  run.attributes = attributes
  run.matching = matching
  run.nested = nested
  run.mapped = 0
  run.prepared = prepared
  run.written = written
  run.matchingWritten = undefined
  return run
}

/**
 * The records a record references, prepared first: each value that refers to one, followed by it (a record
 * references one or two: a flat list, not a map per record).
 */
type Nested = Array<ValueInput | PreparedRecord>

function withNested(nested: Nested | undefined, input: ValueInput, record: PreparedRecord): Nested {
  if (!nested) return [input, record]
  nested.push(input, record)
  return nested
}

function nestedFor(nested: Nested | undefined, input: ValueInput): PreparedRecord | undefined {
  if (nested)
    for (let at = 0; at < nested.length; at += 2)
      if (nested[at] === input) return nested[at + 1] as PreparedRecord
  return undefined
}

/** `list` with `item` added: the shared `NONE` is never added to, a record's own list is. */
function added<T>(list: T[], item: T): T[] {
  if (list === NONE) return [item]
  list.push(item)
  return list
}

/** What `prepareValue` answers, without waiting, for a value that needs a schema read. */
const LATER = Symbol('later')

/**
 * Checks one mapped value against its attribute and writes it into the record: a promise when it must read
 * the schema, or `LATER` instead when `now` (without starting the read).
 */
function prepareValue(
  run: Preparing,
  input: ValueInput,
  attribute: AttributeDef | undefined,
  now: boolean
): Promise<void> | typeof LATER | undefined {
  const { assertion, matching, prepared, seen } = run
  const { label, object } = assertion
  // An empty matching value is no matching value (reported below), not a malformed one.
  if (attribute?.slug === matching.slug && typeof input.value === 'string' && input.value.trim() === '')
    return undefined
  if (!attribute) return now ? LATER : unknownAttribute(run.schema, run.assertion, input)
  const previous = mappedBy(seen, run.mapped, attribute.slug)
  if (previous !== undefined) {
    throw invalid(
      `${input.field}: ${describeAttribute(label, attribute)} is already mapped by ${previous}; map it once.`
    )
  }
  seen[run.mapped * 2] = attribute.slug
  seen[run.mapped * 2 + 1] = input.field
  run.mapped += 1
  const unwritable = unwritableReason(attribute)
  // An unknown type (null) always has a reason; testing it too narrows the type for what follows.
  if (unwritable !== undefined || attribute.type === null) {
    throw invalid(`${input.field}: ${describeAttribute(label, attribute)} ${unwritable}`)
  }
  const typed = attribute as AttributeDef & { type: AttributeType }
  const multi = isMultiValued(typed)
  if (multi) prepared.multiValued = added(prepared.multiValued, attribute.slug)
  const append =
    attribute.slug !== matching.slug &&
    multi &&
    (input.alwaysAppend === true || (run.options.multiselect ?? 'append') === 'append')

  const reference = asReference(input.value)
  if (reference) {
    if (attribute.type !== 'record-reference') {
      throw invalid(`${input.field}: ${describeAttribute(label, attribute)} is not a record reference.`)
    }
    const target = nestedFor(run.nested, input)
    if (target) {
      prepared.references = added(prepared.references, { attribute: attribute.slug, append, multi, target })
    } else if (reference.kind === 'existing') {
      prepared.lookups = added(prepared.lookups, { attribute: attribute.slug, append, multi, reference })
    }
    return undefined
  }

  // A plain value (a string, a number) nests nothing.
  const nests = typeof input.value === 'object' && input.value !== null
  if (nests && deepest(input.value, MAX_VALUE_DEPTH + 1).depth > MAX_VALUE_DEPTH) {
    throw invalid(
      `${input.field}: the value is nested more than ${MAX_VALUE_DEPTH} levels deep. ${describeAttribute(label, attribute)} accepts ${acceptedFormat(typed.type)}.`
    )
  }
  // At once when the value needs nothing more from the schema (the batch may have written it already).
  const written = writeAtOnce(run.schema, object, label, typed, input, run.options, run.written)
  if (written) {
    keepWritten(run, input, attribute.slug, append, written)
    return undefined
  }
  if (now) return LATER
  return writeValue(run.schema, object, label, typed, input, run.options).then((written) =>
    keep(prepared, input, attribute.slug, append, written)
  )
}

/** The mapping field that mapped this attribute slug so far (`Preparing.seen`), if one did. */
function mappedBy(seen: string[], mapped: number, slug: string): string | undefined {
  for (let i = 0; i < mapped * 2; i += 2) if (seen[i] === slug) return seen[i + 1]
  return undefined
}

/** The attributes of `required` no mapping field mapped (`Preparing.seen`): no list when none is missing. */
function unmapped(required: readonly AttributeDef[], seen: string[], mapped: number): AttributeDef[] {
  let missing: AttributeDef[] = NONE
  for (let index = 0; index < required.length; index++)
    if (mappedBy(seen, mapped, required[index].slug) === undefined) missing = added(missing, required[index])
  return missing
}

/** `keep` for a value the batch remembers (`WrittenValues`): measured once, and its canonical text kept. */
function keepWritten(
  run: Preparing,
  input: ValueInput,
  slug: string,
  append: boolean,
  written: Written
): void {
  keep(run.prepared, input, slug, append, written.items, written.bytes)
  if (slug === run.matching.slug) run.matchingWritten = written
}

/** After every value: the size bound, the matching value and the attributes Attio requires. */
function finishRecord(run: Preparing): void {
  const { assertion, matching, prepared, seen, attributes, options } = run
  const { label, object } = assertion
  if (prepared.valueBytes > MAX_EVENT_BYTES) {
    const { largestField, largestBytes } = prepared
    throw invalid(
      `${largestField ?? assertion.matchingField}: the values of this event add up to ${megabytes(prepared.valueBytes)}, more than the ${megabytes(MAX_EVENT_BYTES)} one event may send (the largest, ${largestField}, is ${megabytes(largestBytes)}). Map fewer or smaller values; a text value may be up to 10 MB.`
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
  // The same value of a record matched before: the same canonical text (`Written.key`), made once.
  const remembered = run.matchingWritten
  prepared.matchingKey =
    remembered?.items === matchingValues
      ? (remembered.key ??= canonical(matchingValues))
      : canonical(matchingValues)

  const { required } = slugsOf(attributes)
  // Every missing one at once: a user should not discover them one send at a time.
  const missing = options.existingOnly ? NONE : unmapped(required, seen, run.mapped)
  if (missing.length > 0) {
    const named = missing.map((attribute) => `"${attribute.slug}" (${attribute.type ?? attribute.rawType})`)
    const list =
      named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}` : named[0]
    throw invalid(
      `${assertion.matchingValueIn?.field ?? assertion.matchingField}: Attio requires ${list} when it creates a ${label}; map a value to ${missing.length > 1 ? 'each' : 'it'}.`
    )
  }
}
