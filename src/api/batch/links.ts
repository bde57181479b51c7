/**
 * Step 3 of a batch: links to existing records (never created). One query per object and attribute finds
 * them; records this process confirmed or sent in bulk a moment ago need none (see `resolveLookups`).
 */
import type { AttioClient } from '../client'
import { bulkNestedLinks } from '../core/config'
import type { Identity } from '../core/wire-types'
import { linkNotAppliedYet, missingLink, type ExistingReference } from '../records'
import type { LinkUnit, MergedRecord, Reassert, Resolved } from './types'

export type { Resolved } from './types'

/** The one marker for it, told apart by identity (never by shape). */
export const REASSERT: Reassert = Object.freeze({ reassert: true })

export const isReassert = (target: unknown): target is Reassert => target === REASSERT

export function lookupKey(reference: ExistingReference): string {
  // Asked several times per link of every batch (lookups, chunk refresh, link assertion, outcome): written once
  // per reference (references are frozen, so the key never changes).
  let key = lookupKeys.get(reference)
  if (key === undefined) {
    key = `${reference.object}\u0000${reference.attribute}\u0000${reference.value}`
    lookupKeys.set(reference, key)
  }
  return key
}
const lookupKeys = new WeakMap<ExistingReference, string>()

/**
 * Finds the existing records the batch links to, with one query per object and attribute (500 values at
 * most). Records remembered need no query: by id when Attio confirmed them to this process within
 * `CONFIRM_MS` (write memory on), or, for records this process sent through the bulk endpoint within
 * `BULK_APPLY_WINDOW_MS` and has never seen in Attio (which have no id), by the values it sent, asserted
 * again inside the link. Attio applies bulk requests asynchronously, so such a record may not exist yet:
 * asserting it again creates it or changes nothing, where naming it by its key or looking it up would miss
 * it. After that window, or once seen, a record missing from Attio is missing (it was deleted, or Attio
 * dropped it): it is never asserted again.
 */
export async function resolveLookups(
  client: AttioClient,
  records: Iterable<MergedRecord>,
  resolved: Resolved = new Map()
): Promise<Resolved> {
  /** Per object and attribute, the first reference of each value (in the order met). */
  const wanted = new Map<string, Map<string, ExistingReference>>()
  // The group of the reference before, kept: a batch's links are almost all of one object and attribute.
  let last: ExistingReference | undefined
  let byValue: Map<string, ExistingReference> | undefined
  for (const record of records) {
    // A Map's iterator is an object: none for the records that link nothing (most).
    if (record.lookups.size === 0) continue
    for (const slot of record.lookups.values()) {
      for (const reference of slot.references) {
        if (resolved.has(lookupKey(reference))) continue
        if (!byValue || last?.object !== reference.object || last.attribute !== reference.attribute) {
          const group = `${reference.object}\u0000${reference.attribute}`
          byValue = wanted.get(group)
          if (!byValue) wanted.set(group, (byValue = new Map()))
        }
        last = reference
        if (!byValue.has(reference.value)) byValue.set(reference.value, reference)
      }
    }
  }
  const memory = client.memory
  const nested = nestedLinksEnabled()
  for (const all of wanted.values()) {
    const references: ExistingReference[] = []
    for (const reference of all.values()) {
      const remembered = memory?.lookup(identityOf(reference))
      if (remembered) resolved.set(lookupKey(reference), { object: reference.object, recordId: remembered })
      else if (nested && bulkSentNow(client, reference)) resolved.set(lookupKey(reference), REASSERT)
      else references.push(reference)
    }
    if (references.length === 0) continue
    const [{ object, attribute, label }] = references
    for (let start = 0; start < references.length; start += 500) {
      const chunk = references.slice(start, start + 500)
      const found = await client.findRecords(
        object,
        { [attribute]: { $in: chunk.map((r) => r.value) } },
        attribute,
        chunk.length,
        `the lookup of ${chunk.length} ${label}${chunk.length > 1 ? 's' : ''}`
      )
      for (const reference of chunk) {
        const recordId = found.get(reference.value)
        if (recordId) {
          memory?.rememberLookup(identityOf(reference), recordId)
          client.bulkSent.seen(object, attribute, reference.value)
        }
        // A miss asks fleet mode's Redis too: another worker may have sent it in bulk moments ago.
        resolved.set(
          lookupKey(reference),
          recordId
            ? { object, recordId }
            : (await client.bulkSent.pendingAnywhere(object, attribute, reference.value))
              ? linkNotAppliedYet(reference)
              : missingLink(reference)
        )
      }
    }
  }
  return resolved
}

export const identityOf = (reference: ExistingReference): Identity => ({
  object: reference.object,
  attribute: reference.attribute,
  text: reference.value
})

/**
 * Before a chunk is built: each of its re-asserted links whose values were forgotten since (a single write
 * of the record, a failed bulk request) is looked up instead, since asserting values that are no longer the
 * latest would undo the newer write.
 */
export async function refreshReasserts(
  client: AttioClient,
  links: readonly LinkUnit[],
  resolved: Resolved
): Promise<void> {
  for (const link of links) {
    for (const reference of link.references) {
      const key = lookupKey(reference)
      if (isReassert(resolved.get(key)) && !bulkSentNow(client, reference)) resolved.delete(key)
    }
  }
  await resolveLookups(
    client,
    links.map((link) => link.record),
    resolved
  )
}

/**
 * What this process sent of a linked record in bulk, while Attio may not have applied it yet (within
 * `BULK_APPLY_WINDOW_MS`, never seen in Attio since).
 */
export const bulkSentNow = (client: AttioClient, reference: ExistingReference) =>
  client.bulkSent.get(reference.object, reference.attribute, reference.value)

/** A link of one record to one linked record: what its event's outcome looks up. */
export const linkKey = (record: Pick<MergedRecord, 'key'>, reference: ExistingReference) =>
  `${record.key}\u0001${lookupKey(reference)}`

/**
 * `ATTIO_BULK_NESTED_LINKS=off` links every user by a lookup instead of asserting it again inside the link
 * (documented for a single reference, not for an array; see docs/batching.md).
 */
export function nestedLinksEnabled(): boolean {
  return bulkNestedLinks()
}
