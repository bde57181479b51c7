/** Phone numbers: E.164, or a national number with its country; the country from a calling-code table. */
import { fail, ok, type Parsed } from './parsed'

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
