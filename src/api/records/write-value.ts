/**
 * Writing one mapped value in Attio's form for `prepareRecord`: at once for types that need nothing more from
 * the schema, else with the attribute's options, statuses or allowed objects (read again once when a value
 * names an option created since), and the error that names the field, the problem and the accepted format.
 */
import { jsonByteLength, showValue } from '../core/text'
import type { WorkspaceSchema } from '../schema'
import {
  acceptedFormat,
  ValueProblem,
  writeAttributeValue,
  type AttributeType,
  type WireItem,
  type WriteContext
} from '../values'
import type { AttributeDef, OptionDef } from '../wire'
import type { PrepareOptions, ValueInput } from './assertion'
import { describeAttribute, invalid } from './messages'
import { WrittenValues, type PlainValue, type Written } from './written'

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

/** Types whose values are checked against more of the schema: options, statuses, allowed objects. */
const READS_SCHEMA = new Set<AttributeType>(['select', 'status', 'record-reference'])

/**
 * A value written without waiting: of a type that needs nothing more from the schema, or a select or status
 * value among the options this invocation already read; undefined when it takes the long way (`writeValue`,
 * which may read them again). With `written` (a batch's), a plain value the batch wrote the same way before
 * is not written again, and one written now is remembered.
 */
export function writeAtOnce(
  schema: WorkspaceSchema,
  object: string,
  label: string,
  attribute: AttributeDef & { type: AttributeType },
  input: ValueInput,
  options: PrepareOptions,
  written?: WrittenValues
): Written | undefined {
  const country = options.defaultCountry
  const remembered = written && WrittenValues.remembers(input.value) ? written : undefined
  const value = input.value as PlainValue
  if (!READS_SCHEMA.has(attribute.type)) {
    return (
      remembered?.find(attribute, value, country) ??
      remember(
        remembered,
        attribute,
        value,
        country,
        undefined,
        writeWithoutSchema(label, attribute, input, options)
      )
    )
  }
  const seen =
    attribute.type === 'select' || attribute.type === 'status'
      ? schema.seenOptions(object, attribute)
      : undefined
  if (!seen) return undefined
  const known = remembered?.find(attribute, value, country, seen)
  if (known) return known
  try {
    const items = writeAttributeValue(attribute, input.value, { defaultCountry: country, options: seen })
    return remember(remembered, attribute, value, country, seen, items)
  } catch (error) {
    if (!(error instanceof ValueProblem)) throw error
    return undefined
  }
}

/** Items just written, measured (and remembered by the batch's `WrittenValues`, when there is one). */
function remember(
  remembered: WrittenValues | undefined,
  attribute: AttributeDef,
  value: PlainValue,
  country: string | undefined,
  options: readonly OptionDef[] | undefined,
  items: WireItem[]
): Written {
  const written: Written = { items, bytes: jsonByteLength(items), country, options, key: undefined }
  remembered?.add(attribute, value, written)
  return written
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
