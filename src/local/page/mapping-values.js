// @ts-check
/**
 * Mapping values as the form shows them, and back: `$.traits.email` is a path, `$.a ?? $.b` the first
 * path that exists, a JSON object a directive, `null` unsets, anything else fixed text. Text that starts
 * like JSON but does not parse is an error on its field, never fixed text (a directive missing a brace
 * would otherwise be written to Attio as it is).
 */

/** @typedef {import('./types').ReadValue} ReadValue */

/**
 * @param {unknown} value
 * @returns {value is { '@path': string }}
 */
export function isPath(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (/** @type {Record<string, unknown>} */ (value)['@path']) === 'string' &&
    Object.keys(value).length === 1
  )
}

/**
 * A mapping value as the text of its input.
 * @param {unknown} value
 * @returns {string}
 */
export function directiveText(value) {
  if (value === undefined) return ''
  if (value === null) return 'null'
  if (typeof value !== 'object') return String(value)
  if (isPath(value)) return value['@path']
  const condition = /** @type {{ exists?: unknown; then?: unknown; else?: unknown } | undefined} */ (
    /** @type {Record<string, unknown>} */ (value)['@if']
  )
  if (
    condition &&
    Object.keys(value).length === 1 &&
    isPath(condition.exists) &&
    isPath(condition.then) &&
    condition.exists['@path'] === condition.then['@path'] &&
    condition.else !== undefined
  ) {
    const rest = directiveText(condition.else)
    if (rest.startsWith('$')) return `${condition.then['@path']} ?? ${rest}`
  }
  return JSON.stringify(value)
}

const PATH = /^\$[.[]/

/**
 * The text of an input as a mapping value (undefined: empty, use the default), or why it is none.
 * @param {string} text
 * @param {string | undefined} type the field's type (numbers are read as numbers)
 * @returns {ReadValue}
 */
export function mappingValue(text, type) {
  const trimmed = text.trim()
  if (trimmed === '') return { value: undefined }
  if (PATH.test(trimmed)) {
    const paths = trimmed.split(/\s*\?\?\s*/)
    if (paths.length > 1 && paths.every((path) => PATH.test(path))) {
      /** @type {unknown} */
      let value = { '@path': paths[paths.length - 1] }
      for (const path of paths.slice(0, -1).reverse()) {
        value = { '@if': { exists: { '@path': path }, then: { '@path': path }, else: value } }
      }
      return { value }
    }
    return { value: { '@path': trimmed } }
  }
  if (/^[{[]/.test(trimmed)) {
    try {
      return { value: JSON.parse(trimmed) }
    } catch (error) {
      return {
        error: `${JSON.stringify(trimmed.length > 60 ? `${trimmed.slice(0, 57)}…` : trimmed)} starts like JSON (a directive such as {"@template": "…"}) but is not valid JSON: ${/** @type {Error} */ (error).message}. Check its braces and quotes.`
      }
    }
  }
  if (trimmed === 'null') return { value: null }
  if ((type === 'number' || type === 'integer') && Number.isFinite(Number(trimmed))) {
    return { value: Number(trimmed) }
  }
  return { value: text }
}
