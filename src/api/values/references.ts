/**
 * Values that point at something Attio already has: select options and statuses (by title or id), record
 * references (by record id or a standard object's key) and actor references (a workspace member).
 */
import type { WireItem } from '../core/wire-types'
import { normalizeEmail } from './emails-domains'
import { describeType, isPlainObject, unwrap } from './input'
import { ValueProblem, type AttributeShape, type AttributeType, type WriteContext } from './types'

/** Writes one item of an attribute: the table's, given to the reference writers (a record key is a value). */
export type ItemWriter = (attribute: AttributeShape, input: unknown, context: WriteContext) => WireItem

/** The standard objects whose records may be referenced by a key value instead of a record id. */
export const REFERENCE_KEYS: Readonly<Record<string, { attribute: string; type: AttributeType }>> = {
  people: { attribute: 'email_addresses', type: 'email-address' },
  companies: { attribute: 'domains', type: 'domain' },
  users: { attribute: 'user_id', type: 'text' },
  workspaces: { attribute: 'workspace_id', type: 'text' }
}

// ---------------------------------------------------------------------------------------------------
// Select options and statuses

export function writeOption(input: unknown, context: WriteContext, key: 'option' | 'status'): WireItem {
  const raw = unwrap(input, key)
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    throw new ValueProblem(
      `is ${describeType(raw)}, not ${key === 'option' ? 'an option' : 'a status'} title`
    )
  }
  const wanted = String(raw).trim()
  if (wanted === '') throw new ValueProblem('is empty')
  const options = context.options
  if (options) {
    // Found without listing the live options first (a select value of every event asks).
    const match = optionNamed(options, wanted)
    if (!match) {
      const live = options.filter((option) => !option.isArchived)
      const titles = live.map((option) => `"${option.title}"`)
      throw new ValueProblem(
        `is not one of the ${key === 'option' ? 'options' : 'statuses'}${titles.length ? ` (${titles.slice(0, 20).join(', ')})` : ' (none defined)'}; Attio never creates new ones`
      )
    }
    return key === 'option' ? { option: match.title } : { status: match.title }
  }
  return key === 'option' ? { option: wanted } : { status: wanted }
}

/** The live option titled `wanted` or with that id, else the first live one titled so in another case. */
function optionNamed<O extends { title: string; id?: string; isArchived?: boolean }>(
  options: readonly O[],
  wanted: string
): O | undefined {
  for (const option of options)
    if (!option.isArchived && (option.title === wanted || option.id === wanted)) return option
  const lower = wanted.toLowerCase()
  for (const option of options) if (!option.isArchived && option.title.toLowerCase() === lower) return option
  return undefined
}

// ---------------------------------------------------------------------------------------------------
// Record references

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The wire form of a reference to a record whose id is known. */
export function recordIdItem(object: string, recordId: string): WireItem {
  return { target_object: object, target_record_id: recordId }
}

/**
 * The documented forms of a record reference, and nothing else: `{target_object, target_record_id}`; for
 * an attribute that allows one standard object, `{target_object, <its key attribute>: [one key value]}` or
 * the key as a plain string; a record id string when the attribute allows one object. An object with any
 * other key (the shape of an internal instruction, say) is refused, never interpreted.
 */
export function writeRecordReference(input: unknown, context: WriteContext, writeItem: ItemWriter): WireItem {
  const allowed = context.allowedObjects ?? []
  if (isPlainObject(input)) return writeReferenceObject(input, allowed, context, writeItem)
  if (typeof input !== 'string' && typeof input !== 'number') {
    throw new ValueProblem(`is ${describeType(input)}, not a reference`)
  }
  const text = String(input).trim()
  if (text === '') throw new ValueProblem('is empty')
  const keyed = allowed.filter((object) => object in REFERENCE_KEYS)
  if (keyed.length === 1 && allowed.length === 1) return referenceByKey(keyed[0], text, context, writeItem)
  if (UUID.test(text) && allowed.length === 1) {
    return { target_object: allowed[0], target_record_id: text }
  }
  throw new ValueProblem(
    allowed.length === 1
      ? `is not a record id, and "${allowed[0]}" records can only be referenced by record id`
      : `is ambiguous: this attribute may point to ${allowed.join(', ') || 'several objects'}, so give {target_object, target_record_id}`
  )
}

/** `{target_object: "companies", domains: [{domain: "acme.com"}]}`: a standard object's record by its key. */
function referenceByKey(
  object: string,
  key: unknown,
  context: WriteContext,
  writeItem: ItemWriter
): WireItem {
  const { attribute, type } = REFERENCE_KEYS[object]
  const formatted = writeItem({ slug: attribute, type, isMultiselect: false }, key, context)
  return { target_object: object, [attribute]: [formatted] }
}

function writeReferenceObject(
  input: Record<string, unknown>,
  allowed: readonly string[],
  context: WriteContext,
  writeItem: ItemWriter
): WireItem {
  const target = input.target_object
  const others = Object.keys(input).filter((key) => key !== 'target_object')
  if (typeof target !== 'string' || target.trim() === '') {
    throw new ValueProblem('is an object without target_object (the slug of the referenced object)')
  }
  if (allowed.length > 0 && !allowed.includes(target)) {
    throw new ValueProblem(`points to "${target}" records, but this attribute allows ${allowed.join(', ')}`)
  }
  const key = REFERENCE_KEYS[target]?.attribute
  if (others.length === 1 && others[0] === 'target_record_id') {
    const id = input.target_record_id
    if (typeof id === 'string' && UUID.test(id)) return { target_object: target, target_record_id: id }
    throw new ValueProblem('has a target_record_id that is not a record id (a UUID)')
  }
  if (key !== undefined && allowed.length === 1 && others.length === 1 && others[0] === key) {
    const given = input[key]
    const items = Array.isArray(given) ? given : [given]
    if (items.length !== 1) throw new ValueProblem(`has ${items.length} values as ${key}, not one`)
    return referenceByKey(target, items[0], context, writeItem)
  }
  const unexpected = others.filter((other) => other !== 'target_record_id' && other !== key)
  throw new ValueProblem(
    unexpected.length > 0
      ? `has unexpected key${unexpected.length > 1 ? 's' : ''} ${unexpected
          .slice(0, 5)
          .map((k) => showKey(k))
          .join(
            ', '
          )} (a reference has target_object and target_record_id${key && allowed.length === 1 ? ` or ${key}` : ''}, nothing else)`
      : 'has no target_record_id'
  )
}

/** A key of an offending object for a message: quoted, short, one line. */
function showKey(key: string): string {
  const short = key.length > 40 ? `${key.slice(0, 39)}…` : key
  return JSON.stringify(short)
}

// ---------------------------------------------------------------------------------------------------
// Actor references

export function writeActorReference(input: unknown): WireItem {
  if (isPlainObject(input) && input.referenced_actor_type === 'workspace-member') {
    if (typeof input.referenced_actor_id === 'string' && UUID.test(input.referenced_actor_id)) {
      return { referenced_actor_type: 'workspace-member', referenced_actor_id: input.referenced_actor_id }
    }
    throw new ValueProblem('has a referenced_actor_id that is not a UUID')
  }
  const email = normalizeEmail(unwrap(input, 'workspace_member_email_address'))
  return { workspace_member_email_address: email }
}
