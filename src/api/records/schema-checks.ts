/**
 * The checks of `prepareRecord` against the workspace's schema that end in an error: the object is not
 * activated, the matching attribute is missing or not unique, a value is mapped to an attribute the object
 * does not have (each error says what to do).
 */
import { showValue } from '../core/text'
import { AttioApiError } from '../errors'
import type { WorkspaceSchema } from '../schema'
import type { AttributeDef } from '../wire'
import { asReference, type RecordAssertion, type ValueInput } from './assertion'
import {
  ACTIVATABLE,
  ACTIVATE_HOW,
  attributeSuggestion,
  invalid,
  notActivated,
  requiredAttributes
} from './messages'

export async function attributesOf(
  schema: WorkspaceSchema,
  assertion: RecordAssertion
): Promise<AttributeDef[]> {
  try {
    return await schema.attributes(assertion.object)
  } catch (error) {
    if (error instanceof AttioApiError && error.status === 404) throw invalid(notActivated(assertion.object))
    throw error
  }
}

/** The object a reference value points to, when the value is one. */
function referencedObject(value: unknown): string | undefined {
  const reference = asReference(value)
  if (!reference) return undefined
  return reference.kind === 'existing' ? reference.object : reference.assertion.object
}

/** The matching attribute, which must exist and be unique. */
export function checkedMatching(
  assertion: RecordAssertion,
  attributes: AttributeDef[],
  matching: AttributeDef | undefined
): AttributeDef {
  const { label, object } = assertion
  if (!matching) {
    throw invalid(
      `${assertion.matchingField}: Attio's ${object} object has no attribute ${showValue(assertion.matchingAttribute)} to match on.${attributeSuggestion(
        attributes.filter((a) => a.isUnique),
        assertion.matchingAttribute
      )}`
    )
  }
  if (!matching.isUnique) {
    const unique = attributes.filter((a) => a.isUnique && !a.isArchived).map((a) => `"${a.slug}"`)
    throw invalid(
      `${assertion.matchingField}: "${matching.slug}" cannot be used to match a ${label} because it is not unique in Attio. Unique attributes of ${object}: ${unique.join(', ') || 'none (add one in Attio)'}.`
    )
  }
  return matching
}

/** A value mapped to an attribute the object does not have: the error that says what to do. */
export async function unknownAttribute(
  schema: WorkspaceSchema,
  assertion: RecordAssertion,
  input: ValueInput
): Promise<void> {
  const { label, object } = assertion
  // Attio hides an attribute that links to an object that is not activated (workspaces.users without Users).
  const target = referencedObject(input.value)
  if (target !== undefined && !(await schema.hasObject(target))) {
    const noun = ACTIVATABLE[target] ?? `"${target}"`
    throw invalid(
      `${input.field}: Attio's ${noun} object is not activated in this workspace, so a ${label} cannot be linked to one. ${ACTIVATE_HOW}, or leave ${input.field} unmapped.`
    )
  }
  throw invalid(
    `${input.field}: Attio's ${object} object has no attribute ${showValue(input.attribute)} (attributes are referenced by slug or id, and Attio never creates them).${attributeSuggestion(
      await attributesOf(schema, assertion),
      input.attribute
    )}`
  )
}

/**
 * What every record of an object shares, worked out once per attribute list read (a batch prepares thousands
 * of records from one): its unique attributes' slugs, and the attributes Attio requires. Frozen, as shared.
 */
interface ObjectSlugs {
  unique: string[]
  required: AttributeDef[]
  requiredSlugs: string[]
}

const slugLists = new WeakMap<AttributeDef[], ObjectSlugs>()

export function slugsOf(attributes: AttributeDef[]): ObjectSlugs {
  let slugs = slugLists.get(attributes)
  if (!slugs) {
    const required = requiredAttributes(attributes)
    slugs = {
      unique: Object.freeze(
        attributes.filter((a) => a.isUnique && !a.isArchived && a.slug !== 'record_id').map((a) => a.slug)
      ) as string[],
      required,
      requiredSlugs: Object.freeze(required.map((attribute) => attribute.slug)) as string[]
    }
    slugLists.set(attributes, slugs)
  }
  return slugs
}
