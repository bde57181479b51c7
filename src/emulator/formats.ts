/**
 * Pure parsers for the structured value formats Attio's docs describe: domains, email addresses,
 * phone numbers, locations, dates and timestamps. Each returns a result or an error string.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error })

// ---------------------------------------------------------------------------------------------------------------
// Domains

/** Public suffixes of more than one label that matter for root domains (approximate, not the full PSL). */
const MULTI_LABEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'me.uk',
  'ltd.uk',
  'plc.uk',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'co.nz',
  'org.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'co.kr',
  'co.in',
  'net.in',
  'org.in',
  'co.za',
  'org.za',
  'com.br',
  'net.br',
  'com.mx',
  'com.ar',
  'com.cn',
  'net.cn',
  'org.cn',
  'com.hk',
  'com.sg',
  'com.tw',
  'com.tr',
  'co.il',
  'co.id',
  'com.my',
  'com.ph',
  'com.vn',
  'co.th',
  'com.ng',
  'co.ke',
  'com.eg',
  'com.sa',
  'com.co',
  'com.pe',
  'github.io',
  'herokuapp.com',
  'vercel.app',
  'netlify.app'
])

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

export const rootDomain = (domain: string): string => {
  const labels = domain.split('.')
  if (labels.length <= 2) return domain
  const lastTwo = labels.slice(-2).join('.')
  return MULTI_LABEL_SUFFIXES.has(lastTwo) ? labels.slice(-3).join('.') : lastTwo
}

const isHostname = (host: string): boolean => {
  if (host.length > 253) return false
  const labels = host.split('.')
  if (labels.length < 2) return false
  if (!labels.every((l) => LABEL.test(l))) return false
  return /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels[labels.length - 1])
}

/** A domain from a domain or URL string: scheme, credentials, port, path, query and fragment are trimmed. */
export function parseDomain(input: string): Parsed<{ domain: string; root_domain: string }> {
  let s = input.trim().toLowerCase()
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^\/\//, '')
  s = s.split(/[/?#]/, 1)[0]
  s = s.replace(/^[^@]*@/, '')
  s = s.replace(/:\d*$/, '').replace(/\.$/, '')
  if (!s) return fail('A domain must not be empty.')
  if (!isHostname(s)) return fail(`"${input}" is not a valid domain.`)
  return ok({ domain: s, root_domain: rootDomain(s) })
}

// ---------------------------------------------------------------------------------------------------------------
// Email addresses

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i

export interface EmailParts {
  email_address: string
  original_email_address: string
  email_domain: string
  email_root_domain: string
  email_local_specifier: string
}

/**
 * Strict email validation (dot-atom local part, a hostname with a real TLD). Surrounding or inner whitespace is
 * rejected, not trimmed: Attio validates strictly and normalising input is the client's job.
 */
export function parseEmail(input: string): Parsed<EmailParts> {
  if (/\s/.test(input)) return fail(`"${input}" is not a valid email address (it contains whitespace).`)
  const at = input.lastIndexOf('@')
  if (at <= 0 || at === input.length - 1) return fail(`"${input}" is not a valid email address.`)
  const local = input.slice(0, at)
  const domain = input.slice(at + 1).toLowerCase()
  if (input.length > 254 || local.length > 64 || !LOCAL_PART.test(local) || !isHostname(domain))
    return fail(`"${input}" is not a valid email address.`)
  const normalized = `${local.toLowerCase()}@${domain}`
  return ok({
    email_address: normalized,
    original_email_address: input,
    email_domain: domain,
    email_root_domain: rootDomain(domain),
    email_local_specifier: local.toLowerCase()
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Phone numbers

/** Calling code -> ISO 3166-1 alpha-2 for common countries (shared codes map to their largest country). */
const CALLING_CODES: Record<string, string> = {
  '1': 'US',
  '7': 'RU',
  '20': 'EG',
  '27': 'ZA',
  '30': 'GR',
  '31': 'NL',
  '32': 'BE',
  '33': 'FR',
  '34': 'ES',
  '36': 'HU',
  '39': 'IT',
  '40': 'RO',
  '41': 'CH',
  '43': 'AT',
  '44': 'GB',
  '45': 'DK',
  '46': 'SE',
  '47': 'NO',
  '48': 'PL',
  '49': 'DE',
  '51': 'PE',
  '52': 'MX',
  '53': 'CU',
  '54': 'AR',
  '55': 'BR',
  '56': 'CL',
  '57': 'CO',
  '58': 'VE',
  '60': 'MY',
  '61': 'AU',
  '62': 'ID',
  '63': 'PH',
  '64': 'NZ',
  '65': 'SG',
  '66': 'TH',
  '81': 'JP',
  '82': 'KR',
  '84': 'VN',
  '86': 'CN',
  '90': 'TR',
  '91': 'IN',
  '92': 'PK',
  '93': 'AF',
  '94': 'LK',
  '95': 'MM',
  '98': 'IR',
  '212': 'MA',
  '213': 'DZ',
  '216': 'TN',
  '221': 'SN',
  '233': 'GH',
  '234': 'NG',
  '251': 'ET',
  '254': 'KE',
  '255': 'TZ',
  '256': 'UG',
  '263': 'ZW',
  '351': 'PT',
  '352': 'LU',
  '353': 'IE',
  '354': 'IS',
  '356': 'MT',
  '357': 'CY',
  '358': 'FI',
  '359': 'BG',
  '370': 'LT',
  '371': 'LV',
  '372': 'EE',
  '380': 'UA',
  '381': 'RS',
  '385': 'HR',
  '386': 'SI',
  '420': 'CZ',
  '421': 'SK',
  '506': 'CR',
  '507': 'PA',
  '593': 'EC',
  '598': 'UY',
  '852': 'HK',
  '880': 'BD',
  '886': 'TW',
  '961': 'LB',
  '962': 'JO',
  '965': 'KW',
  '966': 'SA',
  '971': 'AE',
  '972': 'IL',
  '974': 'QA',
  '977': 'NP'
}

/** A few Canadian area codes, so that +1 numbers are not all reported as US (approximate). */
const CANADIAN_AREA_CODES = new Set([
  '204',
  '226',
  '236',
  '249',
  '250',
  '289',
  '306',
  '343',
  '365',
  '403',
  '416',
  '418',
  '431',
  '437',
  '438',
  '450',
  '506',
  '514',
  '519',
  '548',
  '579',
  '581',
  '587',
  '604',
  '613',
  '639',
  '647',
  '705',
  '709',
  '778',
  '780',
  '782',
  '807',
  '819',
  '825',
  '867',
  '873',
  '902',
  '905'
])

const CODE_BY_COUNTRY: Record<string, string> = Object.fromEntries(
  Object.entries(CALLING_CODES).map(([code, country]) => [country, code])
)
CODE_BY_COUNTRY.CA = '1'
CODE_BY_COUNTRY.KZ = '7'

export interface PhoneParts {
  original_phone_number: string
  normalized_phone_number: string
  country_code: string
}

const countryOf = (digits: string): string | undefined => {
  for (const len of [3, 2, 1]) {
    const country = CALLING_CODES[digits.slice(0, len)]
    if (country === 'US' && CANADIAN_AREA_CODES.has(digits.slice(1, 4))) return 'CA'
    if (country === 'RU' && /^7[67]/.test(digits)) return 'KZ'
    if (country) return country
  }
  return undefined
}

/**
 * A phone number: E.164 (`+` then 7 to 15 digits once spaces, dashes, dots and parentheses are removed), or a
 * national number together with an ISO country code. The country comes from a small calling-code table.
 */
export function parsePhone(original: string, countryCode: string | null): Parsed<PhoneParts> {
  const compact = original.trim().replace(/[\s\-().]/g, '')
  let e164: string
  if (compact.startsWith('+')) {
    e164 = compact
  } else {
    if (countryCode === null)
      return fail(
        `"${original}" must start with "+" and a country calling code when no country_code is given.`
      )
    const calling = CODE_BY_COUNTRY[countryCode.toUpperCase()]
    if (!calling) return fail(`Cannot determine the calling code of country_code "${countryCode}".`)
    e164 = `+${calling}${countryCode.toUpperCase() === 'IT' ? compact : compact.replace(/^0+/, '')}`
  }
  if (!/^\+[1-9]\d{6,14}$/.test(e164)) return fail(`"${original}" is not a valid E.164 phone number.`)
  const country = countryCode?.toUpperCase() ?? countryOf(e164.slice(1))
  if (!country) return fail(`Cannot determine the country of "${original}"; pass a country_code.`)
  if (!/^[A-Z]{2}$/.test(country)) return fail(`"${countryCode}" is not an ISO 3166-1 alpha-2 country code.`)
  return ok({ original_phone_number: original, normalized_phone_number: e164, country_code: country })
}

// ---------------------------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------------------------
// Dates and timestamps

const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/i

interface IsoParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  fraction: string
  offsetMinutes: number | null
  hasTime: boolean
}

function parseIso(input: string): Parsed<IsoParts> {
  const m = ISO.exec(input.trim())
  if (!m) return fail(`"${input}" is not an ISO 8601 date or timestamp.`)
  const [, y, mo, d, h, mi, s, frac, tz] = m
  const parts: IsoParts = {
    year: Number(y),
    month: mo ? Number(mo) : 1,
    day: d ? Number(d) : 1,
    hour: h ? Number(h) : 0,
    minute: mi ? Number(mi) : 0,
    second: s ? Number(s) : 0,
    fraction: (frac ?? '').padEnd(9, '0'),
    offsetMinutes: null,
    hasTime: h !== undefined
  }
  if (tz && tz.toUpperCase() !== 'Z') {
    const tm = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz) as RegExpExecArray
    const minutes = Number(tm[2]) * 60 + Number(tm[3] ?? 0)
    if (Number(tm[2]) > 23 || Number(tm[3] ?? 0) > 59)
      return fail(`"${input}" has an invalid time zone offset.`)
    parts.offsetMinutes = tm[1] === '-' ? -minutes : minutes
  } else if (tz) parts.offsetMinutes = 0
  const daysInMonth = new Date(Date.UTC(parts.year, parts.month, 0)).getUTCDate()
  if (parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.day > daysInMonth)
    return fail(`"${input}" is not a valid calendar date.`)
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 59)
    return fail(`"${input}" is not a valid time of day.`)
  return ok(parts)
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** The UTC instant (whole seconds) of parsed ISO parts, UTC assumed when no offset is given. */
const utcSeconds = (p: IsoParts): Date =>
  new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (p.offsetMinutes ?? 0) * 60_000)

/** `YYYY-MM-DD`; time parts trimmed, but an offset that changes the UTC calendar date is applied first. */
export function parseDate(input: string): Parsed<string> {
  const r = parseIso(input)
  if (!r.ok) return r
  const p = r.value
  if (p.hasTime && p.offsetMinutes !== null) {
    const d = utcSeconds(p)
    return ok(`${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`)
  }
  return ok(`${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`)
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` in UTC; UTC assumed when no offset is given. */
export function parseTimestamp(input: string): Parsed<string> {
  const r = parseIso(input)
  if (!r.ok) return r
  const d = utcSeconds(r.value)
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  return ok(`${date}T${time}.${r.value.fraction}Z`)
}
