/**
 * Digests and identities: the short digests the memory keeps instead of values (and the keys of unique values
 * in a workspace), and the unique values ("identities") found in wire values or in Attio's answers.
 */
import { createHash, hash } from 'node:crypto'
import { BoundedMemo, childMap } from '../core/memo'
import type { Identity } from '../core/wire-types'

/**
 * 128 bits of a text's sha-256, in base64url (22 characters). Through Node's one-shot `hash` where it exists
 * (20.12 and later): the same digest without a Hash object per text, at about a third of the CPU (a batch
 * digests every identity this process has not seen yet).
 */
const sha256: (text: string) => string =
  typeof hash === 'function'
    ? (text) => hash('sha256', text, 'base64url')
    : (text) => createHash('sha256').update(text).digest('base64url')
const sha128 = (text: string) => sha256(text).slice(0, 22)

/**
 * A short digest of a text: 128 bits of its sha-256, in base64url (22 characters). The same keys are digested
 * again and again (every record of every batch), so the answers for short texts (keys, small values) are
 * remembered; a long value is digested each time.
 */
export function digest(text: string): string {
  return text.length > DIGEST_KEPT_LENGTH ? sha128(text) : digests.get(text, sha128)
}

const DIGESTS_MAX = 20_000
const DIGEST_KEPT_LENGTH = 512
const digests = new BoundedMemo<string, string>(DIGESTS_MAX)

/**
 * The digest of a unique value's key in a workspace: `digest` of the workspace key, object, attribute and
 * text joined by NULs. Remembered per workspace, object and attribute by the text (nested maps, so a lookup
 * hashes strings the batch already holds instead of building and hashing the joined key each time).
 */
export function keyDigest(workspaceKey: string, object: string, attribute: string, text: string): string {
  let tenant = keyDigests.get(workspaceKey)
  if (!tenant) {
    if (keyDigests.size >= TENANTS_MAX) keyDigests.clear()
    tenant = { size: 0, objects: new Map() }
    keyDigests.set(workspaceKey, tenant)
  }
  let texts = childMap(childMap(tenant.objects, object), attribute)
  let answer = texts.get(text)
  if (answer === undefined) {
    answer = sha128(`${workspaceKey}\u0000${object}\u0000${attribute}\u0000${text}`)
    // Bounded the cheapest way, as `BoundedMemo`: the tenant's answers are emptied once it holds the most.
    if (tenant.size >= DIGESTS_MAX) {
      tenant.objects.clear()
      tenant.size = 0
      texts = new Map()
      tenant.objects.set(object, new Map([[attribute, texts]]))
    }
    texts.set(text, answer)
    tenant.size += 1
  }
  return answer
}

/** Per workspace key (at most `TENANTS_MAX` at once), its keys' digests by object, attribute and text. */
const TENANTS_MAX = 100
const keyDigests = new Map<string, Tenant>()

interface Tenant {
  /** Answers held, across its objects and attributes (at most `DIGESTS_MAX`). */
  size: number
  objects: Map<string, Map<string, Map<string, string>>>
}

/** Properties that carry the unique value of an item, written (`{domain}`) or answered by Attio. */
const IDENTITY_PROPERTIES = ['domain', 'email_address', 'value', 'phone_number'] as const

/**
 * The text a unique value is matched by, from a wire item (`{"domain":"acme.com"}`, `"u-1"`) or from a value
 * of Attio's answer (`{"domain":"acme.com","root_domain":…}`). Domains and emails compare case-insensitively.
 */
export function identityText(item: unknown): string | undefined {
  if (typeof item === 'string') return item
  if (typeof item === 'number') return String(item)
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined
  const record = item as Record<string, unknown>
  for (const property of IDENTITY_PROPERTIES) {
    const value = record[property]
    if (typeof value === 'string')
      return property === 'domain' || property === 'email_address' ? value.toLowerCase() : value
    if (typeof value === 'number') return String(value)
  }
  return undefined
}

/** The identities of `attributes` among `values` and then `more` (wire values, or the values of Attio's answer). */
export function identitiesIn(
  object: string,
  attributes: Iterable<string>,
  values: Record<string, unknown> | undefined,
  more?: Record<string, unknown>
): Identity[] {
  // Two sources named, not a rest list: a list per call, and a bulk request asks for every record it carries.
  // Collected in one scratch list and copied out at the found length: a list pushed onto from empty reserves
  // 17 slots, and most records carry one or two identities.
  let count = 0
  for (const attribute of attributes) {
    count = collect(count, object, attribute, values?.[attribute])
    count = collect(count, object, attribute, more?.[attribute])
  }
  const found = scratch.slice(0, count)
  // Emptied, and not kept large after a record with many (a list of thousands of domains).
  if (count > 1000) scratch.length = 0
  else scratch.fill(undefined as unknown as Identity, 0, count)
  return found
}

/** The scratch list of `identitiesIn` (synchronous, so one serves every call); emptied after each. */
const scratch: Identity[] = []

function collect(count: number, object: string, attribute: string, items: unknown): number {
  if (!Array.isArray(items)) return count
  for (let at = 0; at < items.length; at++) {
    const text = identityText(items[at])
    if (text !== undefined) scratch[count++] = { object, attribute, text }
  }
  return count
}
