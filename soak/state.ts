/**
 * The emulator's final state in a canonical form that two runs of the same workload can be compared in:
 * per object, records keyed by their matching identity (people by email, companies by domain, users by
 * user_id, workspaces by workspace_id), each with its value properties only. Record ids, timestamps,
 * `active_from`, actors and option ids differ between runs and are left out; a record reference becomes
 * the identity of the record it points to.
 */
import type { EmulatorState, EmulatorValue } from '../src/emulator'

/** The attribute whose values identify a record of an object, and the value property holding them. */
export const IDENTITIES: Readonly<Record<string, { attribute: string; property: string }>> = {
  people: { attribute: 'email_addresses', property: 'email_address' },
  companies: { attribute: 'domains', property: 'domain' },
  users: { attribute: 'user_id', property: 'value' },
  workspaces: { attribute: 'workspace_id', property: 'value' },
  deals: { attribute: 'external_id', property: 'value' }
}

/** Attributes the emulator (like Attio) fills itself: they differ between runs. */
const SYSTEM_ATTRIBUTES = new Set(['record_id', 'created_at', 'created_by'])
/** Properties of a value that describe when and by whom it was written, not what it is. */
const VALUE_METADATA = new Set(['active_from', 'active_until', 'created_by_actor', 'attribute_type'])

/** One object's records, by identity; each record's values as sorted canonical strings per attribute. */
export type CanonicalState = Record<string, Map<string, Record<string, string[]>>>

export interface Duplicate {
  object: string
  identity: string
  records: number
}

export interface CanonicalResult {
  state: CanonicalState
  /** Groups of two or more records of one object sharing an identity value: the same record twice. */
  duplicates: Duplicate[]
  /** Records with no identity value at all (nothing could ever match them again). */
  unidentified: number
  records: number
}

/** Identity values of a record (a person may hold several emails; any one of them matches it). */
function identityValues(object: string, values: Record<string, EmulatorValue[]>): string[] {
  const identity = IDENTITIES[object]
  if (!identity) return []
  return (values[identity.attribute] ?? [])
    .map((value) => value[identity.property])
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .sort()
}

/** Stable JSON: object keys sorted. */
export function stable(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        )
      : item
  )
}

export function canonicalState(state: EmulatorState): CanonicalResult {
  // Record ids to identities first, so references can be written as the identity they point to.
  const identityById = new Map<string, string>()
  for (const [object, records] of Object.entries(state)) {
    for (const record of records) {
      const ids = identityValues(object, record.values)
      identityById.set(
        record.record_id,
        `${object}:${ids.length > 0 ? ids.join('|') : `?${record.record_id}`}`
      )
    }
  }

  const canonicalValue = (value: EmulatorValue): string => {
    const properties: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      if (VALUE_METADATA.has(key)) continue
      if (key === 'target_record_id' && typeof item === 'string') {
        properties.target = identityById.get(item) ?? `missing record ${item}`
      } else if ((key === 'option' || key === 'status') && item && typeof item === 'object') {
        properties[key] = (item as { title?: unknown }).title
      } else if (key === 'referenced_actor_id') {
        continue
      } else {
        properties[key] = item
      }
    }
    return stable(properties)
  }

  const result: CanonicalResult = { state: {}, duplicates: [], unidentified: 0, records: 0 }
  for (const [object, records] of Object.entries(state)) {
    const byIdentity = new Map<string, Record<string, string[]>>()
    // Union of records sharing any identity value: each group of more than one is a duplicate.
    const holders = new Map<string, Set<number>>()
    records.forEach((record, position) => {
      result.records += 1
      const ids = identityValues(object, record.values)
      if (ids.length === 0) result.unidentified += 1
      for (const id of ids) holders.set(id, (holders.get(id) ?? new Set()).add(position))
      const values: Record<string, string[]> = {}
      for (const [attribute, items] of Object.entries(record.values)) {
        if (SYSTEM_ATTRIBUTES.has(attribute) || items.length === 0) continue
        values[attribute] = items.map(canonicalValue).sort()
      }
      let key = ids.length > 0 ? ids.join('|') : `(no identity) ${stable(values)}`
      // Two records with the same key are kept apart here too, so the comparison sees both.
      while (byIdentity.has(key)) key = `${key} (again)`
      byIdentity.set(key, values)
    })
    result.state[object] = byIdentity
    const seen = new Set<string>()
    for (const [id, positions] of holders) {
      if (positions.size < 2) continue
      const group = [...positions].sort().join(',')
      if (seen.has(group)) continue
      seen.add(group)
      result.duplicates.push({ object, identity: id, records: positions.size })
    }
  }
  return result
}

export interface StateDifference {
  object: string
  identity: string
  problem: 'missing' | 'extra' | 'different'
  detail?: string
}

/** Differences of `actual` from `expected`, record by record and value by value. */
export function compareStates(expected: CanonicalState, actual: CanonicalState): StateDifference[] {
  const differences: StateDifference[] = []
  const objects = new Set([...Object.keys(expected), ...Object.keys(actual)])
  for (const object of [...objects].sort()) {
    const want = expected[object] ?? new Map<string, Record<string, string[]>>()
    const got = actual[object] ?? new Map<string, Record<string, string[]>>()
    for (const [identity, values] of want) {
      const other = got.get(identity)
      if (!other) {
        differences.push({ object, identity, problem: 'missing' })
        continue
      }
      const attributes = new Set([...Object.keys(values), ...Object.keys(other)])
      for (const attribute of [...attributes].sort()) {
        const a = stable(values[attribute] ?? [])
        const b = stable(other[attribute] ?? [])
        if (a !== b) {
          differences.push({
            object,
            identity,
            problem: 'different',
            detail: `${attribute}: expected ${a}, got ${b}`
          })
        }
      }
    }
    for (const identity of got.keys()) {
      if (!want.has(identity)) differences.push({ object, identity, problem: 'extra' })
    }
  }
  return differences
}

/** Number of records that exist more than once: for each duplicate group, all but one. */
export function duplicatedRecords(duplicates: readonly Duplicate[]): number {
  return duplicates.reduce((sum, duplicate) => sum + duplicate.records - 1, 0)
}
