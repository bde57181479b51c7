/**
 * The text forms of values: `canonical` (stable JSON, keys sorted, for identities and fingerprints) and
 * `showValue` / `fieldPath` (short, one-line, escaped renderings for messages). Imports only `memo` (a leaf).
 */
import { BoundedMemo } from './memo'

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
  // Every event of a batch maps the same keys: their paths are remembered per field (short keys only).
  if (key.length > 100) return pathOf(field, key)
  let paths = fieldPaths.get(field)
  if (!paths) {
    if (fieldPaths.size >= PATHS_MAX) fieldPaths.clear()
    paths = new BoundedMemo<string, string>(PATHS_MAX)
    fieldPaths.set(field, paths)
  }
  // Looked up first: the closure that computes a path is made only for a key not seen yet.
  return paths.known(key) ?? paths.get(key, (short) => pathOf(field, short))
}

const pathOf = (field: string, key: string) =>
  /^[A-Za-z0-9_-]{1,100}$/.test(key) ? `${field}.${key}` : `${field}[${showValue(key)}]`

const PATHS_MAX = 1000
const fieldPaths = new Map<string, BoundedMemo<string, string>>()

/**
 * Stable text for a wire value (object keys sorted), for identities and fingerprints: the JSON text of the
 * value with every object's keys in code-unit order, exactly what `JSON.stringify` writes otherwise
 * (`undefined` and functions left out of objects and written `null` in arrays, `toJSON` honoured). Keys that
 * are array indices ("2", "10") come first in numeric order, as in any JavaScript object: the order of the
 * sorted copy the earlier form built, whose texts the write memory may still hold. Written by hand because it
 * runs for every value of every record, and the replacer form built a sorted copy of each object.
 */
export function canonical(value: unknown): string {
  return (
    (isFlatList(value) ? JSON.stringify(value) : stableJson(value, '')) ?? (undefined as unknown as string)
  )
}

/**
 * A list of plain values and of objects with at most one own property holding a plain value (`[{"domain":
 * "acme.com"}]`, most wire values): with no two keys to sort, `JSON.stringify` already writes its stable text.
 */
function isFlatList(value: unknown): boolean {
  if (!Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index]
    if (item === null || typeof item !== 'object') continue
    if (Array.isArray(item) || typeof (item as { toJSON?: unknown }).toJSON === 'function') return false
    let keys = 0
    for (const key in item) {
      const inner = (item as Record<string, unknown>)[key]
      if (!Object.prototype.hasOwnProperty.call(item, key) || ++keys > 1) return false
      if (
        inner !== null &&
        typeof inner !== 'string' &&
        typeof inner !== 'number' &&
        typeof inner !== 'boolean'
      )
        return false
    }
  }
  return true
}

const isIndex = (key: string) => /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295

function keyOrder(a: string, b: string): number {
  const aIndex = isIndex(a)
  const bIndex = isIndex(b)
  if (aIndex || bIndex) return aIndex && bIndex ? Number(a) - Number(b) : aIndex ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

function stableJson(value: unknown, key: string): string | undefined {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  )
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key)
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) {
    let text = '['
    for (let index = 0; index < value.length; index++) {
      if (index > 0) text += ','
      text += stableJson(value[index], String(index)) ?? 'null'
    }
    return `${text}]`
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).sort(keyOrder)
  let text = '{'
  let first = true
  for (const name of keys) {
    const item = stableJson(record[name], name)
    if (item === undefined) continue
    text += `${first ? '' : ','}${JSON.stringify(name)}:${item}`
    first = false
  }
  return `${text}}`
}

/** A string's bytes in JSON: its length and quotes when every character is printable ASCII, else measured. */
function stringBytes(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    // Control characters, `"` and `\` are escaped, and everything past `~` takes more than one byte.
    if (code < 0x20 || code === 0x22 || code === 0x5c || code > 0x7e)
      return Buffer.byteLength(JSON.stringify(text))
  }
  return text.length + 2
}

/** The bytes of a number's JSON: counted for a safe integer (most are), else the text written. */
function numberBytes(value: number): number {
  if (!Number.isSafeInteger(value)) return String(JSON.stringify(value)).length
  let bytes = value < 0 ? 2 : 1
  for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) bytes++
  return bytes
}

/**
 * The bytes of `JSON.stringify(value)` as UTF-8, counted without building the text for the plain strings,
 * numbers and small objects wire values are made of (anything else is measured through JSON.stringify).
 */
export function jsonByteLength(value: unknown): number {
  if (typeof value === 'string') return stringBytes(value)
  if (typeof value === 'number') return numberBytes(value)
  if (typeof value === 'boolean') return value ? 4 : 5
  if (value === null) return 4
  if (Array.isArray(value)) {
    let bytes = 2 + Math.max(0, value.length - 1)
    for (const item of value) {
      const kind = typeof item
      bytes += item === undefined || kind === 'function' || kind === 'symbol' ? 4 : jsonByteLength(item)
    }
    return bytes
  }
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    let bytes = 2
    let members = 0
    for (const key in value as object) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue
      const item = (value as Record<string, unknown>)[key]
      const kind = typeof item
      if (item === undefined || kind === 'function' || kind === 'symbol') continue
      bytes += stringBytes(key) + 1 + jsonByteLength(item)
      members += 1
    }
    return bytes + Math.max(0, members - 1)
  }
  const text = JSON.stringify(value) as string | undefined
  return text === undefined ? 0 : Buffer.byteLength(text)
}
