/**
 * `prepareRecord`: checks a record against the workspace's attributes and writes every value in Attio's
 * form, before any write is sent. Reads the schema (cached), never writes.
 */
import { canonical, jsonByteLength, showValue } from '../core/text'
import { AttioApiError } from '../errors'
import { attributeNamed, type WorkspaceSchema } from '../schema'
import { deepest, MAX_VALUE_DEPTH } from './depth'
import {
  acceptedFormat,
  isMultiValued,
  ValueProblem,
  writeAttributeValue,
  type AttributeType,
  type WireItem
} from '../values'
import { writeValue, writeWithoutSchema } from './write-value'
import type { AttributeDef } from '../wire'
import {
  asReference,
  type PrepareOptions,
  type PreparedRecord,
  type RecordAssertion,
  type ValueInput
} from './assertion'
import {
  ACTIVATABLE,
  ACTIVATE_HOW,
  attributeSuggestion,
  describeAttribute,
  invalid,
  megabytes,
  notActivated,
  requiredAttributes,
  unwritableReason
} from './messages'

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

/** The matching attribute, which must exist and be unique. */
function checkedMatching(
  assertion: RecordAssertion,
  attributes: AttributeDef[],
  matching: AttributeDef | undefined
): AttributeDef {
  const { label, object } = assertion
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
  return matching
}

/** One record's preparation: what it was asked, what it has found so far, and the record it builds. */
interface Preparing {
  schema: WorkspaceSchema
  assertion: RecordAssertion
  options: PrepareOptions
  attributes: AttributeDef[]
  matching: AttributeDef
  /** The referenced records, prepared first, by the value that refers to them (when any). */
  nested: Map<ValueInput, PreparedRecord> | undefined
  /** The attributes mapped so far, and the mapping field of each (a record maps a few: lists, not a map). */
  seenSlugs: string[]
  seenFields: string[]
  prepared: PreparedRecord
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
  // Referenced records are checked first, in the order they will be written.
  let nested: Map<ValueInput, PreparedRecord> | undefined
  for (const input of assertion.values) {
    const reference = asReference(input.value)
    if (reference?.kind === 'assertion') {
      nested ??= new Map()
      nested.set(input, await prepareRecord(schema, reference.assertion, options))
    }
  }
  // What this invocation already read needs no waiting: only the first record of an object reads.
  const attributes = schema.seenAttributes(assertion.object) ?? (await attributesOf(schema, assertion))
  const matching = checkedMatching(
    assertion,
    attributes,
    attributeNamed(attributes, assertion.matchingAttribute) ??
      (await schema.findAttribute(assertion.object, assertion.matchingAttribute))
  )
  const multiselectMode = options.multiselect ?? 'append'
  const prepared: PreparedRecord = {
    object: assertion.object,
    label: assertion.label,
    matchingAttribute: matching.slug,
    matchingKey: '',
    assertValues: {},
    appendValues: {},
    references: [],
    lookups: [],
    multiValued: [],
    replaceMultiselect: multiselectMode === 'replace',
    required: [],
    unique: slugsOf(attributes).unique,
    size: { bytes: 0 }
  }
  if (nested) for (const record of nested.values()) addSize(prepared.size, record.size)
  const run: Preparing = {
    schema,
    assertion,
    options,
    attributes,
    matching,
    nested,
    seenSlugs: [],
    seenFields: [],
    prepared
  }
  for (const input of assertion.values) {
    if (input.value === undefined) continue
    const attribute =
      attributeNamed(attributes, input.attribute) ??
      (await schema.findAttribute(assertion.object, input.attribute))
    // Most values need nothing more from the schema: those are written without waiting.
    const pending = prepareValue(run, input, attribute)
    if (pending) await pending
  }
  finishRecord(run)
  return prepared
}

/** Checks one mapped value against its attribute and writes it into the record (a promise when it must read). */
function prepareValue(
  run: Preparing,
  input: ValueInput,
  attribute: AttributeDef | undefined
): Promise<void> | undefined {
  const { assertion, matching, prepared, seenSlugs, seenFields } = run
  const { label, object } = assertion
  // An empty matching value is no matching value (reported below), not a malformed one.
  if (attribute?.slug === matching.slug && typeof input.value === 'string' && input.value.trim() === '')
    return undefined
  if (!attribute) return unknownAttribute(run, input)
  const previous = seenSlugs.indexOf(attribute.slug)
  if (previous !== -1) {
    throw invalid(
      `${input.field}: ${describeAttribute(label, attribute)} is already mapped by ${seenFields[previous]}; map it once.`
    )
  }
  seenSlugs.push(attribute.slug)
  seenFields.push(input.field)
  const unwritable = unwritableReason(attribute)
  // An unknown type (null) always has a reason; testing it too narrows the type for what follows.
  if (unwritable !== undefined || attribute.type === null) {
    throw invalid(`${input.field}: ${describeAttribute(label, attribute)} ${unwritable}`)
  }
  const typed = attribute as AttributeDef & { type: AttributeType }
  const multi = isMultiValued(typed)
  if (multi) prepared.multiValued.push(attribute.slug)
  const append =
    attribute.slug !== matching.slug &&
    multi &&
    (input.alwaysAppend === true || (run.options.multiselect ?? 'append') === 'append')

  const reference = asReference(input.value)
  if (reference) {
    if (attribute.type !== 'record-reference') {
      throw invalid(`${input.field}: ${describeAttribute(label, attribute)} is not a record reference.`)
    }
    const target = run.nested?.get(input)
    if (target) {
      prepared.references.push({ attribute: attribute.slug, append, multi, target })
    } else if (reference.kind === 'existing') {
      prepared.lookups.push({ attribute: attribute.slug, append, multi, reference })
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
  if (!READS_SCHEMA.has(typed.type)) {
    keep(prepared, input, attribute.slug, append, writeWithoutSchema(label, typed, input, run.options))
    return undefined
  }
  // Options or statuses this invocation already read: written at once when the value is one of them (else
  // the long way, which may read them again).
  const options =
    typed.type === 'select' || typed.type === 'status' ? run.schema.seenOptions(object, typed) : undefined
  if (options) {
    try {
      const written = writeAttributeValue(typed, input.value, {
        defaultCountry: run.options.defaultCountry,
        options
      })
      keep(prepared, input, attribute.slug, append, written)
      return undefined
    } catch (error) {
      if (!(error instanceof ValueProblem)) throw error
    }
  }
  return writeValue(run.schema, object, label, typed, input, run.options).then((written) =>
    keep(prepared, input, attribute.slug, append, written)
  )
}

/** Puts a written value into the record (appended or asserted) and counts its size. */
function keep(
  prepared: PreparedRecord,
  input: ValueInput,
  slug: string,
  append: boolean,
  written: WireItem[]
): void {
  // The values as JSON with the attribute's key around them.
  const bytes = jsonByteLength(written) + slug.length + 4
  const { size } = prepared
  size.bytes += bytes
  if (bytes > (size.largest?.bytes ?? -1)) size.largest = { field: input.field, bytes }
  if (append) {
    if (written.length > 0) prepared.appendValues[slug] = written
  } else {
    prepared.assertValues[slug] = written
  }
}

/** Types whose values are checked against more of the schema: options, statuses, allowed objects. */
const READS_SCHEMA = new Set<AttributeType>(['select', 'status', 'record-reference'])

/** A value mapped to an attribute the object does not have: the error that says what to do. */
async function unknownAttribute(run: Preparing, input: ValueInput): Promise<void> {
  const { schema, assertion } = run
  const { label, object } = assertion
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

/** After every value: the size bound, the matching value and the attributes Attio requires. */
function finishRecord(run: Preparing): void {
  const { assertion, matching, prepared, seenSlugs, attributes, options } = run
  const { label, object } = assertion
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

  const { required } = slugsOf(attributes)
  // Every missing one at once: a user should not discover them one send at a time.
  const missing = options.existingOnly
    ? []
    : required.filter((attribute) => !seenSlugs.includes(attribute.slug))
  if (missing.length > 0) {
    const named = missing.map((attribute) => `"${attribute.slug}" (${attribute.type ?? attribute.rawType})`)
    const list =
      named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}` : named[0]
    throw invalid(
      `${assertion.matchingValueIn?.field ?? assertion.matchingField}: Attio requires ${list} when it creates a ${label}; map a value to ${missing.length > 1 ? 'each' : 'it'}.`
    )
  }
  prepared.required = slugsOf(attributes).requiredSlugs
}

/**
 * What every record of an object shares, worked out once per attribute list read (a batch prepares thousands
 * of records from one): its unique attributes' slugs, and the attributes Attio requires. Frozen, as shared.
 */
interface ObjectSlugs {
  unique: string[]
  required: AttributeDef[]
  requiredSlugs: string[]
}

const slugLists = new WeakMap<AttributeDef[], ObjectSlugs>()

function slugsOf(attributes: AttributeDef[]): ObjectSlugs {
  let slugs = slugLists.get(attributes)
  if (!slugs) {
    const required = requiredAttributes(attributes)
    slugs = {
      unique: Object.freeze(
        attributes.filter((a) => a.isUnique && !a.isArchived && a.slug !== 'record_id').map((a) => a.slug)
      ) as string[],
      required,
      requiredSlugs: Object.freeze(required.map((attribute) => attribute.slug)) as string[]
    }
    slugLists.set(attributes, slugs)
  }
  return slugs
}

/**
 * The most one event's values may take as JSON, nested records included: a text value may be up to Attio's
 * 10 MB, and an event carrying several large ones is refused before sending rather than building a request
 * Attio may refuse (its request size limit is not documented).
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024

function addSize(
  size: PreparedRecord['size'],
  add: { bytes: number; field?: string; largest?: { field: string; bytes: number } }
): void {
  size.bytes += add.bytes
  const largest =
    add.largest ?? (add.field !== undefined ? { field: add.field, bytes: add.bytes } : undefined)
  if (largest && largest.bytes > (size.largest?.bytes ?? -1)) size.largest = largest
}
