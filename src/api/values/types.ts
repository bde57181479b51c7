/**
 * What the value module works with: the attribute types Attio has, what it needs to know of an attribute and
 * of the workspace, the `ValueProblem` a writer throws, and the shape of one type's writer.
 */
import type { WireItem } from '../core/wire-types'

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

export type { WireItem } from '../core/wire-types'

export interface TypeWriter {
  /** Human description of the accepted input, used in every error message for this type. */
  accepted: string
  /** Turns one input item into Attio's write form, or throws a ValueProblem. */
  write(input: unknown, context: WriteContext): WireItem
  /** Types Attio only ever stores one value for, whatever `is_multiselect` says. */
  singleOnly?: boolean
  /** Types Attio never accepts writes for. */
  readOnly?: boolean
}
