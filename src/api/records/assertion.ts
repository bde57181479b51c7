/**
 * What an action hands the records layer: a `RecordAssertion` (object, matching attribute, mapped values and
 * references to other records) and what `prepareRecord` makes of it (`PreparedRecord`). References are made
 * only by `referTo` and `linkExisting`, and told apart by identity, so event data can never forge one.
 */
import type { WireValues } from '../core/wire-types'

/**
 * References are instructions to the destination (write that record first; link that existing record), so
 * they must never come from event data. Only the two functions below make them, and a value is a reference
 * only when it is one of the objects they made: an instance of this module-private class, which nothing
 * built from JSON can be (JSON makes plain objects and arrays; a `__proto__` key in it is an own property),
 * never because of its shape or a `kind` property.
 */
class Issued {}

function issue<T extends Reference>(reference: T): T {
  return Object.freeze(Object.assign(new Issued(), reference)) as T
}

/** Write a referenced record first and point to it by its record id. */
export interface AssertionReference {
  readonly kind: 'assertion'
  readonly assertion: RecordAssertion
}

/** Point to a record that must already exist, found by a unique attribute (never created). */
export interface ExistingReference {
  readonly kind: 'existing'
  readonly object: string
  readonly label: string
  readonly attribute: string
  readonly value: string
  /** What the user should do when the record does not exist. */
  readonly whenMissing: string
  /** The mapping field the value came from, named first in the error. */
  readonly field: string
}

export type Reference = AssertionReference | ExistingReference

/** A reference to a record written first (made by the actions only, never read from an event). */
export const referTo = (assertion: RecordAssertion): AssertionReference =>
  issue({ kind: 'assertion', assertion: Object.freeze(copyOf(assertion)) })

/**
 * A copy of an assertion, property by property: freezing an object made by a spread costs a map of its own
 * (about 200 bytes per referenced record of every event), freezing a literal does not.
 */
function copyOf(assertion: RecordAssertion): RecordAssertion {
  const { object, label, matchingAttribute, matchingField, matchingValueIn, values } = assertion
  const copy: RecordAssertion = { object, label, matchingAttribute, matchingField, values }
  if (matchingValueIn !== undefined) copy.matchingValueIn = matchingValueIn
  return copy
}

/** A link to a record that must already exist (made by the actions only, never read from an event). */
export const linkExisting = (reference: Omit<ExistingReference, 'kind'>): ExistingReference =>
  issue({ kind: 'existing', ...reference })

export interface ValueInput {
  /** The attribute's slug or id, as mapped. */
  attribute: string
  /** The mapped value, or a reference to another record. `undefined` means "not mapped". */
  value: unknown
  /** The mapping field the value came from, named in errors (e.g. `person_attributes.twitter`). */
  field: string
  /** Multiselect values that must only ever be added, whatever the multiselect mode (links). */
  alwaysAppend?: boolean
}

export interface RecordAssertion {
  object: string
  /** What the record is to a person reading an error: "Person", "User", "Company record". */
  label: string
  matchingAttribute: string
  /** The field the matching attribute's mapping came from. */
  matchingField: string
  /**
   * Where the matching value is mapped when it has no field of its own (Assert Record: among its Attributes,
   * by slug or id): named when it or a required value is missing.
   */
  matchingValueIn?: { field: string; label: string }
  values: ValueInput[]
}

export interface PrepareOptions {
  /** `append` (default): multiselect attributes other than the matching one only gain values. */
  multiselect?: 'append' | 'replace'
  /** ISO country for phone numbers without a `+`. */
  defaultCountry?: string
  /**
   * The record must already exist (update and delete modes): the attributes Attio requires to create one
   * are not demanded.
   */
  existingOnly?: boolean
}

export interface PreparedReference {
  attribute: string
  /** Sent with the append update (multiselect in append mode) rather than with the assert. */
  append: boolean
  /** The attribute holds several references. */
  multi: boolean
  target: PreparedRecord
}

export interface PreparedLookup {
  attribute: string
  append: boolean
  multi: boolean
  reference: ExistingReference
}

/**
 * What a record has none of until its first (most records append nothing and link nothing, many reference
 * nothing): one shared list and one shared object instead of a few per record of every batch, replaced by
 * the record's own on its first addition (`prepareRecord`, the batch merge). Frozen, so an addition that
 * skipped the replacement throws (modules are strict) instead of reaching every record.
 */
export const NONE = Object.freeze([]) as unknown as never[]
export const NO_VALUES: WireValues = Object.freeze({}) as WireValues

/** A record checked against the workspace and written in Attio's form, ready to send. */
export interface PreparedRecord {
  object: string
  label: string
  matchingAttribute: string
  /** Canonical text of the matching value: the record's identity inside a workspace. */
  matchingKey: string
  /** Values sent with the assert. */
  assertValues: WireValues
  /** Multiselect values sent with the append update after the assert. */
  appendValues: WireValues
  /** Records written first, then referenced by id. */
  references: PreparedReference[]
  /** Existing records looked up, then referenced by id. */
  lookups: PreparedLookup[]
  /** Slugs of the multi-valued attributes among the values (merged by union when records coalesce). */
  multiValued: string[]
  /** Whether the record was prepared in "replace" multiselect mode. */
  replaceMultiselect: boolean
  /** Slugs of the attributes Attio requires to create a record of this object (all of them given). */
  required: string[]
  /** Slugs of the object's unique attributes: the values that tell which record a write reaches. */
  unique: string[]
  /**
   * What its values (and those of the records it references) take as JSON, and its largest value's size and
   * mapping field: fields of the record, not an object of their own (one fewer per record of every event).
   */
  valueBytes: number
  largestBytes: number
  largestField: string | undefined
}

/** The size a record's values take (`PreparedRecord`): the fields `addSize` adds up. */
export type RecordSize = Pick<PreparedRecord, 'valueBytes' | 'largestBytes' | 'largestField'>

/** The reference an action made (`referTo`, `linkExisting`); any other value, whatever its shape, is a value. */
export function asReference(value: unknown): Reference | undefined {
  return value instanceof Issued ? (value as Reference) : undefined
}
