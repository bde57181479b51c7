/**
 * The one module that knows how each Attio attribute type is written.
 *
 * Every mapped value goes through `writeAttributeValue`, which turns what a CDP event carries into the
 * write form Attio documents for the attribute's type, or throws a `ValueProblem` saying what is wrong.
 * The table `TYPE_WRITERS` has one entry per attribute type: adding a type means adding one entry.
 *
 * Values always leave this module as arrays (Attio's OpenAPI document types every record value as an
 * array): a single-select attribute gets a one-element array, `null` becomes `[]` (unset).
 */
import isEmail from 'validator/lib/isEmail'
import isFQDN from 'validator/lib/isFQDN'
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js'
import { domainToASCII } from 'node:url'
import type { WireItem } from './core/wire-types'

export const ATTRIBUTE_TYPES = [
  'text',
  'number',
  'checkbox',
  'currency',
  'date',
  'timestamp',
  'rating',
  'status',
  'select',
  'record-reference',
  'actor-reference',
  'location',
  'domain',
  'email-address',
  'phone-number',
  'interaction',
  'personal-name'
] as const
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number]

/** What this module needs to know about an attribute (read from Attio's attribute list). */
export interface AttributeShape {
  slug: string
  type: AttributeType
  isMultiselect: boolean
}

/** The standard objects whose records may be referenced by a key value instead of a record id. */
export const REFERENCE_KEYS: Readonly<Record<string, { attribute: string; type: AttributeType }>> = {
  people: { attribute: 'email_addresses', type: 'email-address' },
  companies: { attribute: 'domains', type: 'domain' },
  users: { attribute: 'user_id', type: 'text' },
  workspaces: { attribute: 'workspace_id', type: 'text' }
}

/** Facts about the workspace some types need: option titles, referenceable objects, phone default. */
export interface WriteContext {
  /** ISO 3166-1 alpha-2 country used for phone numbers written without a leading `+`. */
  defaultCountry?: string
  /** Titles and ids of the select options or statuses of the attribute being written. */
  options?: ReadonlyArray<{ id: string; title: string; isArchived?: boolean }>
  /** Slugs of the objects a record-reference attribute may point to. */
  allowedObjects?: readonly string[]
}

/** A value that cannot be written: `problem` says why, the writer's `accepted` says what would be. */
export class ValueProblem extends Error {
  constructor(readonly problem: string) {
    super(problem)
    this.name = 'ValueProblem'
  }
}

export type { WireItem } from './core/wire-types'

interface TypeWriter {
  /** Human description of the accepted input, used in every error message for this type. */
  accepted: string
  /** Turns one input item into Attio's write form, or throws a ValueProblem. */
  write(input: unknown, context: WriteContext): WireItem
  /** Types Attio only ever stores one value for, whatever `is_multiselect` says. */
  singleOnly?: boolean
  /** Types Attio never accepts writes for. */
  readOnly?: boolean
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads `{key: x}` wrappers (`{value}`, `{domain}`, …) that Attio accepts as an alternative form. */
function unwrap(input: unknown, key: string): unknown {
  if (isPlainObject(input) && Object.keys(input).length === 1 && key in input) return input[key]
  return input
}

function asString(input: unknown, what: string): string {
  if (typeof input === 'string') return input
  if (typeof input === 'number' && Number.isFinite(input)) return String(input)
  throw new ValueProblem(`is ${describeType(input)}, not ${what}`)
}

function describeType(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'an array'
  if (typeof input === 'object') return 'an object'
  if (typeof input === 'number' && !Number.isFinite(input)) return 'a non-finite number'
  return `a ${typeof input}`
}

function toNumber(input: unknown, key: string): number {
  const raw = unwrap(input, key)
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new ValueProblem('is not a finite number')
    return raw
  }
  if (typeof raw === 'string') {
    const trimmed = raw.trim()
    if (trimmed !== '' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) {
      const parsed = Number(trimmed)
      if (Number.isFinite(parsed)) return parsed
    }
    throw new ValueProblem('is not a number or a numeric string')
  }
  throw new ValueProblem(`is ${describeType(raw)}, not a number`)
}

/** Attio keeps four decimal places for numbers and currencies. */
const fourDecimals = (value: number): number => Math.round(value * 10_000) / 10_000

// ---------------------------------------------------------------------------------------------------
// Emails and domains: also used to normalise the identities the actions match on.

const NON_ASCII = /[\u0080-\u{10ffff}]/u

/**
 * Trims, NFC-normalises and lower-cases an email address, writes an internationalised domain in punycode, then
 * checks it strictly. Attio's OpenAPI document types email addresses as `format: email` (RFC 5321, ASCII;
 * `idn-email` would be the other one) and validates them strictly, so a local part that is not ASCII, which no
 * conversion can make ASCII, is refused here rather than sent and refused (or, in a batch, dropped) by Attio.
 */
export function normalizeEmail(input: unknown): string {
  const raw = unwrap(input, 'email_address')
  if (typeof raw !== 'string') throw new ValueProblem(`is ${describeType(raw)}, not an email address`)
  return remembered(EMAILS, raw, checkEmail)
}

/**
 * The last answers of a pure check, by input text: a CDP sends the same emails and websites over and over,
 * and checking one (validator's isEmail, the URL parser) costs far more than a lookup. Problems are kept
 * too, and thrown anew each time. Bounded: emptied once it holds `REMEMBERED_MAX` inputs.
 */
function remembered(
  memo: Map<string, string | ValueProblem>,
  raw: string,
  check: (raw: string) => string
): string {
  let answer = memo.get(raw)
  if (answer === undefined) {
    try {
      answer = check(raw)
    } catch (error) {
      if (!(error instanceof ValueProblem)) throw error
      answer = error
    }
    if (memo.size >= REMEMBERED_MAX) memo.clear()
    memo.set(raw, answer)
  }
  if (typeof answer === 'string') return answer
  throw new ValueProblem(answer.problem)
}

const REMEMBERED_MAX = 20_000
const EMAILS = new Map<string, string | ValueProblem>()
const DOMAINS = new Map<string, string | ValueProblem>()

function checkEmail(raw: string): string {
  const email = raw.trim().normalize('NFC').toLowerCase()
  if (email === '') throw new ValueProblem('is empty')
  // A lone surrogate makes validator throw a URIError; invisible format characters are in no address.
  if (/\p{Cs}/u.test(email)) throw new ValueProblem('contains a broken character (a lone UTF-16 surrogate)')
  if (/[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u.test(email)) {
    throw new ValueProblem('contains an invisible or Unicode space character, which no email address has')
  }
  const at = email.lastIndexOf('@')
  const local = at > 0 ? email.slice(0, at) : email
  const foreign = NON_ASCII.exec(local)
  if (at > 0 && foreign) {
    throw new ValueProblem(
      `has a non-ASCII character (${JSON.stringify(foreign[0])}) before the @, which Attio does not accept in an email address`
    )
  }
  const domain = at > 0 ? email.slice(at + 1) : ''
  const asciiDomain = NON_ASCII.test(domain) ? domainToASCII(domain) : domain
  const normalized = `${local}@${asciiDomain}`
  if (
    at <= 0 ||
    asciiDomain === '' ||
    !isEmail(normalized, {
      allow_display_name: false,
      require_tld: true,
      allow_ip_domain: false,
      allow_utf8_local_part: false
    })
  ) {
    throw new ValueProblem('is not a valid email address')
  }
  return normalized
}

/**
 * Reduces a domain or URL (`https://www.Acme.com:8080/pricing?x=1`) to its host name: lower-cased,
 * without scheme, `www.`, port, path, query or trailing dot. Internationalised names become punycode.
 */
export function normalizeDomain(input: unknown): string {
  const raw = unwrap(input, 'domain')
  if (typeof raw !== 'string') throw new ValueProblem(`is ${describeType(raw)}, not a domain`)
  return remembered(DOMAINS, raw, checkDomain)
}

function checkDomain(raw: string): string {
  const trimmed = raw.trim()
  if (trimmed === '') throw new ValueProblem('is empty')
  if (/\s/.test(trimmed)) throw new ValueProblem('contains spaces, which no domain has')
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
    ? trimmed
    : `http://${trimmed.replace(/^\/\//, '')}`
  let host: string
  try {
    const url = new URL(withScheme)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ValueProblem(`is a "${url.protocol}" URL, which has no domain`)
    }
    if (url.username || url.password) throw new ValueProblem('carries a user name or password')
    host = url.hostname
  } catch (error) {
    if (error instanceof ValueProblem) throw error
    throw new ValueProblem('is not a domain or URL')
  }
  host = host
    .toLowerCase()
    .replace(/\.+$/, '')
    .replace(/^www\./, '')
  if (!isFQDN(host, { require_tld: true, allow_underscores: false, allow_trailing_dot: false })) {
    throw new ValueProblem('is not a domain name')
  }
  return host
}

// ---------------------------------------------------------------------------------------------------
// Dates and timestamps

const ISO_DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/i

/**
 * Epoch numbers below this are seconds, above it milliseconds: 1e11 seconds is the year 5138, 1e11
 * milliseconds is March 1973, so any date a CDP event carries is read the way it was meant.
 */
const EPOCH_SECONDS_BELOW = 1e11

/**
 * Parses ISO 8601 (UTC assumed when no offset is given) or an epoch number (seconds or milliseconds,
 * as a number or a digit string) into a Date.
 */
function parseInstant(input: unknown): Date {
  const raw = unwrap(input, 'value')
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new ValueProblem('is not a finite epoch number')
    const date = new Date(Math.abs(raw) < EPOCH_SECONDS_BELOW ? raw * 1000 : raw)
    if (Number.isNaN(date.getTime())) throw new ValueProblem('is out of the range of dates')
    return date
  }
  if (typeof raw !== 'string') throw new ValueProblem(`is ${describeType(raw)}, not an ISO 8601 string`)
  const text = raw.trim()
  const match = ISO_DATE_TIME.exec(text)
  if (!match) {
    if (/^\d{9,13}$/.test(text)) return parseInstant(Number(text))
    throw new ValueProblem('is not an ISO 8601 date or time')
  }
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', fraction = '0'] = match
  const offset = match[8]
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3))
  let time = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    ms
  )
  const check = new Date(time)
  if (
    check.getUTCFullYear() !== Number(year) ||
    check.getUTCMonth() !== Number(month) - 1 ||
    check.getUTCDate() !== Number(day) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  ) {
    throw new ValueProblem('is not a real calendar date or time')
  }
  if (offset && offset.toUpperCase() !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1
    const digits = offset.slice(1).replace(':', '')
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000
  }
  return new Date(time)
}

// ---------------------------------------------------------------------------------------------------
// Locations

export const LOCATION_KEYS = [
  'line_1',
  'line_2',
  'line_3',
  'line_4',
  'locality',
  'region',
  'postcode',
  'country_code',
  'latitude',
  'longitude'
] as const

function writeLocation(input: unknown): WireItem {
  if (typeof input === 'string') {
    const text = input.trim()
    if (text === '') throw new ValueProblem('is empty')
    return text
  }
  if (!isPlainObject(input)) {
    throw new ValueProblem(`is ${describeType(input)}, not an address string or location object`)
  }
  const unknown = Object.keys(input).filter((key) => !(LOCATION_KEYS as readonly string[]).includes(key))
  if (unknown.length > 0) {
    throw new ValueProblem(
      `has unknown location key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`
    )
  }
  const location: Record<string, string | null> = {}
  for (const key of LOCATION_KEYS) {
    const value = input[key]
    if (value === undefined || value === null || value === '') {
      location[key] = null
    } else if (key === 'latitude' || key === 'longitude') {
      const number = toNumber(value, 'value')
      const limit = key === 'latitude' ? 90 : 180
      if (Math.abs(number) > limit) throw new ValueProblem(`has a ${key} outside -${limit}..${limit}`)
      location[key] = String(number)
    } else if (typeof value === 'string' || typeof value === 'number') {
      location[key] = String(value).trim()
    } else {
      throw new ValueProblem(`has ${describeType(value)} as ${key}, not a string`)
    }
  }
  if (location.country_code !== null) {
    const code = location.country_code.toUpperCase()
    if (!/^[A-Z]{2}$/.test(code))
      throw new ValueProblem('has a country_code that is not an ISO 3166-1 alpha-2 code like "US"')
    location.country_code = code
  }
  return location
}

// ---------------------------------------------------------------------------------------------------
// Personal names

function writePersonalName(input: unknown): WireItem {
  if (isPlainObject(input)) {
    const unknown = Object.keys(input).filter(
      (key) => !['first_name', 'last_name', 'full_name'].includes(key)
    )
    if (unknown.length > 0)
      throw new ValueProblem(`has unknown name key ${unknown.map((k) => `"${k}"`).join(', ')}`)
    const part = (key: string): string => {
      const value = input[key]
      if (value === undefined || value === null) return ''
      if (typeof value !== 'string')
        throw new ValueProblem(`has ${describeType(value)} as ${key}, not a string`)
      return value.trim()
    }
    const first = part('first_name')
    const last = part('last_name')
    const full = part('full_name') || [first, last].filter(Boolean).join(' ')
    if (!first && !last && !full) throw new ValueProblem('is empty')
    if (!first && !last) return splitFullName(full)
    return { first_name: first, last_name: last, full_name: full }
  }
  if (typeof input !== 'string')
    throw new ValueProblem(`is ${describeType(input)}, not a name string or object`)
  const text = input.trim().replace(/\s+/g, ' ')
  if (text === '') throw new ValueProblem('is empty')
  const comma = text.indexOf(',')
  if (comma >= 0) {
    const last = text.slice(0, comma).trim()
    const first = text.slice(comma + 1).trim()
    if (!first && !last) throw new ValueProblem('is empty')
    return { first_name: first, last_name: last, full_name: [first, last].filter(Boolean).join(' ') }
  }
  return splitFullName(text)
}

/** "Ada King Lovelace" → first "Ada King", last "Lovelace"; a single word is a first name. */
function splitFullName(full: string): WireItem {
  const words = full.split(' ')
  const last = words.length > 1 ? (words.pop() as string) : ''
  return { first_name: words.join(' '), last_name: last, full_name: full }
}

// ---------------------------------------------------------------------------------------------------
// Phone numbers

/**
 * What is wrong with a country for phone numbers (the default phone country setting, or a value's
 * `country_code`), or undefined when it is a two-letter ISO 3166-1 country (any case) or not given.
 */
export function phoneCountryProblem(country: unknown): string | undefined {
  if (country === undefined || country === null || (typeof country === 'string' && country.trim() === ''))
    return undefined
  const shown =
    JSON.stringify(typeof country === 'string' ? country.slice(0, 40) : country) ?? String(country)
  if (typeof country === 'string' && isSupportedCountry(country.trim().toUpperCase())) return undefined
  const alpha3 = typeof country === 'string' && /^[A-Za-z]{3}$/.test(country.trim())
  return `${shown} is not a two-letter ISO 3166-1 country code${
    alpha3 ? ' (it has three letters: use the two-letter code, e.g. "US" for the United States)' : ''
  }; use one such as "US", "GB" or "DE"`
}

function writePhoneNumber(input: unknown, context: WriteContext): WireItem {
  let raw = input
  let country: string | undefined = context.defaultCountry
  let countryProblem = phoneCountryProblem(country)
  let countryOrigin = 'the Default phone country setting'
  if (isPlainObject(input)) {
    raw = input.original_phone_number
    if (typeof input.country_code === 'string' && input.country_code.trim() !== '') {
      country = input.country_code
      countryProblem = phoneCountryProblem(country)
      countryOrigin = 'its country_code'
    }
  }
  if (typeof raw === 'number' && Number.isInteger(raw)) raw = String(raw)
  if (typeof raw !== 'string') throw new ValueProblem(`is ${describeType(raw)}, not a phone number string`)
  const text = raw.trim()
  if (text === '') throw new ValueProblem('is empty')
  const international = text.startsWith('+') || text.startsWith('00')
  if (!international && !country) {
    throw new ValueProblem('has no country code (start it with "+" or set the default phone country)')
  }
  // A bad country is the country's fault, not the number's: say which one and where it came from.
  if (!international && countryProblem)
    throw new ValueProblem(`cannot be read: ${countryOrigin} ${countryProblem}`)
  const normalizedCountry = country?.trim().toUpperCase()
  const parsed = parsePhoneNumberFromString(
    text.startsWith('00') ? `+${text.slice(2)}` : text,
    international ? undefined : (normalizedCountry as CountryCode)
  )
  if (!parsed || !parsed.isPossible()) throw new ValueProblem('is not a possible phone number')
  return { original_phone_number: parsed.number, country_code: parsed.country ?? null }
}

// ---------------------------------------------------------------------------------------------------
// Select options and statuses

function writeOption(input: unknown, context: WriteContext, key: 'option' | 'status'): WireItem {
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
    const live = options.filter((option) => !option.isArchived)
    const match =
      live.find((option) => option.title === wanted || option.id === wanted) ??
      live.find((option) => option.title.toLowerCase() === wanted.toLowerCase())
    if (!match) {
      const titles = live.map((option) => `"${option.title}"`)
      throw new ValueProblem(
        `is not one of the ${key === 'option' ? 'options' : 'statuses'}${titles.length ? ` (${titles.slice(0, 20).join(', ')})` : ' (none defined)'}; Attio never creates new ones`
      )
    }
    return { [key]: match.title }
  }
  return { [key]: wanted }
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
function writeRecordReference(input: unknown, context: WriteContext): WireItem {
  const allowed = context.allowedObjects ?? []
  if (isPlainObject(input)) return writeReferenceObject(input, allowed, context)
  if (typeof input !== 'string' && typeof input !== 'number') {
    throw new ValueProblem(`is ${describeType(input)}, not a reference`)
  }
  const text = String(input).trim()
  if (text === '') throw new ValueProblem('is empty')
  const keyed = allowed.filter((object) => object in REFERENCE_KEYS)
  if (keyed.length === 1 && allowed.length === 1) return referenceByKey(keyed[0], text, context)
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
function referenceByKey(object: string, key: unknown, context: WriteContext): WireItem {
  const { attribute, type } = REFERENCE_KEYS[object]
  const formatted = writeAttributeItem({ slug: attribute, type, isMultiselect: false }, key, context)
  return { target_object: object, [attribute]: [formatted] }
}

function writeReferenceObject(
  input: Record<string, unknown>,
  allowed: readonly string[],
  context: WriteContext
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
    return referenceByKey(target, items[0], context)
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

function writeActorReference(input: unknown): WireItem {
  if (isPlainObject(input) && input.referenced_actor_type === 'workspace-member') {
    if (typeof input.referenced_actor_id === 'string' && UUID.test(input.referenced_actor_id)) {
      return { referenced_actor_type: 'workspace-member', referenced_actor_id: input.referenced_actor_id }
    }
    throw new ValueProblem('has a referenced_actor_id that is not a UUID')
  }
  const email = normalizeEmail(unwrap(input, 'workspace_member_email_address'))
  return { workspace_member_email_address: email }
}

// ---------------------------------------------------------------------------------------------------
// The table

const TYPE_WRITERS: Readonly<Record<AttributeType, TypeWriter>> = {
  text: {
    accepted: 'a string (numbers and booleans are written as text)',
    singleOnly: true,
    write(input) {
      const raw = unwrap(input, 'value')
      if (typeof raw === 'boolean') return { value: String(raw) }
      const text = asString(raw, 'a string')
      if (Buffer.byteLength(text, 'utf8') > 10 * 1024 * 1024) throw new ValueProblem('is larger than 10 MB')
      return { value: text }
    }
  },
  number: {
    accepted: 'a number or numeric string',
    singleOnly: true,
    write: (input) => ({ value: fourDecimals(toNumber(input, 'value')) })
  },
  currency: {
    accepted: 'a number or numeric string (up to 4 decimals; the currency belongs to the attribute)',
    singleOnly: true,
    write: (input) => ({ currency_value: fourDecimals(toNumber(input, 'currency_value')) })
  },
  rating: {
    accepted: 'a whole number from 0 to 5',
    singleOnly: true,
    write(input) {
      const value = toNumber(input, 'value')
      if (!Number.isInteger(value) || value < 0 || value > 5)
        throw new ValueProblem('is not a whole number from 0 to 5')
      return { value }
    }
  },
  checkbox: {
    accepted: 'true or false, "true"/"false", or 1/0',
    singleOnly: true,
    write(input) {
      const raw = unwrap(input, 'value')
      if (typeof raw === 'boolean') return { value: raw }
      if (raw === 1 || raw === 0) return { value: raw === 1 }
      if (typeof raw === 'string') {
        const text = raw.trim().toLowerCase()
        if (text === 'true' || text === '1') return { value: true }
        if (text === 'false' || text === '0') return { value: false }
      }
      throw new ValueProblem('is not a boolean')
    }
  },
  date: {
    accepted:
      'an ISO 8601 date ("2023-09-28"; longer ISO strings are converted to the UTC date) or epoch seconds or milliseconds',
    singleOnly: true,
    write: (input) => ({ value: parseInstant(input).toISOString().slice(0, 10) })
  },
  timestamp: {
    accepted: 'an ISO 8601 date-time (UTC assumed without an offset) or epoch seconds or milliseconds',
    singleOnly: true,
    write: (input) => ({ value: parseInstant(input).toISOString() })
  },
  domain: {
    accepted: 'a domain like "acme.com" or a URL, reduced to its host',
    write: (input) => ({ domain: normalizeDomain(input) })
  },
  'email-address': {
    accepted:
      'a valid email address like "ada@example.com", with only ASCII before the @ (an internationalised domain is sent as punycode)',
    write: (input) => ({ email_address: normalizeEmail(input) })
  },
  'personal-name': {
    accepted: '"Last, First", a full name "First Last", or {first_name, last_name}',
    singleOnly: true,
    write: writePersonalName
  },
  'phone-number': {
    accepted:
      'an E.164 number starting with + (e.g. "+15558675309"), or a national number with the default phone country set',
    write: writePhoneNumber
  },
  location: {
    accepted: `a one-line address string, or an object with any of ${LOCATION_KEYS.join(', ')} (missing keys are sent as null)`,
    singleOnly: true,
    write: writeLocation
  },
  select: {
    accepted: 'the title of an existing option',
    write: (input, context) => writeOption(input, context, 'option')
  },
  status: {
    accepted: 'the title of an existing status',
    singleOnly: true,
    write: (input, context) => writeOption(input, context, 'status')
  },
  'record-reference': {
    accepted:
      "the referenced record's key (an email for people, a domain for companies, a user_id for users, a workspace_id for workspaces), {target_object, target_record_id}, or {target_object, <that key attribute>: [value]}",
    write: writeRecordReference
  },
  'actor-reference': {
    accepted: "a workspace member's email address",
    write: writeActorReference
  },
  interaction: {
    accepted: 'nothing: interaction attributes are written by Attio only',
    readOnly: true,
    write() {
      throw new ValueProblem('cannot be written: Attio records interactions itself')
    }
  }
}

/** Human description of what an attribute of this type accepts. */
export function acceptedFormat(type: AttributeType): string {
  return TYPE_WRITERS[type].accepted
}

export function isWritableType(type: AttributeType): boolean {
  return !TYPE_WRITERS[type].readOnly
}

/** Whether values of this attribute may hold several items. */
export function isMultiValued(attribute: AttributeShape): boolean {
  return attribute.isMultiselect && !TYPE_WRITERS[attribute.type].singleOnly
}

/** Writes one item (not an array) of an attribute. */
export function writeAttributeItem(
  attribute: AttributeShape,
  input: unknown,
  context: WriteContext
): WireItem {
  if (input === null || input === undefined)
    throw new ValueProblem('contains null (null unsets only as the whole value)')
  return TYPE_WRITERS[attribute.type].write(input, context)
}

/**
 * Writes a whole attribute value: `null` unsets (`[]`), arrays are accepted for multiselect attributes
 * (and as a one-element array for single ones), duplicates are removed.
 */
export function writeAttributeValue(
  attribute: AttributeShape,
  input: unknown,
  context: WriteContext
): WireItem[] {
  if (input === null) return []
  // One item (the common case): nothing to deduplicate.
  if (!Array.isArray(input)) return [writeAttributeItem(attribute, input, context)]
  const multi = isMultiValued(attribute)
  let items: unknown[]
  if (Array.isArray(input)) {
    if (!multi && input.length > 1) {
      throw new ValueProblem(`has ${input.length} values, but this attribute holds one`)
    }
    items = input
  } else {
    items = [input]
  }
  const written: WireItem[] = []
  const seen = new Set<string>()
  items.forEach((item, index) => {
    try {
      const wire = writeAttributeItem(attribute, item, context)
      const key = JSON.stringify(wire)
      if (!seen.has(key)) {
        seen.add(key)
        written.push(wire)
      }
    } catch (error) {
      if (error instanceof ValueProblem && items.length > 1) {
        throw new ValueProblem(`has an item (index ${index}) that ${error.problem}`)
      }
      throw error
    }
  })
  return written
}
