/** Locations: the ten keys of a location value, and a best-effort split of a one-line address. */
import { fail, ok, type Parsed } from './parsed'

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

export type LocationParts = Record<(typeof LOCATION_KEYS)[number], string | null>

const COUNTRY_NAMES: Record<string, string> = {
  'united states': 'US',
  'united states of america': 'US',
  usa: 'US',
  'u.s.a.': 'US',
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  germany: 'DE',
  deutschland: 'DE',
  france: 'FR',
  spain: 'ES',
  italy: 'IT',
  netherlands: 'NL',
  'the netherlands': 'NL',
  belgium: 'BE',
  switzerland: 'CH',
  austria: 'AT',
  ireland: 'IE',
  portugal: 'PT',
  sweden: 'SE',
  norway: 'NO',
  denmark: 'DK',
  finland: 'FI',
  poland: 'PL',
  canada: 'CA',
  mexico: 'MX',
  brazil: 'BR',
  argentina: 'AR',
  australia: 'AU',
  'new zealand': 'NZ',
  japan: 'JP',
  china: 'CN',
  india: 'IN',
  singapore: 'SG',
  israel: 'IL',
  'south africa': 'ZA',
  'united arab emirates': 'AE'
}

const POSTCODE = /^(?:\d{4,6}(?:-\d{3,4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d)$/i

/** Best-effort split of a one-line address ("1 Infinite Loop, Cupertino, CA, 95014, US"); approximate. */
export function parseLocationString(input: string): Parsed<LocationParts> {
  const parts = input
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  if (parts.length === 0) return fail('A location string must not be empty.')
  const loc: LocationParts = Object.fromEntries(LOCATION_KEYS.map((k) => [k, null])) as LocationParts
  const last = (): string => parts[parts.length - 1]
  if (parts.length >= 2) {
    const named = COUNTRY_NAMES[last().toLowerCase()]
    if (named) loc.country_code = named
    else if (/^[A-Za-z]{2}$/.test(last()) && last() === last().toUpperCase()) loc.country_code = last()
    if (loc.country_code) parts.pop()
  }
  if (parts.length >= 2) {
    const combined = /^([A-Za-z]{2,3})\s+(\d{4,6}(?:-\d{4})?)$/.exec(last())
    if (POSTCODE.test(last())) loc.postcode = parts.pop() as string
    else if (combined) {
      loc.region = combined[1]
      loc.postcode = combined[2]
      parts.pop()
    }
  }
  if (parts.length >= 2 && loc.region === null && /^[A-Z]{2,3}$/.test(last()))
    loc.region = parts.pop() as string
  if (parts.length >= 2 && /\d/.test(parts[0])) loc.line_1 = parts.shift() as string
  if (parts.length === 1) loc.locality = parts[0]
  else if (parts.length >= 2) {
    if (loc.region === null) loc.region = parts.pop() as string
    loc.locality = parts.pop() as string
    const lines = ['line_1', 'line_2', 'line_3', 'line_4'] as const
    for (const line of lines) if (loc[line] === null && parts.length > 0) loc[line] = parts.shift() as string
    if (parts.length > 0) loc.line_4 = [loc.line_4, ...parts].filter(Boolean).join(', ')
  }
  return ok(loc)
}
