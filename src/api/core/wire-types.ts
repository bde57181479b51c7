/**
 * The shapes every other module of src/api passes around: a value item and record values in Attio's write
 * form, a written record's id, and the identity (attribute and value) that tells which record a write reaches.
 * A leaf: it imports nothing, so the client, the caches and the records layer can all depend on it.
 */

/** One value item in Attio's write form (what `values` builds for each attribute type). */
export type WireItem = string | number | boolean | { [key: string]: unknown }

/** Record values in Attio's write form, keyed by attribute slug or id. */
export type WireValues = Record<string, WireItem[]>

export interface RecordId {
  object: string
  recordId: string
  /** The record's values, as Attio answered a write of it (its unique values tell which record it is). */
  values?: Record<string, unknown>
}

/** One unique value of a record: the object, the attribute and the value's text. */
export interface Identity {
  object: string
  attribute: string
  text: string
}
