/**
 * The one module that knows how each Attio attribute type is written.
 *
 * Every mapped value goes through `writeAttributeValue`, which turns what a CDP event carries into the
 * write form Attio documents for the attribute's type, or throws a `ValueProblem` saying what is wrong.
 * The table `TYPE_WRITERS` (writers.ts) has one entry per attribute type: adding a type means adding one
 * entry, and its writer in the module of its kind.
 *
 * Values always leave this module as arrays (Attio's OpenAPI document types every record value as an
 * array): a single-select attribute gets a one-element array, `null` becomes `[]` (unset).
 *
 * - types.ts: the attribute types, an attribute's shape, the write context, `ValueProblem`, a writer's shape
 * - input.ts: reading an input (wrappers, strings, numbers) and describing it in a message
 * - emails-domains.ts: emails and domains (also the identities the actions match on)
 * - dates.ts: dates and timestamps
 * - structured.ts: locations, personal names, phone numbers
 * - references.ts: select options and statuses, record and actor references
 * - writers.ts: the type-writer table and the functions that write a value through it
 */
export {
  ATTRIBUTE_TYPES,
  ValueProblem,
  type AttributeShape,
  type AttributeType,
  type WireItem,
  type WriteContext
} from './types'
export { normalizeDomain, normalizeEmail } from './emails-domains'
export { LOCATION_KEYS, phoneCountryProblem } from './structured'
export { recordIdItem, REFERENCE_KEYS } from './references'
export {
  acceptedFormat,
  isMultiValued,
  isWritableType,
  writeAttributeItem,
  writeAttributeValue
} from './writers'
