/** Parsing and validation of written attribute values, per attribute type, following Attio's docs. */
import { badValue, systemEdit, valueNotFound } from './errors'
import {
  LOCATION_KEYS,
  parseDate,
  parseDomain,
  parseEmail,
  parseLocationString,
  parsePhone,
  parseTimestamp,
  type LocationParts,
  type Parsed
} from './formats'
import { describe, isPlainObject, jsonType } from './util'
import type { AttributeDef } from './model'
import type { AttributeType } from './types'
import type { Workspace } from './workspace'

/** A parsed value: its read-side properties and its identity (for de-duplication and matching). */
export interface ParsedValue {
  props: Record<string, unknown>
  key: string
}

export interface ValueContext {
  workspace: Workspace
  /** Record references need record look-ups; see references.ts. */
  resolveReference(attr: AttributeDef, item: unknown): ParsedValue
}

const TEXT_MAX = 10 * 1024 * 1024

/**
 * The list of items written to an attribute. `null` and `[]` unset (returns []). A single value is allowed for
 * single-select attributes only; multiselect attributes must get an array.
 */
export function itemsOf(attr: AttributeDef, raw: unknown): unknown[] {
  if (raw === null) return []
  if (Array.isArray(raw)) {
    if (!attr.is_multiselect && raw.length > 1)
      throw badValue(attr.api_slug, `The attribute is single-select but ${raw.length} values were given.`)
    raw.forEach((item, i) => {
      if (item === null || item === undefined || Array.isArray(item))
        throw badValue(attr.api_slug, `Item ${i} must be a single value, got ${jsonType(item)}.`)
    })
    return raw
  }
  if (attr.is_multiselect)
    throw badValue(attr.api_slug, 'The attribute is multiselect, so values must be wrapped in an array.')
  return [raw]
}

/** Reads `item` as a bare value or as an object with exactly `key` (plus optional extra keys when `lenient`). */
function unwrap(attr: AttributeDef, item: unknown, key: string, lenient = false): unknown {
  if (!isPlainObject(item)) return item
  if (!(key in item))
    throw badValue(attr.api_slug, `Expected an object with the key "${key}", got ${describe(item)}.`)
  if (!lenient) {
    const extra = Object.keys(item).filter((k) => k !== key && k !== 'attribute_type')
    if (extra.length)
      throw badValue(attr.api_slug, `Unexpected key(s) ${extra.map((k) => `"${k}"`).join(', ')}.`)
  }
  return item[key]
}

const expectString = (attr: AttributeDef, v: unknown, what: string): string => {
  if (typeof v !== 'string')
    throw badValue(attr.api_slug, `Expected ${what} as a string, got ${jsonType(v)}.`)
  return v
}

const orThrow = <T>(attr: AttributeDef, r: Parsed<T>): T => {
  if (!r.ok) throw badValue(attr.api_slug, r.error)
  return r.value
}

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000

function parseNumberLike(attr: AttributeDef, v: unknown, allowString: boolean): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw badValue(attr.api_slug, `${v} is not a finite number.`)
    return round4(v)
  }
  if (allowString && typeof v === 'string' && /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(v.trim()))
    return round4(Number(v.trim()))
  throw badValue(
    attr.api_slug,
    `Expected a number${allowString ? ' or a numeric string' : ''}, got ${describe(v)}.`
  )
}

function parseLocationObject(attr: AttributeDef, item: Record<string, unknown>): LocationParts {
  const missing = LOCATION_KEYS.filter((k) => !(k in item))
  if (missing.length)
    throw badValue(
      attr.api_slug,
      `A location object must contain all ten keys (nulls allowed); missing: ${missing.join(', ')}.`
    )
  const extra = Object.keys(item).filter((k) => !(LOCATION_KEYS as readonly string[]).includes(k))
  if (extra.length) throw badValue(attr.api_slug, `Unexpected location key(s): ${extra.join(', ')}.`)
  const loc = {} as LocationParts
  for (const k of LOCATION_KEYS) {
    let v = item[k]
    if ((k === 'latitude' || k === 'longitude') && typeof v === 'number') v = String(v)
    if (v !== null && typeof v !== 'string')
      throw badValue(attr.api_slug, `Location key "${k}" must be a string or null, got ${jsonType(v)}.`)
    loc[k] = v
  }
  if (loc.country_code !== null && !/^[A-Z]{2}$/.test(loc.country_code))
    throw badValue(attr.api_slug, `country_code "${loc.country_code}" is not an ISO 3166-1 alpha-2 code.`)
  if (loc.latitude !== null && !/^[-+]?(?:[1-8]?\d(?:\.\d+)?|90(?:\.0+)?)$/.test(loc.latitude))
    throw badValue(attr.api_slug, `latitude "${loc.latitude}" is not a valid latitude.`)
  if (
    loc.longitude !== null &&
    !/^[-+]?(?:180(?:\.0+)?|(?:1[0-7]\d|[1-9]?\d)(?:\.\d+)?)$/.test(loc.longitude)
  )
    throw badValue(attr.api_slug, `longitude "${loc.longitude}" is not a valid longitude.`)
  return loc
}

type ItemParser = (attr: AttributeDef, item: unknown, ctx: ValueContext) => ParsedValue

/** A bare value or `{value}`, stored as `{value}` and keyed by its text. */
const scalar = (value: string | number | boolean): ParsedValue => ({ props: { value }, key: String(value) })

function parseText(attr: AttributeDef, item: unknown): ParsedValue {
  const v = expectString(attr, unwrap(attr, item, 'value'), 'text')
  if (v.length > TEXT_MAX) throw badValue(attr.api_slug, 'Text values are limited to 10 MB.')
  return scalar(v)
}

function parseRating(attr: AttributeDef, item: unknown): ParsedValue {
  const v = unwrap(attr, item, 'value')
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 5)
    throw badValue(attr.api_slug, `A rating must be an integer from 0 to 5, got ${describe(v)}.`)
  return scalar(v)
}

function parseCurrency(attr: AttributeDef, item: unknown): ParsedValue {
  const n = parseNumberLike(attr, unwrap(attr, item, 'currency_value'), true)
  return { props: { currency_value: n, currency_code: attr.currency.default_currency_code }, key: String(n) }
}

function parseCheckbox(attr: AttributeDef, item: unknown): ParsedValue {
  const v = unwrap(attr, item, 'value')
  const b = v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined
  if (b === undefined)
    throw badValue(attr.api_slug, `Expected true, false, "true" or "false", got ${describe(v)}.`)
  return scalar(b)
}

/** `"Last, First"` or `{first_name, last_name, full_name}`. */
function parsePersonalName(attr: AttributeDef, item: unknown): ParsedValue {
  let first: string
  let last: string
  let full: string
  if (typeof item === 'string') {
    const comma = item.indexOf(',')
    last = comma < 0 ? '' : item.slice(0, comma).trim()
    first = (comma < 0 ? item : item.slice(comma + 1)).trim()
    full = [first, last].filter(Boolean).join(' ')
  } else if (isPlainObject(item)) {
    const missing = ['first_name', 'last_name', 'full_name'].filter((k) => typeof item[k] !== 'string')
    if (missing.length)
      throw badValue(
        attr.api_slug,
        `A name object needs first_name, last_name and full_name as strings; missing or invalid: ${missing.join(', ')}.`
      )
    first = item.first_name as string
    last = item.last_name as string
    full = item.full_name as string
  } else
    throw badValue(
      attr.api_slug,
      `Expected "Last, First" or {first_name, last_name, full_name}, got ${describe(item)}.`
    )
  return {
    props: { first_name: first, last_name: last, full_name: full },
    key: `${full}\u0000${first}\u0000${last}`
  }
}

/** An E.164 string or `{original_phone_number, country_code}`. */
function parsePhoneNumber(attr: AttributeDef, item: unknown): ParsedValue {
  const slug = attr.api_slug
  let original: string
  let country: string | null = null
  if (typeof item === 'string') original = item
  else if (isPlainObject(item)) {
    if (typeof item.original_phone_number !== 'string')
      throw badValue(slug, 'A phone number object needs original_phone_number as a string.')
    if (!('country_code' in item))
      throw badValue(
        slug,
        'A phone number object needs country_code (null is allowed when the number starts with "+").'
      )
    if (item.country_code !== null && typeof item.country_code !== 'string')
      throw badValue(slug, 'country_code must be a string or null.')
    original = item.original_phone_number
    country = item.country_code as string | null
  } else
    throw badValue(
      slug,
      `Expected an E.164 string or {original_phone_number, country_code}, got ${describe(item)}.`
    )
  const p = orThrow(attr, parsePhone(original, country))
  return { props: { ...p, phone_number: p.normalized_phone_number }, key: p.normalized_phone_number }
}

function parseLocation(attr: AttributeDef, item: unknown): ParsedValue {
  let loc: LocationParts
  if (typeof item === 'string') loc = orThrow(attr, parseLocationString(item))
  else if (isPlainObject(item)) loc = parseLocationObject(attr, item)
  else
    throw badValue(attr.api_slug, `Expected an address string or a location object, got ${describe(item)}.`)
  return { props: { ...loc }, key: JSON.stringify(LOCATION_KEYS.map((k) => loc[k])) }
}

/** A select option by title (first) or id; archived options are not found. */
function parseSelect(attr: AttributeDef, item: unknown, ctx: ValueContext): ParsedValue {
  const ref = expectString(attr, unwrap(attr, item, 'option'), 'an option title or id')
  const opt =
    attr.options.find((o) => !o.is_archived && o.title === ref) ??
    attr.options.find((o) => !o.is_archived && o.id === ref)
  if (!opt) throw valueNotFound(`Select option "${ref}" does not exist on attribute "${attr.api_slug}".`)
  return { props: { option: ctx.workspace.optionJson(attr, opt) }, key: opt.id }
}

/** A status by title (first) or id; archived statuses are not found. */
function parseStatus(attr: AttributeDef, item: unknown, ctx: ValueContext): ParsedValue {
  const ref = expectString(attr, unwrap(attr, item, 'status'), 'a status title or id')
  const st =
    attr.statuses.find((s) => !s.is_archived && s.title === ref) ??
    attr.statuses.find((s) => !s.is_archived && s.id === ref)
  if (!st) throw valueNotFound(`Status "${ref}" does not exist on attribute "${attr.api_slug}".`)
  return { props: { status: ctx.workspace.statusJson(attr, st) }, key: st.id }
}

/** A workspace member: by email (bare or `{workspace_member_email_address}`) or `{referenced_actor_type, referenced_actor_id}`. */
function parseActorReference(attr: AttributeDef, item: unknown, ctx: ValueContext): ParsedValue {
  const slug = attr.api_slug
  let memberId: string | undefined
  if (typeof item === 'string' || (isPlainObject(item) && 'workspace_member_email_address' in item)) {
    const email = expectString(attr, unwrap(attr, item, 'workspace_member_email_address'), 'an email address')
    const m = ctx.workspace.memberByEmail(email)
    if (!m) throw valueNotFound(`No workspace member with email address "${email}" (attribute "${slug}").`)
    memberId = m.id
  } else if (isPlainObject(item) && 'referenced_actor_type' in item) {
    if (item.referenced_actor_type !== 'workspace-member')
      throw badValue(slug, 'Only actors of type "workspace-member" can be written.')
    const id = expectString(attr, item.referenced_actor_id, 'referenced_actor_id')
    if (!ctx.workspace.memberById(id))
      throw valueNotFound(`No workspace member with ID "${id}" (attribute "${slug}").`)
    memberId = id
  } else
    throw badValue(
      slug,
      `Expected a workspace member email, {workspace_member_email_address} or {referenced_actor_type, referenced_actor_id}, got ${describe(item)}.`
    )
  return {
    props: { referenced_actor_type: 'workspace-member', referenced_actor_id: memberId },
    key: `workspace-member:${memberId}`
  }
}

/** One parser per Attio attribute type. */
const PARSERS: Record<AttributeType, ItemParser> = {
  text: parseText,
  number: (attr, item) => scalar(parseNumberLike(attr, unwrap(attr, item, 'value'), false)),
  rating: parseRating,
  currency: parseCurrency,
  checkbox: parseCheckbox,
  date: (attr, item) =>
    scalar(orThrow(attr, parseDate(expectString(attr, unwrap(attr, item, 'value'), 'an ISO 8601 date')))),
  timestamp: (attr, item) =>
    scalar(
      orThrow(attr, parseTimestamp(expectString(attr, unwrap(attr, item, 'value'), 'an ISO 8601 timestamp')))
    ),
  domain: (attr, item) => {
    const d = orThrow(attr, parseDomain(expectString(attr, unwrap(attr, item, 'domain', true), 'a domain')))
    return { props: { ...d }, key: d.domain }
  },
  'email-address': (attr, item) => {
    const raw = expectString(attr, unwrap(attr, item, 'email_address', true), 'an email address')
    const e = orThrow(attr, parseEmail(raw))
    return { props: { ...e }, key: e.email_address }
  },
  'personal-name': parsePersonalName,
  'phone-number': parsePhoneNumber,
  location: parseLocation,
  select: parseSelect,
  status: parseStatus,
  'actor-reference': parseActorReference,
  // Record references need record look-ups: references.ts.
  'record-reference': (attr, item, ctx) => ctx.resolveReference(attr, item),
  interaction: (attr) => {
    throw systemEdit(
      `Interaction attribute "${attr.api_slug}" cannot be written; interactions are created by Attio.`
    )
  }
}

/** Parses one written item of an attribute into its stored form. Throws ApiError (400) on invalid input. */
export function parseItem(attr: AttributeDef, item: unknown, ctx: ValueContext): ParsedValue {
  return PARSERS[attr.type](attr, item, ctx)
}
