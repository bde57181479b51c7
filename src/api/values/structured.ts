/**
 * The structured values of a person or place: locations, personal names and phone numbers.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js'
import type { WireItem } from '../core/wire-types'
import { describeType, isPlainObject, toNumber } from './input'
import { ValueProblem, type WriteContext } from './types'

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

export function writeLocation(input: unknown): WireItem {
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

export function writePersonalName(input: unknown): WireItem {
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
  const trimmed = input.trim()
  // Runs of whitespace become one space; a name with single spaces only (most) is already that.
  const text = SPACES_TO_JOIN.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed
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
  // What splitting on spaces, taking the last word off and joining the rest again makes, without the list.
  const space = full.lastIndexOf(' ')
  if (space < 0) return { first_name: full, last_name: '', full_name: full }
  return { first_name: full.slice(0, space), last_name: full.slice(space + 1), full_name: full }
}

/** Whitespace that `/\s+/g` would change: two in a row, or any but a plain space. */
const SPACES_TO_JOIN = /\s\s|[^\S ]/

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

export function writePhoneNumber(input: unknown, context: WriteContext): WireItem {
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
