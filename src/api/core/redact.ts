/**
 * The one rule that keeps credentials out of everything the destination and the local host say: every
 * occurrence of a secret, plain or percent-encoded (as in a query string), longest secret first, becomes
 * `[redacted]`, in any string (object keys included); Authorization-like headers are replaced whole.
 * Used by the errors the destination returns (`redact`) and by the local server and CLI (`redactDeep`).
 * A leaf: imports nothing.
 */

export const REDACTED = '[redacted]'

/** Secrets shorter than this are not searched for in free text: they would mangle every word they occur in. */
const MIN_SECRET_LENGTH = 4

/** The distinct, non-blank secrets worth searching for, longest first (so a secret inside another goes second). */
export function secretList(secrets: ReadonlyArray<string | undefined | null>): string[] {
  const unique = new Set<string>()
  for (const secret of secrets) {
    const trimmed = secret?.trim()
    if (trimmed && trimmed.length >= MIN_SECRET_LENGTH) unique.add(trimmed)
  }
  return [...unique].sort((a, b) => b.length - a.length)
}

/** Replaces every occurrence of the secrets (from `secretList`: trimmed, long enough, longest first) in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
  let result = text
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED)
    // The same secret percent-encoded, e.g. in a query string.
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret && result.includes(encoded)) result = result.split(encoded).join(REDACTED)
  }
  return result
}

/** Replaces every occurrence of any of these secrets in a text, whatever order or form they come in. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined | null>): string {
  return redactText(text, secretList(secrets))
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'cookie', 'set-cookie'])

/** A copy of a value with every secret replaced, Authorization-like header values replaced whole. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  return walk(value, secrets, new WeakSet()) as T
}

function walk(value: unknown, secrets: readonly string[], seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value, secrets)
  if (value === null || typeof value !== 'object') return value
  // `seen` holds the objects on the path from the root: a value met again there is a cycle. An object met
  // again elsewhere (the same object under two keys) is copied again, not a cycle.
  if (seen.has(value)) return '[circular]'
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, secrets, seen))
    const copy: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const cleanKey = redactText(key, secrets)
      copy[cleanKey] =
        SECRET_HEADERS.has(key.toLowerCase()) && (typeof item === 'string' || Array.isArray(item))
          ? REDACTED
          : walk(item, secrets, seen)
    }
    return copy
  } finally {
    seen.delete(value)
  }
}
