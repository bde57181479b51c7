/**
 * The text forms of values: `canonical` (stable JSON, keys sorted, for identities and fingerprints) and
 * `showValue` / `fieldPath` (short, one-line, escaped renderings for messages). A leaf: imports nothing.
 */

const MAX_SHOWN = 60

/** A short, safe rendering of an offending value for messages. */
export function showValue(value: unknown): string {
  let text: string
  if (typeof value === 'string') {
    text = JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN - 4)}…` : value)
  } else {
    try {
      text = JSON.stringify(value) ?? String(value)
    } catch {
      text = String(value)
    }
    if (text.length > MAX_SHOWN) text = `${text.slice(0, MAX_SHOWN - 1)}…`
  }
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are escaped so messages stay one line
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}

/**
 * The path of a key-value entry for messages: `person_attributes.twitter`, or
 * `person_attributes["odd key"]` (escaped and shortened) when the key is not a plain slug.
 */
export function fieldPath(field: string, key: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(key) ? `${field}.${key}` : `${field}[${showValue(key)}]`
}

/** Stable text for a wire value (object keys sorted), for identities and fingerprints. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        )
      : item
  )
}
