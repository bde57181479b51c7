/**
 * Writing one mapped value in Attio's form for `prepareRecord`: at once for types that need nothing more from
 * the schema, else with the attribute's options, statuses or allowed objects (read again once when a value
 * names an option created since), and the error that names the field, the problem and the accepted format.
 */
import { showValue } from '../core/text'
import type { WorkspaceSchema } from '../schema'
import {
  acceptedFormat,
  ValueProblem,
  writeAttributeValue,
  type AttributeType,
  type WireItem,
  type WriteContext
} from '../values'
import type { AttributeDef } from '../wire'
import type { PrepareOptions, ValueInput } from './assertion'
import { describeAttribute, invalid } from './messages'

async function contextFor(
  schema: WorkspaceSchema,
  object: string,
  attribute: AttributeDef,
  options: PrepareOptions
): Promise<WriteContext> {
  const context: WriteContext = { defaultCountry: options.defaultCountry }
  if (attribute.type === 'select' || attribute.type === 'status') {
    context.options = await schema.options(object, attribute)
  }
  if (attribute.type === 'record-reference') {
    context.allowedObjects = await schema.objectSlugs(attribute.allowedObjectIds)
  }
  return context
}

/** A value of a type that needs nothing more from the schema, written at once. */
export function writeWithoutSchema(
  label: string,
  attribute: AttributeDef & { type: AttributeType },
  input: ValueInput,
  options: PrepareOptions
): WireItem[] {
  try {
    // The options carry the default phone country, all a type without schema needs to be written.
    return writeAttributeValue(attribute, input.value, options)
  } catch (error) {
    throw error instanceof ValueProblem ? valueInvalid(label, attribute, input, error) : error
  }
}

const valueInvalid = (
  label: string,
  attribute: AttributeDef & { type: AttributeType },
  input: ValueInput,
  error: ValueProblem
) =>
  invalid(
    `${input.field}: ${showValue(input.value)} ${error.problem}. ${describeAttribute(label, attribute)} accepts ${acceptedFormat(attribute.type)}.`
  )

export async function writeValue(
  schema: WorkspaceSchema,
  object: string,
  label: string,
  attribute: AttributeDef & { type: AttributeType },
  input: ValueInput,
  options: PrepareOptions
): Promise<WireItem[]> {
  let context = await contextFor(schema, object, attribute, options)
  try {
    try {
      return writeAttributeValue(attribute, input.value, context)
    } catch (error) {
      // An option or status created in Attio since the options were read: read them again (rate-limited).
      if (!(
        error instanceof ValueProblem &&
        context.options &&
        (await schema.refreshOptions(object, attribute))
      ))
        throw error
      context = await contextFor(schema, object, attribute, options)
      return writeAttributeValue(attribute, input.value, context)
    }
  } catch (error) {
    throw error instanceof ValueProblem ? valueInvalid(label, attribute, input, error) : error
  }
}
