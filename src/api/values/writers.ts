/**
 * The type-writer table: one entry per attribute type (what it accepts, how one item is written, whether it
 * holds one value, whether Attio takes writes of it), and the functions every caller uses to write a value.
 */
import type { WireItem } from '../core/wire-types'
import { parseInstant } from './dates'
import { normalizeDomain, normalizeEmail } from './emails-domains'
import { asString, fourDecimals, toNumber, unwrap } from './input'
import { writeActorReference, writeOption, writeRecordReference } from './references'
import { LOCATION_KEYS, writeLocation, writePersonalName, writePhoneNumber } from './structured'
import {
  ValueProblem,
  type AttributeShape,
  type AttributeType,
  type TypeWriter,
  type WriteContext
} from './types'

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
    write: (input, context) => writeRecordReference(input, context, writeAttributeItem)
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
  if (!isMultiValued(attribute) && input.length > 1) {
    throw new ValueProblem(`has ${input.length} values, but this attribute holds one`)
  }
  const items: unknown[] = input
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
