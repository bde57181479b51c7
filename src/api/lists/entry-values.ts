/**
 * An entry's values in Attio's write form, through the value module (values/) like record values: every
 * value checked against the list's attributes (read again, rate-limited, when one names something new).
 */
import type { Attio } from '../attio'
import {
  attributeSuggestion,
  describeAttribute,
  showValue,
  unwritableReason,
  type PrepareOptions,
  type ValueInput
} from '../records'
import {
  acceptedFormat,
  ValueProblem,
  writeAttributeValue,
  type WireItem,
  type WriteContext
} from '../values'
import { cached, invalid, reread } from './cache'
import { listListAttributes, listListOptions, type ListDef } from './wire'

export async function entryValues(
  attio: Attio,
  list: ListDef,
  inputs: ValueInput[],
  options: PrepareOptions
): Promise<Record<string, WireItem[]>> {
  if (inputs.length === 0) return {}
  const client = attio.client
  const loadAttributes = () => listListAttributes(client, list.id)
  let attributes = await cached(client, ['attributes', list.id], loadAttributes)
  const label = `The list "${list.slug}"'s`
  const out: Record<string, WireItem[]> = {}
  for (const input of inputs) {
    const find = () => attributes.find((a) => a.slug === input.attribute || a.id === input.attribute)
    let attribute = find()
    if (!attribute) {
      // Perhaps created in Attio since the list was read.
      attributes = (await reread(client, ['attributes', list.id], loadAttributes)) ?? attributes
      attribute = find()
    }
    if (!attribute) {
      throw invalid(
        `${input.field}: the list "${list.slug}" has no attribute ${showValue(input.attribute)}.${attributeSuggestion(attributes, input.attribute)}`
      )
    }
    const reason = unwritableReason(attribute)
    if (reason || attribute.type === null) {
      throw invalid(
        `${input.field}: ${describeAttribute(label, attribute)} ${reason ?? 'cannot be written'}.`
      )
    }
    const type = attribute.type
    const slug = attribute.slug
    const context: WriteContext = { defaultCountry: options.defaultCountry }
    const kind = type === 'status' ? 'statuses' : type === 'select' ? 'options' : undefined
    const optionsKey = [kind ?? '', list.id, attribute.id]
    const loadOptions = () => listListOptions(client, list.id, slug, kind ?? 'options')
    if (kind) context.options = await cached(client, optionsKey, loadOptions)
    if (type === 'record-reference')
      context.allowedObjects = await attio.schema.objectSlugs(attribute.allowedObjectIds)
    const shape = { ...attribute, type }
    try {
      try {
        out[slug] = writeAttributeValue(shape, input.value, context)
      } catch (error) {
        // A stage or option created in Attio since they were read: read them again (rate-limited) and retry.
        const fresh =
          error instanceof ValueProblem && kind ? await reread(client, optionsKey, loadOptions) : undefined
        if (!fresh) throw error
        context.options = fresh
        out[slug] = writeAttributeValue(shape, input.value, context)
      }
    } catch (error) {
      if (error instanceof ValueProblem) {
        throw invalid(
          `${input.field}: ${showValue(input.value)} ${error.problem}. ${describeAttribute(label, attribute)} accepts ${acceptedFormat(type)}.`
        )
      }
      throw error
    }
  }
  return out
}
