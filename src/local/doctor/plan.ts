/**
 * The records a subscription writes, without an event: its action's own builder (the function perform and
 * performBatch call) is given the subscription's mapping, with every value a directive reads from the
 * event replaced. An attribute entry read from the event gets `FROM_EVENT` (checked per event, not here);
 * an identity field the builder checks (an email, a domain, an id) gets a sample of its kind, found by
 * trying the samples in turn until the builder takes one. What comes back is the builder's own
 * description: objects, matching attributes, the attributes each value goes to, and references.
 */
import { PayloadValidationError, type InputField } from '@segment/actions-core'
import type { ExistingReference, RecordAssertion, ValueInput } from '../../api'
import { actionRecords } from '../../destinations/attio'
import type { Subscription } from '../mapping-file'
import type { LocalRunner } from '../runner'

/** The value of an attribute entry whose mapping reads it from the event. */
export const FROM_EVENT: unique symbol = Symbol('read from the event')

/** Samples for an identity field read from the event: an email, a domain, an id or slug. */
const SAMPLES = ['attio-doctor@example.com', 'example.com', 'attio-doctor-sample'] as const

export interface SubscriptionPlan {
  subscription: Subscription
  /** The action's title. */
  actionTitle: string
  /** The record the action asserts (its references nested), when the builder took the mapping. */
  record?: RecordAssertion
  /** Why the builder refused the mapping (a fixed value it cannot use). */
  problem?: string
  /** Fields whose value is read from each event (a sample stood in for them). */
  fromEvent: Set<string>
  /** Attribute fields mapped as a whole by a directive: their attributes are only known per event. */
  wholeFromEvent: string[]
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** A mapping directive (`@path`, `@template`, `@if`, …): its value comes from the event. */
export const isDirective = (value: unknown): boolean =>
  isObject(value) && Object.keys(value).some((key) => key.startsWith('@'))

/** A value that stood in for one read from the event (a sample, or FROM_EVENT). */
export const isStandIn = (value: unknown): boolean =>
  value === FROM_EVENT || (SAMPLES as readonly unknown[]).includes(value)

/** The payload the builder gets: literals as mapped, directives replaced (see the module comment). */
function standInPayload(
  mapping: Record<string, unknown>,
  fields: Readonly<Record<string, InputField>>,
  plan: SubscriptionPlan,
  samples: Map<string, number>
): Record<string, unknown> {
  const payload: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(mapping)) {
    const keyValue = fields[field]?.type === 'object'
    if (keyValue && isDirective(value)) {
      plan.wholeFromEvent.push(field)
    } else if (keyValue && isObject(value)) {
      payload[field] = Object.fromEntries(
        Object.entries(value).map(([key, entry]) => [key, isDirective(entry) ? FROM_EVENT : entry])
      )
    } else if (isDirective(value)) {
      plan.fromEvent.add(field)
      payload[field] = SAMPLES[samples.get(field) ?? 0]
    } else {
      payload[field] = value
    }
  }
  return payload
}

/** The field a builder's validation error names (`email_address: …`, `domain is missing: …`). */
const namedField = (message: string, fields: Iterable<string>): string | undefined =>
  [...fields].find((field) => message.startsWith(`${field}:`) || message.startsWith(`${field} is missing`))

/** The records a subscription writes, as its action describes them. */
export function planSubscription(runner: LocalRunner, subscription: Subscription): SubscriptionPlan {
  const slug = subscription.partnerAction
  const action = runner.definition.actions[slug]
  const plan: SubscriptionPlan = {
    subscription,
    actionTitle: action?.title ?? slug,
    fromEvent: new Set(),
    wholeFromEvent: []
  }
  const build = actionRecords[slug]
  if (!action) {
    plan.problem = `the destination has no action "${slug}"`
    return plan
  }
  // An action without a record builder (Sync List Entry) is planned without records.
  if (!build) return plan
  const mapping = runner.mappingFor(slug, subscription.mapping)
  const samples = new Map<string, number>()
  for (;;) {
    plan.fromEvent.clear()
    plan.wholeFromEvent.length = 0
    try {
      plan.record = build(standInPayload(mapping, action.fields, plan, samples))
      return plan
    } catch (error) {
      if (!(error instanceof PayloadValidationError)) throw error
      const field = namedField(error.message, plan.fromEvent)
      const next = field === undefined ? SAMPLES.length : (samples.get(field) ?? 0) + 1
      if (field === undefined || next >= SAMPLES.length) {
        plan.problem = error.message
        return plan
      }
      samples.set(field, next)
    }
  }
}

/** A reference a value holds: a record written first, or an existing record looked up. */
export type PlannedReference =
  { kind: 'assertion'; assertion: RecordAssertion } | (ExistingReference & { kind: 'existing' })

export function referenceOf(input: ValueInput): PlannedReference | undefined {
  const value = input.value as { kind?: unknown } | undefined
  if (!isObject(value)) return undefined
  if (value.kind === 'assertion' || value.kind === 'existing') return value as PlannedReference
  return undefined
}

/** Every record a plan asserts, referenced ones first (the order they are written in). */
export function assertionsOf(record: RecordAssertion): RecordAssertion[] {
  const nested = record.values.flatMap((input) => {
    const reference = referenceOf(input)
    return reference?.kind === 'assertion' ? assertionsOf(reference.assertion) : []
  })
  return [...nested, record]
}

/** Every existing record a plan looks up (a Workspace's User). */
export function lookupsOf(record: RecordAssertion): ExistingReference[] {
  return assertionsOf(record).flatMap((assertion) =>
    assertion.values.flatMap((input) => {
      const reference = referenceOf(input)
      return reference?.kind === 'existing' ? [reference] : []
    })
  )
}
