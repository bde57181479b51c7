/**
 * Digests and identities: the short digests the memory keeps instead of values (and the keys of unique values
 * in a workspace), and the unique values ("identities") found in wire values or in Attio's answers.
 */
import { createHash } from 'node:crypto'
import type { Identity } from '../core/wire-types'

/**
 * A short digest of a text: 128 bits of its sha-256, in base64url (22 characters). The same keys are digested
 * again and again (every record of every batch), so the last `DIGESTS_MAX` answers are kept.
 */
export function digest(text: string): string {
  if (text.length > DIGEST_KEPT_LENGTH)
    return createHash('sha256').update(text).digest('base64url').slice(0, 22)
  let answer = digests.get(text)
  if (answer === undefined) {
    answer = createHash('sha256').update(text).digest('base64url').slice(0, 22)
    if (digests.size >= DIGESTS_MAX) digests.clear()
    digests.set(text, answer)
  }
  return answer
}

const DIGESTS_MAX = 20_000

/**
 * The digest of a unique value's key in a workspace: `digest` of the workspace key, object, attribute and
 * text joined by NULs. Remembered per workspace by the shorter text after the workspace key, which is the
 * same for every key of a tenant and would otherwise be hashed into every lookup.
 */
export function keyDigest(workspaceKey: string, object: string, attribute: string, text: string): string {
  let tenant = keyDigests.get(workspaceKey)
  if (!tenant) {
    if (keyDigests.size >= 100) keyDigests.clear()
    tenant = new Map()
    keyDigests.set(workspaceKey, tenant)
  }
  const rest = `${object}\u0000${attribute}\u0000${text}`
  let answer = tenant.get(rest)
  if (answer === undefined) {
    answer = createHash('sha256').update(`${workspaceKey}\u0000${rest}`).digest('base64url').slice(0, 22)
    if (tenant.size >= DIGESTS_MAX) tenant.clear()
    tenant.set(rest, answer)
  }
  return answer
}

const keyDigests = new Map<string, Map<string, string>>()
const DIGEST_KEPT_LENGTH = 512
/** Only short texts (keys, small values) are kept: a long value is digested each time. */
const digests = new Map<string, string>()

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

/** The identities of `attributes` among `values` (wire values, or the values of Attio's answer). */
export function identitiesIn(
  object: string,
  attributes: Iterable<string>,
  ...sources: Array<Record<string, unknown> | undefined>
): Identity[] {
  const found: Identity[] = []
  for (const attribute of attributes) {
    for (const source of sources) {
      const items = source?.[attribute]
      if (!Array.isArray(items)) continue
      for (const item of items) {
        const text = identityText(item)
        if (text !== undefined) found.push({ object, attribute, text })
      }
    }
  }
  return found
}
