/** The mapping screen's choices for Sync List Entry: lists, their parent's attributes, their attributes. */
import type { DynamicFieldResponse, RequestClient } from '@segment/actions-core'
import { Attio, type ConnectionInput } from '../attio'
import { answer as answerPicker, matchingAttributeChoices, writableAttributeChoices } from '../pickers'
import { getList, listListAttributes, listLists } from './wire'

/** A list picker's choices, or its failure as a dynamic-field error (the pickers' own `answer`). */
const answer = (load: () => Promise<DynamicFieldResponse['choices']>) =>
  answerPicker(load, 'Could not read the lists from Attio.')

/** The workspace's lists, valued by api slug, with their parent object. */
export function listChoices(request: RequestClient, input: ConnectionInput): Promise<DynamicFieldResponse> {
  return answer(async () =>
    (await listLists(new Attio(request, input).client))
      .map((l) => ({
        label: l.name,
        value: l.slug,
        description: `${l.slug}: entries are ${l.parentObject} records`
      }))
      .sort((a, b) => a.label.localeCompare(b.label))
  )
}

/** The unique attributes of the chosen list's parent object. */
export async function parentMatchingChoices(
  request: RequestClient,
  input: ConnectionInput,
  list: string | undefined
): Promise<DynamicFieldResponse> {
  return parentChoices(request, input, list, matchingAttributeChoices)
}

/** The writable attributes of the chosen list's parent object (the record's own attributes). */
export async function parentAttributeChoices(
  request: RequestClient,
  input: ConnectionInput,
  list: string | undefined
): Promise<DynamicFieldResponse> {
  return parentChoices(request, input, list, writableAttributeChoices)
}

/** Choices of the chosen list's parent object, by `choicesOf` (a picker of src/api/pickers.ts). */
async function parentChoices(
  request: RequestClient,
  input: ConnectionInput,
  list: string | undefined,
  choicesOf: (request: RequestClient, input: ConnectionInput, object: string) => Promise<DynamicFieldResponse>
): Promise<DynamicFieldResponse> {
  if (!list) return { choices: [], error: { code: 'ERROR', message: 'Choose a list first.' } }
  let parent: string
  try {
    parent = (await getList(new Attio(request, input).client, list)).parentObject
  } catch (error) {
    return answer(() => Promise.reject(error))
  }
  return choicesOf(request, input, parent)
}

/** The writable attributes of the chosen list. */
export function listAttributeChoices(
  request: RequestClient,
  input: ConnectionInput,
  list: string | undefined
): Promise<DynamicFieldResponse> {
  return answer(async () => {
    if (!list) throw new Error('Choose a list first.')
    return (await listListAttributes(new Attio(request, input).client, list))
      .filter((a) => a.isWritable && !a.isArchived && a.type !== null)
      .map((a) => ({ label: `${a.title} (${a.type})`, value: a.slug, description: a.slug }))
      .sort((a, b) => a.label.localeCompare(b.label))
  })
}
