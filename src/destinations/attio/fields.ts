/**
 * Fields several actions share: how multiselect values are written, and the key-value editors for
 * attributes.
 */
import type { InputField } from '@segment/actions-core'
import type { ValueInput } from '../../api'

export const multiselectMode: InputField = {
  label: 'Multiselect values',
  description:
    'How values of multiselect attributes (other than the matching attribute) are written. "append" (default) adds them to the values the record already has and never removes any; "replace" makes the record hold exactly the mapped values, deleting the others.',
  type: 'string',
  required: false,
  choices: [
    { label: 'Append (keep existing values)', value: 'append' },
    { label: 'Replace (delete values not mapped)', value: 'replace' }
  ],
  default: 'append'
}

/** A key-value field whose keys are Attio attribute slugs (or ids) of one object. */
export function attributeMap(label: string, objectNoun: string): InputField {
  return {
    label,
    description: `Additional ${objectNoun} attributes. The left side is a value from the event (or fixed text), the right side the Attio attribute's slug or ID on the ${objectNoun} object. The attribute must exist in Attio (Attio never creates attributes); values are written in the form its type needs (see the README's attribute formats), and null unsets a value.`,
    type: 'object',
    required: false,
    defaultObjectUI: 'keyvalue:only',
    additionalProperties: true,
    dynamic: true
  }
}

/** The entries of a key-value attribute field as value inputs, named `<field>.<key>` in errors. */
export function valuesFrom(field: string, map: Record<string, unknown> | undefined): ValueInput[] {
  if (!map) return []
  return Object.keys(map).map((attribute) => ({
    attribute,
    value: map[attribute],
    field: `${field}.${attribute}`
  }))
}
