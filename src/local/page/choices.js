// @ts-check
/**
 * Dropdowns, and the choices Attio gives for dynamic fields (Assert Record's object and matching
 * attribute, the attributes an editor suggests). When Assert Record's object changes, what depended on
 * it is reset to the new object's choices: the matching attribute (one of the new object's unique
 * attributes) and the attribute rows (those the new object does not have are removed, and said so).
 */
import { api } from './api.js'
import { $, clear, el, maybe } from './dom.js'
import { reconcileRows } from './key-value.js'
import { directiveText, mappingValue } from './mapping-values.js'
import { auth, settings } from './settings.js'
import { currentAction, hooks, state } from './state.js'

/**
 * @typedef {import('./types').InputField} InputField
 * @typedef {import('./types').ChoicesAnswer} ChoicesAnswer
 * @typedef {{ label: string; value: string; description?: string }} Choice
 */

/**
 * Fills a dropdown. The current value stays selected when it is a choice; otherwise it is kept as an
 * option marked "not listed by Attio" when `keepUnknown`, or the first choice is selected.
 * @param {HTMLSelectElement} select
 * @param {Choice[]} options
 * @param {string} current
 * @param {boolean} keepUnknown
 */
function fillSelect(select, options, current, keepUnknown) {
  clear(select)
  const values = new Set(options.map((option) => option.value))
  for (const option of options) {
    select.appendChild(el('option', { value: option.value, title: option.description || '' }, option.label))
  }
  if (current && !values.has(current) && keepUnknown) {
    select.appendChild(el('option', { value: current }, `${current} (not listed by Attio)`))
  }
  if (current && (values.has(current) || keepUnknown)) select.value = current
  else if (options.length > 0) select.value = options[0].value
}

/**
 * @param {string} key
 * @param {InputField} field
 * @param {unknown} initial
 * @param {boolean} dynamic
 * @param {() => void} changed
 */
export function choiceInput(key, field, initial, dynamic, changed) {
  const select = el('select', { id: `field-${key}`, dataset: { dynamic: dynamic ? key : '' } })
  const options = (field.choices || []).map((choice) =>
    typeof choice === 'object'
      ? { label: String(choice.label), value: String(choice.value) }
      : { label: String(choice), value: String(choice) }
  )
  fillSelect(select, options, directiveText(initial), true)
  select.addEventListener('change', () => {
    changed()
    if (key === 'object') void objectChanged()
  })
  state.readers[key] = () => {
    const read = mappingValue(select.value, field.type)
    return 'error' in read
      ? { value: undefined, problems: [{ field: key, message: read.error }] }
      : { value: read.value, problems: [] }
  }
  const note = el('div', { class: 'choice-note', dataset: { noteFor: key }, 'aria-live': 'polite' })
  return el('div', { class: 'choice' }, select, note)
}

/**
 * Loads a dynamic field's choices from Attio. `reset`: the object changed, so a value that is not a
 * choice of the new object is not kept.
 * @param {string} path `object`, `matching_attribute` or `<field>.__keys__`
 * @param {boolean} [reset]
 * @returns {Promise<Choice[] | undefined>} the choices, or undefined when a newer load overtook this one
 */
export async function loadChoices(path, reset = false) {
  const action = currentAction()
  if (!action || !(action.dynamicFields || []).includes(path)) return undefined
  const ticket = (state.loads[path] = (state.loads[path] || 0) + 1)
  const note = maybe(`[data-note-for="${path}"]`)
  if (note) {
    note.className = 'choice-note'
    note.textContent = 'Loading choices from Attio…'
  }
  /** @type {ChoicesAnswer} */
  let answer
  try {
    const object = maybe('#field-object')
    answer = await api(`/${state.action}/${path}`, {
      settings: settings(),
      auth: auth(),
      payload: { object: object ? /** @type {HTMLSelectElement} */ (object).value : undefined }
    })
  } catch (error) {
    answer = { choices: [], error: { message: /** @type {Error} */ (error).message } }
  }
  if (state.loads[path] !== ticket) return undefined
  const choices = answer.choices || []
  if (path === 'object') for (const choice of choices) state.nouns[choice.value] = choice.label
  showChoices(path, choices, reset)
  if (note) {
    note.className = `choice-note${answer.error ? ' bad' : ''}`
    note.textContent = answer.error
      ? `Could not load choices: ${answer.error.message}`
      : `${choices.length} choice${choices.length === 1 ? '' : 's'} from Attio`
  }
  return choices
}

/**
 * @param {string} path
 * @param {Choice[]} choices
 * @param {boolean} reset
 */
function showChoices(path, choices, reset) {
  if (path.endsWith('.__keys__')) {
    const key = path.slice(0, -'.__keys__'.length)
    const datalist = clear($(`#keys-${key}`))
    for (const choice of choices) datalist.appendChild(el('option', { value: choice.value }, choice.label))
    return
  }
  const select = maybe(`#field-${path}`)
  if (!select) return
  const options = choices.map((choice) => ({
    label: choice.label + (choice.label === choice.value ? '' : ` · ${choice.value}`),
    value: choice.value,
    description: choice.description
  }))
  fillSelect(
    /** @type {HTMLSelectElement} */ (select),
    options,
    /** @type {HTMLSelectElement} */ (select).value,
    !reset
  )
  hooks.refreshed()
}

export function loadAllChoices() {
  for (const path of currentAction().dynamicFields || []) void loadChoices(path)
}

/** Assert Record's object changed: the matching attribute and the attribute rows follow it. */
async function objectChanged() {
  const [matching, attributes] = await Promise.all([
    loadChoices('matching_attribute', true),
    loadChoices('attributes.__keys__', true)
  ])
  if (!matching || !attributes) return
  const select = maybe('#field-matching_attribute')
  const chosen = select ? /** @type {HTMLSelectElement} */ (select).value : undefined
  const writable = new Set(attributes.map((choice) => choice.value))
  const removed = reconcileRows('attributes', writable, chosen, hooks.edited)
  const note = maybe('[data-note-for="attributes.__keys__"]')
  if (note && removed.length > 0) {
    const object = /** @type {HTMLSelectElement} */ ($('#field-object')).value
    note.textContent = `${note.textContent} · removed ${removed.join(', ')}: not ${removed.length === 1 ? 'an attribute' : 'attributes'} of ${state.nouns[object] ?? object}`
  }
}
