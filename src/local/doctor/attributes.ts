/**
 * The checklist's attribute checks, per subscription and per record its action writes: the matching
 * attribute exists and is unique; every mapped attribute exists, is writable and takes the mapped kind of
 * value (fixed values are written by the destination's own value writer, as a send would; values read
 * from events are checked per event); references point to an object the attribute allows; the attributes
 * Attio requires to create a record are mapped. Read-only.
 */
import {
  acceptedFormat,
  attributeSuggestion,
  describeAttribute,
  requiredAttributes,
  showValue,
  unwritableReason,
  ValueProblem,
  writeAttributeValue,
  type AttributeDef,
  type AttributeType,
  type ExistingReference,
  type RecordAssertion,
  type ValueInput,
  type WriteContext
} from '../../api'
import type { DoctorContext } from './checks'
import { assertionsOf, isStandIn, referenceOf, type PlannedReference, type SubscriptionPlan } from './plan'
import type { Check } from './types'

interface Problem {
  detail: string
  advice: string
}

const find = (attributes: readonly AttributeDef[], slugOrId: string) =>
  attributes.find((attribute) => attribute.slug === slugOrId || attribute.id === slugOrId)

const NEVER_CREATES = 'Create it in Attio (Attio never creates attributes), or fix the slug in the mapping.'

/** The attribute checks of one subscription: one line per problem, or one line saying all is well. */
export async function checkAttributes(ctx: DoctorContext, plan: SubscriptionPlan): Promise<Check[]> {
  const name = plan.subscription.name
  if (!plan.record && !plan.problem) {
    // Sync List Entry: its record's object is the list's parent, known from the list (checked by checkLists).
    const chosen = plan.subscription.mapping.list !== undefined
    return [
      {
        id: `mapping:${name}`,
        title: `"${name}"`,
        status: chosen ? 'skip' : 'info',
        detail: chosen
          ? `${plan.actionTitle} writes a record of its list's parent object: its values are checked per event`
          : `no list chosen: ${plan.actionTitle} refuses these events until the mapping names one (docs/lists.md)`
      }
    ]
  }
  if (!plan.record) {
    return [
      {
        id: `mapping:${name}`,
        title: `"${name}"`,
        status: 'fail',
        detail: `${plan.actionTitle} cannot use this mapping: ${plan.problem ?? 'no record'}`,
        advice: 'Fix the fixed value in the mapping file (or on the page, then export it again).'
      }
    ]
  }
  const checks: Check[] = plan.wholeFromEvent.map((field) => ({
    id: `mapping:${name}:${field}`,
    title: `"${name}" ${field}`,
    status: 'info',
    detail: 'mapped as a whole from each event: its attributes are known, and checked, per event'
  }))
  for (const assertion of assertionsOf(plan.record)) {
    checks.push(...(await checkRecord(ctx, plan, assertion)))
  }
  return checks
}

async function checkRecord(
  ctx: DoctorContext,
  plan: SubscriptionPlan,
  assertion: RecordAssertion
): Promise<Check[]> {
  const { object, label } = assertion
  const check = {
    id: `attributes:${plan.subscription.name}:${object}`,
    title: `"${plan.subscription.name}" → ${isStandIn(object) ? 'its record' : label}`
  }
  if (isStandIn(object)) {
    return [{ ...check, status: 'info', detail: 'the object is read from each event: checked per event' }]
  }
  const attributes = ctx.attributes.get(object)
  if (!attributes) {
    return [{ ...check, status: 'skip', detail: `not checked: the "${object}" object is not there (above)` }]
  }
  const problems: Problem[] = []
  const matching = matchingProblems(assertion, attributes, problems)
  const mapped = new Map<string, string>()
  const written: string[] = []
  for (const input of assertion.values) {
    if (input.value === undefined) continue
    const attribute = find(attributes, input.attribute)
    if (!attribute) {
      problems.push({
        detail: `${input.field}: Attio's ${object} object has no attribute ${showValue(input.attribute)}.${attributeSuggestion(attributes, input.attribute)}`,
        advice: NEVER_CREATES
      })
      continue
    }
    const problem = await valueProblem(ctx, plan, assertion, attribute, input, mapped)
    if (problem) problems.push(problem)
    const reference = referenceOf(input)
    if (reference?.kind === 'existing') {
      problems.push(...lookupProblems(reference, ctx.attributes.get(reference.object)))
    }
    written.push(`${attribute.slug}${reference ? ` (→ ${referenceLabel(reference)})` : ''}`)
  }
  problems.push(...requiredProblems(assertion, attributes, mapped))
  if (problems.length > 0) return problems.map((problem) => ({ ...check, status: 'fail', ...problem }))
  return [
    {
      ...check,
      status: 'ok',
      detail: `matches on ${matching ?? 'an attribute read from each event'}; writes ${written.join(', ')}`
    }
  ]
}

const referenceLabel = (reference: PlannedReference): string =>
  reference.kind === 'assertion'
    ? reference.assertion.label
    : `an existing ${reference.label}, by ${reference.attribute}`

/** The matching attribute exists and is unique; its slug, or undefined when read from each event. */
function matchingProblems(
  assertion: RecordAssertion,
  attributes: readonly AttributeDef[],
  problems: Problem[]
): string | undefined {
  if (isStandIn(assertion.matchingAttribute)) return undefined
  const matching = find(attributes, assertion.matchingAttribute)
  const unique = attributes.filter((a) => a.isUnique && a.isWritable && !a.isArchived)
  if (!matching) {
    problems.push({
      detail: `${assertion.matchingField}: Attio's ${assertion.object} object has no attribute ${showValue(assertion.matchingAttribute)} to match on.${attributeSuggestion(unique, assertion.matchingAttribute)}`,
      advice: NEVER_CREATES
    })
  } else if (!matching.isUnique) {
    problems.push({
      detail: `${assertion.matchingField}: "${matching.slug}" is not unique in Attio, so it cannot match a ${assertion.label}.`,
      advice: `Match on a unique attribute of ${assertion.object}: ${unique.map((a) => `"${a.slug}"`).join(', ') || 'none (make one unique in Attio)'}.`
    })
  }
  return matching?.slug ?? assertion.matchingAttribute
}

/** What is wrong with writing this input to this attribute, or undefined. */
async function valueProblem(
  ctx: DoctorContext,
  plan: SubscriptionPlan,
  assertion: RecordAssertion,
  attribute: AttributeDef,
  input: ValueInput,
  mapped: Map<string, string>
): Promise<Problem | undefined> {
  const described = describeAttribute(assertion.label, attribute)
  const previous = mapped.get(attribute.slug)
  if (previous !== undefined) {
    return {
      detail: `${input.field}: ${described} is already mapped by ${previous}.`,
      advice: 'Map it once.'
    }
  }
  mapped.set(attribute.slug, input.field)
  const unwritable = unwritableReason(attribute)
  if (unwritable !== undefined || attribute.type === null) {
    return { detail: `${input.field}: ${described} ${unwritable}`, advice: 'Change the mapping.' }
  }
  const reference = referenceOf(input)
  if (reference) {
    const target = reference.kind === 'assertion' ? reference.assertion.object : reference.object
    return referenceProblem(ctx, input, attribute, described, target)
  }
  if (isStandIn(input.value) || plan.fromEvent.has(input.field)) return undefined
  const type: AttributeType = attribute.type
  try {
    writeAttributeValue({ ...attribute, type }, input.value, await writeContext(ctx, assertion, attribute))
    return undefined
  } catch (error) {
    if (!(error instanceof ValueProblem)) throw error
    return {
      detail: `${input.field}: the fixed value ${showValue(input.value)} ${error.problem}.`,
      advice: `${described} accepts ${acceptedFormat(type)}.`
    }
  }
}

function referenceProblem(
  ctx: DoctorContext,
  input: ValueInput,
  attribute: AttributeDef,
  described: string,
  target: string
): Problem | undefined {
  if (attribute.type !== 'record-reference') {
    return {
      detail: `${input.field}: ${described} is not a record reference, and the action links a ${target} record through it.`,
      advice: 'Attio has changed this attribute: restore its type, or tell the destination maintainers.'
    }
  }
  const allowed = slugsOf(ctx, attribute.allowedObjectIds)
  if (allowed.length === 0 || allowed.includes(target)) return undefined
  return {
    detail: `${input.field}: ${described} may point to ${allowed.join(', ')}, not to ${target} records.`,
    advice: `Allow ${target} in the attribute's settings in Attio.`
  }
}

const slugsOf = (ctx: DoctorContext, ids: readonly string[]): string[] =>
  ids.map((id) => ctx.objects.find((object) => object.id === id)?.slug ?? id)

async function writeContext(
  ctx: DoctorContext,
  assertion: RecordAssertion,
  attribute: AttributeDef
): Promise<WriteContext> {
  const context: WriteContext = { defaultCountry: ctx.settings.default_phone_country }
  if (attribute.type === 'select' || attribute.type === 'status') {
    const kind = attribute.type === 'status' ? 'statuses' : 'options'
    context.options = await ctx.client.listOptions(assertion.object, attribute.slug, kind)
  }
  if (attribute.type === 'record-reference') context.allowedObjects = slugsOf(ctx, attribute.allowedObjectIds)
  return context
}

/** The attributes Attio requires to create the record, that nothing maps; and looked-up records' keys. */
function requiredProblems(
  assertion: RecordAssertion,
  attributes: readonly AttributeDef[],
  mapped: Map<string, string>
): Problem[] {
  const missing = requiredAttributes(attributes).filter((attribute) => !mapped.has(attribute.slug))
  const problems = missing.map((attribute) => ({
    detail: `Attio requires "${attribute.slug}" (${attribute.type ?? attribute.rawType}) when it creates a ${assertion.label}, and the mapping gives it no value.`,
    advice: `Map a value to "${attribute.slug}"${assertion.matchingValueIn ? ` in ${assertion.matchingValueIn.label}` : ''}.`
  }))
  return problems
}

/** A looked-up record's key attribute (a Workspace's users by user_id) exists and is unique. */
function lookupProblems(
  lookup: ExistingReference,
  attributes: readonly AttributeDef[] | null | undefined
): Problem[] {
  if (!attributes) return []
  const key = find(attributes, lookup.attribute)
  if (key?.isUnique) return []
  return [
    {
      detail: `${lookup.field}: ${lookup.label} records are looked up by "${lookup.attribute}", which ${key ? 'is not unique' : 'does not exist'} in Attio's ${lookup.object} object.`,
      advice: 'Attio has changed this object: tell the destination maintainers.'
    }
  ]
}
