// @ts-check
/**
 * The destination's settings, built from its definition, and the OAuth token a CDP holds once connected
 * (sent as `auth`). They are checked by the destination's authentication test when they change and on
 * "Test connection": a setting it refuses (a default phone country that is no country) is shown beside
 * its field, and Send waits until it is fixed.
 */
import { api } from './api.js'
import { $, $$, clear, debounce, el, maybe } from './dom.js'
import { manifest, onEmulator, state } from './state.js'

/** @typedef {import('./types').SettingsValues} SettingsValues */
/** @typedef {import('./types').AuthenticateAnswer} AuthenticateAnswer */

/** @type {(() => void) | undefined} Told when the settings change (the dynamic choices are reloaded). */
let onChange

/**
 * @param {string} key
 * @param {{ label?: string; description?: string; type?: string; default?: unknown }} field
 */
function settingField(key, field) {
  const id = `setting-${key}`
  const describedBy = [field.description ? `${id}-description` : '', `${id}-error`].filter(Boolean).join(' ')
  const isKey = field.type === 'password'
  /** @type {HTMLInputElement} */
  let input
  if (field.type === 'boolean') {
    input = el('input', {
      type: 'checkbox',
      id,
      name: key,
      checked: field.default === true,
      dataset: { kind: 'boolean' },
      'aria-describedby': describedBy,
      onchange: changed
    })
  } else {
    const placeholder = isKey
      ? onEmulator()
        ? "Empty: the emulator's token"
        : 'Empty: the key in ATTIO_API_KEY'
      : field.default !== undefined
        ? `Default: ${String(field.default)}`
        : 'Optional'
    input = el('input', {
      type: isKey ? 'password' : field.type === 'number' ? 'number' : 'text',
      id,
      name: key,
      autocomplete: 'off',
      placeholder,
      dataset: { kind: field.type || 'string' },
      'aria-describedby': describedBy,
      onchange: changed
    })
  }
  const label = el('label', { class: 'field-label', for: id }, field.label || key)
  return el(
    'div',
    { class: 'field', dataset: { setting: key } },
    field.type === 'boolean' ? el('div', { class: 'setting-toggle' }, input, label) : [label, input],
    field.description
      ? el('p', { class: 'description', id: `${id}-description`, text: field.description })
      : null,
    el('div', { class: 'field-error', id: `${id}-error`, dataset: { settingError: key } })
  )
}

/** @param {() => void} whenChanged */
export function renderSettings(whenChanged) {
  onChange = whenChanged
  const container = clear($('#settings-fields'))
  for (const [key, field] of Object.entries(manifest().settings)) {
    container.appendChild(settingField(key, /** @type {Record<string, string>} */ (field)))
  }
  if (manifest().authentication?.scheme === 'oauth2') {
    container.appendChild(
      el(
        'div',
        { class: 'field', dataset: { setting: 'oauth' } },
        el('label', { class: 'field-label', for: 'setting-oauth' }, 'OAuth access token'),
        el('input', {
          type: 'password',
          id: 'setting-oauth',
          name: 'accessToken',
          dataset: { auth: 'true' },
          autocomplete: 'off',
          placeholder: 'Optional',
          'aria-describedby': 'setting-oauth-description',
          onchange: changed
        }),
        el('p', {
          class: 'description',
          id: 'setting-oauth-description',
          text: 'Optional. An Attio OAuth access token, as the CDP holds it after connecting the destination. Used when the API key is empty.'
        })
      )
    )
  }
  updateSummary()
}

/** @returns {SettingsValues} */
export function settings() {
  /** @type {SettingsValues} */
  const result = {}
  for (const input of $$('#settings-fields input:not([data-auth])')) {
    const field = /** @type {HTMLInputElement} */ (input)
    if (field.dataset.kind === 'boolean') result[field.name] = field.checked
    else if (field.value.trim() === '') continue
    else if (field.dataset.kind === 'number') result[field.name] = Number(field.value)
    else result[field.name] = field.value.trim()
  }
  return result
}

/** @returns {{ accessToken: string } | undefined} */
export function auth() {
  const input = maybe('#setting-oauth')
  const value = input ? /** @type {HTMLInputElement} */ (input).value.trim() : ''
  return value !== '' ? { accessToken: value } : undefined
}

function updateSummary() {
  const problems = Object.keys(state.settingsProblems).length
  $('#settings-summary').textContent = problems
    ? '· check the settings'
    : settings().api_key
      ? '· your API key'
      : auth()
        ? '· your OAuth token'
        : onEmulator()
          ? "· emulator's token"
          : '· key from ATTIO_API_KEY'
}

/**
 * Shows the destination's verdict on a setting beside it; clears the others.
 * @param {AuthenticateAnswer} answer
 */
function showProblems(answer) {
  state.settingsProblems = {}
  for (const slot of $$('[data-setting-error]')) slot.textContent = ''
  for (const input of $$('#settings-fields input')) input.removeAttribute('aria-invalid')
  const field = answer.ok ? undefined : answer.error.field
  if (!answer.ok && field && Object.prototype.hasOwnProperty.call(manifest().settings, field)) {
    state.settingsProblems[field] = answer.error.message
    const slot = maybe(`[data-setting-error="${field}"]`)
    if (slot) slot.textContent = answer.error.message
    maybe(`#setting-${field}`)?.setAttribute('aria-invalid', 'true')
  }
  updateSummary()
}

/** Runs the authentication test: every setting checked, the credential tried. */
export async function checkSettings() {
  /** @type {AuthenticateAnswer} */
  let answer
  try {
    answer = await api('/authenticate', { settings: settings(), auth: auth() })
  } catch (error) {
    answer = { ok: false, error: { message: /** @type {Error} */ (error).message, status: 500, retry: true } }
  }
  showProblems(answer)
  return answer
}

const checkSoon = debounce(() => void checkSettings(), 300)

function changed() {
  updateSummary()
  checkSoon()
  onChange?.()
}

export async function testConnection() {
  const out = $('#connection-result')
  out.className = 'connection-result'
  out.textContent = 'Checking…'
  const answer = await checkSettings()
  out.className = `connection-result ${answer.ok ? 'ok' : 'bad'}`
  // Notes (scopes only some actions need) keep the connection good and are said with it.
  out.textContent = !answer.ok
    ? answer.error.message
    : answer.notes?.length
      ? ['Connected.', ...answer.notes].join(' ')
      : 'Connected'
}

/** The first setting the last check refused, opened and focused; undefined when none was. */
export function focusSettingProblem() {
  const [field] = Object.keys(state.settingsProblems)
  if (!field) return undefined
  const details = /** @type {HTMLDetailsElement} */ ($('#settings'))
  details.open = true
  maybe(`#setting-${field}`)?.focus()
  return { field, message: state.settingsProblems[field] }
}
