// @ts-check
/**
 * The key-value editor of attribute fields: rows of a value (a path, a directive or fixed text) and the
 * Attio attribute it goes to, suggested from the workspace. Rows can be removed, and reconciled with
 * another object's attributes when Assert Record's object changes.
 */
import { $, $$, el } from './dom.js'
import { directiveText, isPath, mappingValue } from './mapping-values.js'
import { state } from './state.js'

/** @typedef {import('./types').InputField} InputField */

/**
 * @param {string} key the field
 * @param {string} attribute
 */
const rowField = (key, attribute) =>
  /^[A-Za-z0-9_-]{1,100}$/.test(attribute) ? `${key}.${attribute}` : `${key}[${JSON.stringify(attribute)}]`

/**
 * Adds a row to an editor.
 * @param {HTMLElement} rows the editor's rows
 * @param {string} key the field
 * @param {string} label the field's label, in the inputs' accessible names
 * @param {string} attribute
 * @param {unknown} value
 * @param {() => void} changed
 */
export function addRow(rows, key, label, attribute, value, changed) {
  const valueInput = el('input', {
    type: 'text',
    class: 'kv-value',
    value: directiveText(value),
    placeholder: '$.traits.name or text',
    spellcheck: 'false',
    'aria-label': `${label}: value from the event`
  })
  const keyInput = el('input', {
    type: 'text',
    class: 'kv-key',
    value: attribute,
    list: `keys-${key}`,
    placeholder: 'Attio attribute',
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-label': `${label}: Attio attribute`
  })
  const error = el('div', { class: 'field-error kv-error', dataset: { errorFor: rowField(key, attribute) } })
  keyInput.addEventListener('input', () => {
    error.dataset.errorFor = rowField(key, keyInput.value.trim())
    changed()
  })
  valueInput.addEventListener('input', changed)
  const row = el(
    'div',
    { class: 'kv-row' },
    valueInput,
    el('span', { class: 'kv-arrow', 'aria-hidden': 'true', text: '→' }),
    keyInput,
    el('button', {
      type: 'button',
      class: 'icon-button',
      title: 'Remove',
      'aria-label': `Remove this ${label} row`,
      text: '×',
      onclick: () => {
        row.remove()
        changed()
      }
    }),
    error
  )
  rows.appendChild(row)
  return row
}

/**
 * @param {string} key
 * @param {InputField} field
 * @param {unknown} initial
 * @param {boolean} dynamicKeys whether Attio suggests the attributes
 * @param {() => void} changed
 */
export function keyValueEditor(key, field, initial, dynamicKeys, changed) {
  const label = field.label || key
  const rows = el('div', { class: 'kv-rows' })
  const entries =
    initial && typeof initial === 'object' && !isPath(initial) && !Array.isArray(initial)
      ? Object.entries(initial)
      : []
  for (const [attribute, value] of entries) addRow(rows, key, label, attribute, value, changed)
  state.readers[key] = () => {
    /** @type {Record<string, unknown>} */
    const result = {}
    /** @type {Array<{ field: string; message: string; part: 'value' }>} */
    const problems = []
    for (const row of $$('.kv-row', rows)) {
      const attribute = /** @type {HTMLInputElement} */ ($('.kv-key', row)).value.trim()
      const read = mappingValue(/** @type {HTMLInputElement} */ ($('.kv-value', row)).value, 'string')
      if ('error' in read)
        problems.push({ field: rowField(key, attribute), message: read.error, part: 'value' })
      else if (attribute && read.value !== undefined) result[attribute] = read.value
    }
    const value = Object.keys(result).length === 0 && field.default === undefined ? undefined : result
    return { value, problems }
  }
  const add = el('button', {
    type: 'button',
    class: 'link-button',
    text: '+ Add attribute',
    'aria-label': `Add attribute to ${label}`,
    onclick: () =>
      /** @type {HTMLInputElement} */ ($('.kv-value', addRow(rows, key, label, '', '', changed))).focus()
  })
  return el(
    'div',
    {
      class: 'kv',
      role: 'group',
      'aria-labelledby': `label-${key}`,
      dataset: { dynamicKeys: dynamicKeys ? `${key}.__keys__` : '' }
    },
    rows,
    el('datalist', { id: `keys-${key}` }),
    el(
      'div',
      { class: 'kv-foot' },
      add,
      el('span', { class: 'choice-note', dataset: { noteFor: `${key}.__keys__` }, 'aria-live': 'polite' })
    )
  )
}

/**
 * After the object changed: removes the rows whose attribute the new object does not have, and adds one
 * for the matching attribute when none maps it. Returns the attributes removed.
 * @param {string} key the field (Assert Record's `attributes`)
 * @param {ReadonlySet<string>} attributes the new object's writable attributes
 * @param {string | undefined} matching the new matching attribute
 * @param {() => void} changed
 * @returns {string[]}
 */
export function reconcileRows(key, attributes, matching, changed) {
  const editor = $(`[data-field="${key}"] .kv-rows`)
  const removed = []
  for (const row of $$('.kv-row', editor)) {
    const attribute = /** @type {HTMLInputElement} */ ($('.kv-key', row)).value.trim()
    if (attribute && !attributes.has(attribute)) {
      removed.push(attribute)
      row.remove()
    }
  }
  const mapped = $$('.kv-key', editor).some(
    (input) => /** @type {HTMLInputElement} */ (input).value.trim() === matching
  )
  if (matching && !mapped) {
    const label = $(`#label-${key}`).textContent ?? key
    addRow(editor, key, label, matching, '', changed)
  }
  changed()
  return removed
}
