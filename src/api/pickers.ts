/**
 * The choices behind the mapping screen's pickers (actions-core dynamic fields): the workspace's objects,
 * an object's unique attributes, and the attributes a key-value field can write. A failure to list
 * becomes a dynamic-field error with Attio's message, never an exception.
 */
import type { DynamicFieldResponse, RequestClient } from '@segment/actions-core'
import { Attio, type ConnectionInput } from './attio'
import type { AttributeDef } from './wire'

/** A picker's choices, or its failure as a dynamic-field error (`fallback` when the error has no message). */
export async function answer(
  load: () => Promise<DynamicFieldResponse['choices']>,
  fallback = 'Could not read the workspace from Attio.'
): Promise<DynamicFieldResponse> {
  try {
    return { choices: await load() }
  } catch (error) {
    const status = (error as { status?: number }).status
    return {
      choices: [],
      error: {
        code: String(status ?? 'ERROR'),
        message: error instanceof Error ? error.message : fallback
      }
    }
  }
}

const byLabel = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label)

/** The workspace's objects, labelled by singular noun, valued by slug, sorted. */
export function objectChoices(request: RequestClient, input: ConnectionInput): Promise<DynamicFieldResponse> {
  return answer(async () => {
    const objects = await new Attio(request, input).schema.objects(true)
    return objects
      .map((object) => ({
        label: object.singular,
        value: object.slug,
        description: `${object.plural} (${object.slug})`
      }))
      .sort(byLabel)
  })
}

function attributeItem(attribute: AttributeDef) {
  return {
    label: `${attribute.title} (${attribute.type ?? attribute.rawType})`,
    value: attribute.slug,
    description: `${attribute.slug}${attribute.isMultiselect ? ', multiselect' : ''}${attribute.isUnique ? ', unique' : ''}${attribute.isRequired ? ', required' : ''}`
  }
}

async function attributesOf(
  request: RequestClient,
  input: ConnectionInput,
  object: string | undefined
): Promise<AttributeDef[]> {
  if (!object) throw new Error('Choose an Attio object first.')
  return new Attio(request, input).schema.attributes(object, true)
}

/** A picker of the attributes of an object that `keep` keeps, as choices sorted by label. */
function attributeChoices(
  keep: (attribute: AttributeDef) => boolean
): (
  request: RequestClient,
  input: ConnectionInput,
  object: string | undefined
) => Promise<DynamicFieldResponse> {
  return (request, input, object) =>
    answer(async () =>
      (await attributesOf(request, input, object)).filter(keep).map(attributeItem).sort(byLabel)
    )
}

/** The unique attributes of an object: the only ones an assert can match on. */
export const matchingAttributeChoices = attributeChoices(
  (attribute) => attribute.isUnique && !attribute.isArchived && attribute.isWritable
)

/** The attributes a key-value field may write: writable, not archived, labelled with title and type. */
export const writableAttributeChoices = attributeChoices(
  (attribute) => attribute.isWritable && !attribute.isArchived && attribute.type !== 'interaction'
)
