/**
 * How a record is named: its identity in a workspace (`recordKey`), its matching value as text
 * (`matchingText`), and the unique values a write of it carries (`identitiesOf`, `identitiesCarried`), which
 * the write memory and the bulk path key on.
 */
import type { Identity, WireValues } from '../core/wire-types'
import { identitiesIn } from '../suppression'
import type { WireItem } from '../values'
import type { PreparedRecord } from './assertion'

/**
 * The matching value of a record as plain text, when it is a single item with a single text property
 * (`[{"value":"u-1"}]`, `[{"email_address":"ada@example.com"}]`): how lookups name the record.
 */
export function matchingText(values: readonly WireItem[] | undefined): string | undefined {
  if (!values || values.length !== 1) return undefined
  const [item] = values
  if (typeof item === 'string') return item
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined
  // Its own properties counted, not listed: every record of every bulk request asks.
  let text: unknown
  let count = 0
  for (const key in item) {
    if (!Object.prototype.hasOwnProperty.call(item, key)) continue
    if (++count > 1) return undefined
    text = item[key]
  }
  return typeof text === 'string' ? text : undefined
}

/** A record's identity in a workspace: object, matching attribute and matching value. */
export function recordKey(
  prepared: Pick<PreparedRecord, 'object' | 'matchingAttribute' | 'matchingKey'>
): string {
  return `${prepared.object}\u0000${prepared.matchingAttribute}\u0000${prepared.matchingKey}`
}

/**
 * The unique values a record's write carries: those of its matching attribute, the others, and both (`all`,
 * what a bulk request forgets: `identitiesCarried`).
 */
export function identitiesOf(
  prepared: { object: string; matchingAttribute: string; unique: Iterable<string> },
  assertValues: WireValues,
  appendValues: WireValues = {}
): { matching: Identity[]; others: Identity[]; all: Identity[] } {
  const all = identitiesCarried(prepared, assertValues, appendValues)
  const matching: Identity[] = []
  const others: Identity[] = []
  for (const identity of all)
    (identity.attribute === prepared.matchingAttribute ? matching : others).push(identity)
  return { matching, others, all }
}

/**
 * `identitiesOf(...).all` without splitting it, for a bulk request (which forgets every one alike): the
 * matching attribute's values first when they are not among the unique ones found.
 */
export function identitiesCarried(
  prepared: { object: string; matchingAttribute: string; unique: Iterable<string> },
  assertValues: WireValues,
  appendValues: WireValues = {}
): Identity[] {
  const { object, matchingAttribute } = prepared
  const found = identitiesIn(object, prepared.unique, assertValues, appendValues)
  // The matching values are those asserted, whether or not the attribute is among the unique ones listed.
  if (!(matchingAttribute in appendValues) && hasAttribute(found, matchingAttribute)) return found
  const all = identitiesIn(object, [matchingAttribute], assertValues)
  for (const identity of found) if (identity.attribute !== matchingAttribute) all.push(identity)
  return all
}

function hasAttribute(identities: readonly Identity[], attribute: string): boolean {
  for (let index = 0; index < identities.length; index++)
    if (identities[index].attribute === attribute) return true
  return false
}

/**
 * Whether a wire item is a record reference that names its target by key (`{target_object, domains: [...]}`),
 * not by id (`target_record_id`): Attio resolves it when it applies the write, so the target must exist by then.
 */
export function isKeyedReference(
  item: unknown
): item is Record<string, unknown> & { target_object: unknown } {
  return item !== null && typeof item === 'object' && 'target_object' in item && !('target_record_id' in item)
}
