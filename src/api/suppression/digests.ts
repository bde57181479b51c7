/**
 * Digests and identities: the short digests the memory keeps instead of values (and the keys of unique values
 * in a workspace), and the unique values ("identities") found in wire values or in Attio's answers.
 */
import { createHash } from 'node:crypto'
import { BoundedMemo } from '../core/memo'
import type { Identity } from '../core/wire-types'

/** 128 bits of a text's sha-256, in base64url (22 characters). */
const sha128 = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22)

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
 * text joined by NULs. Remembered per workspace by the shorter text after the workspace key, which is the
 * same for every key of a tenant and would otherwise be hashed into every lookup.
 */
export function keyDigest(workspaceKey: string, object: string, attribute: string, text: string): string {
  const tenant = keyDigests.get(workspaceKey, tenantOf)
  return tenant.digests.get(`${object}\u0000${attribute}\u0000${text}`, tenant.digestOf)
}

/** Per workspace key (at most 100 tenants at once), its keys' digests by the text after it. */
const keyDigests = new BoundedMemo<string, Tenant>(100)

interface Tenant {
  digests: BoundedMemo<string, string>
  digestOf: (rest: string) => string
}

const tenantOf = (workspaceKey: string): Tenant => ({
  digests: new BoundedMemo(DIGESTS_MAX),
  digestOf: (rest) => sha128(`${workspaceKey}\u0000${rest}`)
})

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
