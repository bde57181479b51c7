// @ts-check
/**
 * The mapping form, built from the action's field definitions: a labelled input per field with its
 * description (expandable from the keyboard too), its type and whether it is required, and a slot for
 * its error. How each field is read back is kept in `state.readers`.
 */
import { choiceInput } from './choices.js'
import { $, $$, clear, el, maybe } from './dom.js'
import { keyValueEditor } from './key-value.js'
import { directiveText, mappingValue } from './mapping-values.js'
import { state } from './state.js'

/**
 * @typedef {import('./types').ManifestAction} ManifestAction
 * @typedef {import('./types').InputField} InputField
 */

const HIDDEN_FIELDS = new Set(['enable_batching'])

/** Descriptions longer than this are shown on two lines, with a button to show them whole. */
const LONG_DESCRIPTION = 140

/**
 * What the type badge says: words a user reads, not JSON Schema's.
 * @param {InputField} field
 * @param {boolean} choices
 */
export function typeBadge(field, choices) {
  if (field.defaultObjectUI === 'keyvalue:only') return 'key-value'
  if (choices) return 'choice'
  if (field.type === 'boolean') return 'on / off'
  if (field.type === 'number' || field.type === 'integer') return 'number'
  if (field.type === 'datetime') return 'date-time'
  if (field.type === 'object') return 'object'
  return 'text'
}

/**
 * @param {InputField} field
 * @param {string} key
 * @param {Record<string, unknown> | null} mapping
 */
function fieldInitial(field, key, mapping) {
  if (mapping && Object.prototype.hasOwnProperty.call(mapping, key)) return mapping[key]
  return field.default
}

/**
 * A field's description, clamped to two lines when long, with a button that shows it whole.
 * @param {string} key
 * @param {string} text
 */
function description(key, text) {
  const id = `description-${key}`
  const paragraph = el('p', { class: 'description', id, text })
  if (text.length <= LONG_DESCRIPTION) return [paragraph]
  paragraph.classList.add('clamp')
  const toggle = el('button', {
    type: 'button',
    class: 'link-button more',
    'aria-expanded': 'false',
    'aria-controls': id,
    text: 'Show more'
  })
  toggle.addEventListener('click', () => {
    const expanded = paragraph.classList.toggle('clamp') === false
    toggle.setAttribute('aria-expanded', String(expanded))
    toggle.textContent = expanded ? 'Show less' : 'Show more'
  })
  return [paragraph, toggle]
}

/**
 * A text input for a field; read as a path, a directive, or fixed text.
 * @param {string} key
 * @param {InputField} field
 * @param {unknown} initial
 * @param {() => void} changed
 */
function textInput(key, field, initial, changed) {
  const defaultText = directiveText(field.default)
  const input = el('input', {
    type: 'text',
    id: `field-${key}`,
    value: directiveText(initial),
    placeholder: defaultText ? `Default: ${defaultText}` : field.required ? 'Required' : 'Optional',
    spellcheck: 'false',
    autocomplete: 'off'
  })
  input.addEventListener('input', changed)
  state.readers[key] = () => {
    if (field.default !== undefined && input.value.trim() === defaultText.trim()) {
      return { value: field.default, problems: [] }
    }
    const read = mappingValue(input.value, field.type)
    return 'error' in read
      ? { value: undefined, problems: [{ field: key, message: read.error }] }
      : { value: read.value, problems: [] }
  }
  return input
}

/**
 * @param {string} key
 * @param {unknown} initial
 * @param {() => void} changed
 */
function booleanInput(key, initial, changed) {
  const input = el('input', { type: 'checkbox', id: `field-${key}`, checked: initial === true })
  input.addEventListener('change', changed)
  state.readers[key] = () => ({ value: input.checked, problems: [] })
  return el('div', { class: 'toggle' }, input, el('span', { 'aria-hidden': 'true', text: 'On' }))
}

/**
 * A boolean that may also be left unset (no default, not required: e.g. Sync List Entry's "In the list",
 * whose emptiness lets the audience decide): a checkbox could not say "not set".
 * @param {string} key
 * @param {unknown} initial
 * @param {() => void} changed
 */
function optionalBooleanInput(key, initial, changed) {
  const mapped = initial !== undefined && typeof initial !== 'boolean'
  const select = el(
    'select',
    { id: `field-${key}` },
    el('option', { value: '', text: 'Not set' }),
    el('option', { value: 'true', text: 'true' }),
    el('option', { value: 'false', text: 'false' }),
    mapped ? el('option', { value: 'mapped', text: `Mapped: ${JSON.stringify(initial).slice(0, 60)}` }) : null
  )
  select.value = mapped ? 'mapped' : initial === true ? 'true' : initial === false ? 'false' : ''
  select.addEventListener('change', changed)
  state.readers[key] = () => ({
    value:
      select.value === 'mapped'
        ? initial
        : select.value === 'true'
          ? true
          : select.value === 'false'
            ? false
            : undefined,
    problems: []
  })
  return el('div', { class: 'choice' }, select)
}

/**
 * Builds the form of an action, with the given mapping (or the defaults).
 * @param {ManifestAction} action
 * @param {Record<string, unknown> | null} mapping
 * @param {() => void} changed told on every edit
 */
export function renderFields(action, mapping, changed) {
  const form = clear($('#mapping-form'))
  state.readers = {}
  if (action.syncMode) form.appendChild(syncModeInput(action.syncMode, mapping, changed))
  const dynamic = action.dynamicFields || []
  for (const [key, field] of Object.entries(action.fields)) {
    if (field.unsafe_hidden || HIDDEN_FIELDS.has(key)) continue
    const initial = fieldInitial(field, key, mapping)
    const keyValue = field.type === 'object'
    const choices = Boolean(field.choices) || dynamic.includes(key)
    const labelId = `label-${key}`
    const head = el(
      'div',
      { class: 'field-head' },
      keyValue
        ? el('span', { class: 'field-label', id: labelId, text: field.label || key })
        : el('label', { class: 'field-label', id: labelId, for: `field-${key}` }, field.label || key),
      field.required ? el('span', { class: 'badge required', text: 'Required' }) : null,
      el('span', { class: 'badge type', text: typeBadge(field, choices) })
    )
    const wrapper = el('div', { class: 'field', dataset: { field: key } }, head)
    if (field.description) wrapper.append(...description(key, field.description))
    /** @type {HTMLElement} */
    let control
    if (keyValue) {
      control = keyValueEditor(key, field, initial, dynamic.includes(`${key}.__keys__`), changed)
    } else if (field.type === 'boolean' && field.default === undefined && !field.required)
      control = optionalBooleanInput(key, initial, changed)
    else if (field.type === 'boolean') control = booleanInput(key, initial, changed)
    else if (choices) control = choiceInput(key, field, initial, dynamic.includes(key), changed)
    else control = textInput(key, field, initial, changed)
    wrapper.appendChild(control)
    wrapper.appendChild(el('div', { class: 'field-error', id: `error-${key}`, dataset: { errorFor: key } }))
    form.appendChild(wrapper)
    describe(wrapper, key, Boolean(field.description))
  }
  unclampShort(form)
}

/** Where a mapping (and a mapping file) carries the host's sync mode choice. */
export const SYNC_MODE_KEY = '__segment_internal_sync_mode'

/**
 * The host's sync mode choice (actions-core's `syncMode`): one radio button per mode, in a fieldset.
 * @param {NonNullable<ManifestAction['syncMode']>} syncMode
 * @param {Record<string, unknown> | null} mapping
 * @param {() => void} changed
 */
function syncModeInput(syncMode, mapping, changed) {
  const given = mapping?.[SYNC_MODE_KEY]
  const initial = syncMode.choices.some((choice) => choice.value === given) ? given : syncMode.default
  const radios = syncMode.choices.map((choice) => {
    const input = el('input', {
      type: 'radio',
      name: 'sync-mode',
      id: `sync-mode-${choice.value}`,
      value: choice.value,
      checked: choice.value === initial
    })
    input.addEventListener('change', changed)
    return el('div', { class: 'sync-mode-choice' }, input, el('label', { for: input.id }, choice.label))
  })
  state.readers[SYNC_MODE_KEY] = () => {
    const checked = /** @type {HTMLInputElement | null} */ (maybe('input[name="sync-mode"]:checked'))
    return { value: checked?.value ?? syncMode.default, problems: [] }
  }
  return el(
    'fieldset',
    {
      class: 'field sync-mode',
      id: 'sync-mode',
      dataset: { field: SYNC_MODE_KEY },
      'aria-describedby': 'sync-mode-description'
    },
    el('legend', { class: 'field-label', text: syncMode.label }),
    el('p', { class: 'field-description', id: 'sync-mode-description', text: syncMode.description }),
    el('div', { class: 'sync-mode-choices' }, radios),
    el('div', { class: 'field-error', id: `error-${SYNC_MODE_KEY}`, dataset: { errorFor: SYNC_MODE_KEY } })
  )
}

/**
 * Descriptions that fit in their two lines need no "Show more".
 * @param {HTMLElement} form
 */
function unclampShort(form) {
  for (const toggle of $$('.more', form)) {
    const paragraph = maybe(`#${toggle.getAttribute('aria-controls')}`, form)
    if (paragraph && paragraph.scrollHeight <= paragraph.clientHeight + 1) {
      paragraph.classList.remove('clamp')
      toggle.remove()
    }
  }
}

/**
 * Points the field's inputs at its description and its error slot.
 * @param {HTMLElement} wrapper
 * @param {string} key
 * @param {boolean} hasDescription
 */
function describe(wrapper, key, hasDescription) {
  const ids = [hasDescription ? `description-${key}` : '', `error-${key}`].filter(Boolean).join(' ')
  const own = maybe(`#field-${key}`, wrapper)
  if (own) own.setAttribute('aria-describedby', ids)
  const group = maybe('[role="group"]', wrapper)
  if (group) group.setAttribute('aria-describedby', ids)
}

/**
 * The mapping the form holds, and the problems of its inputs (text that starts like JSON and is not).
 * @returns {{ mapping: Record<string, unknown>; problems: Array<{ field: string; message: string }> }}
 */
export function currentMapping() {
  /** @type {Record<string, unknown>} */
  const mapping = {}
  /** @type {Array<{ field: string; message: string }>} */
  const problems = []
  for (const [key, read] of Object.entries(state.readers)) {
    const result = read()
    if (result.value !== undefined) mapping[key] = result.value
    problems.push(...result.problems)
  }
  const batch = maybe('#batch-toggle')
  if (batch && /** @type {HTMLInputElement} */ (batch).checked) mapping.enable_batching = true
  return { mapping, problems }
}

export function clearErrors() {
  for (const node of $$('.field-error')) node.textContent = ''
  for (const node of $$('.invalid')) node.classList.remove('invalid')
  for (const node of $$('[aria-invalid="true"]:not(#settings-fields *)')) node.removeAttribute('aria-invalid')
  for (const node of $$('.field.has-error')) node.classList.remove('has-error')
}

/**
 * Shows an error beside the field it concerns: `email_address`, `person_attributes.twiter`.
 * @param {string | undefined} field
 * @param {string} message
 * @param {'key' | 'value'} [part] in a key-value row, the input at fault (the attribute by default)
 * @returns {boolean} whether the field is on the form
 */
export function showFieldError(field, message, part = 'key') {
  if (!field) return false
  const slots = $$('[data-error-for]')
  const top = field.split('.')[0]
  const slot =
    slots.find((node) => node.dataset.errorFor === field) ??
    slots.find((node) => node.dataset.errorFor === top)
  if (!slot) return false
  slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message
  const wrapper = slot.closest('.field')
  if (wrapper) wrapper.classList.add('has-error')
  const row = slot.closest('.kv-row')
  const input = row
    ? maybe(part === 'value' ? '.kv-value' : '.kv-key', row)
    : wrapper && maybe('input, select', wrapper)
  if (input) {
    input.classList.add('invalid')
    input.setAttribute('aria-invalid', 'true')
  }
  return true
}
