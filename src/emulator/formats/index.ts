/**
 * Pure parsers for the structured value formats Attio's docs describe: domains, email addresses,
 * phone numbers, locations, dates and timestamps. Each returns a result or an error string.
 */
export type { Parsed } from './parsed'
export { parseDomain, parseEmail, rootDomain, type EmailParts } from './domain'
export { parsePhone, type PhoneParts } from './phone'
export { LOCATION_KEYS, parseLocationString, type LocationParts } from './location'
export { parseDate, parseTimestamp } from './dates'
