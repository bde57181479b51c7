// @ts-check
/**
 * Send test event: the event, the settings, the mapping and the batch size are checked on the page
 * first (each problem shown where it is, nothing sent); then the action runs and the result is shown.
 * The Send button keeps the focus: it is marked busy, not disabled, while a send is under way.
 */
import { api } from './api.js'
import { $, clear, el } from './dom.js'
import { clearErrors, currentMapping, showFieldError } from './fields.js'
import { banner, renderAnswer } from './results.js'
import { batchOf } from './samples.js'
import { auth, focusSettingProblem, settings } from './settings.js'
import { currentAction, state } from './state.js'
import { checkTrigger } from './subscription.js'

/** @typedef {import('./types').EventJson} EventJson */
/** @typedef {import('./types').ActionAnswer} ActionAnswer */

/** The event in the text area, or undefined (with the reason shown) when it is not one. */
export function readEvent() {
  const textarea = /** @type {HTMLTextAreaElement} */ ($('#event-json'))
  const problem = (/** @type {string} */ message) => {
    $('#event-error').textContent = message
    textarea.classList.add('invalid')
    textarea.setAttribute('aria-invalid', 'true')
    return undefined
  }
  /** @type {unknown} */
  let value
  try {
    value = JSON.parse(textarea.value)
  } catch (error) {
    return problem(`The event is not valid JSON: ${/** @type {Error} */ (error).message}`)
  }
  const isEvent = (/** @type {unknown} */ item) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
  if (Array.isArray(value) ? value.length === 0 || !value.every(isEvent) : !isEvent(value)) {
    return problem('The event must be a JSON object, or a non-empty array of them (a batch).')
  }
  return /** @type {EventJson | EventJson[]} */ (value)
}

/** The most events a batch may hold: the action's Maximum batch size, what a host sends at most. */
export function batchLimit() {
  const field = currentAction().fields.batch_size
  return typeof field?.maximum === 'number' ? field.maximum : 10_000
}

/** The batch size asked for, or undefined (with the reason beside it) when it is not one. */
function batchCount() {
  const input = /** @type {HTMLInputElement} */ ($('#batch-count'))
  const count = Number(input.value)
  const max = batchLimit()
  if (Number.isInteger(count) && count >= 2 && count <= max) return count
  $('#batch-count-error').textContent =
    `A batch holds 2 to ${max.toLocaleString('en')} events (the action's Maximum batch size, the most a host sends at once); ${JSON.stringify(input.value)} is not in that range.`
  input.setAttribute('aria-invalid', 'true')
  return undefined
}

/** @param {HTMLElement} node */
function showOnly(node) {
  const body = clear($('#results-body'))
  body.className = ''
  body.appendChild(node)
}

/** What is wrong on the page before sending, shown where it is; true when something is. */
function problemsBeforeSending() {
  const setting = focusSettingProblem()
  if (setting) {
    showOnly(banner(false, `Check the setting "${setting.field}"`, setting.message))
    return true
  }
  const { problems } = currentMapping()
  if (problems.length > 0) {
    for (const problem of problems) {
      showFieldError(problem.field, problem.message, /** @type {{ part?: 'key' | 'value' }} */ (problem).part)
    }
    const fields = [...new Set(problems.map((problem) => problem.field))]
    showOnly(
      banner(
        false,
        `Check the field${fields.length > 1 ? 's' : ''} ${fields.map((field) => `"${field}"`).join(', ')}`,
        `${problems.map((problem) => problem.message).join(' ')} Nothing was sent.`
      )
    )
    return true
  }
  return false
}

export async function send() {
  if (state.sending) return
  clearErrors()
  $('#batch-count-error').textContent = ''
  $('#batch-count').removeAttribute('aria-invalid')
  const event = readEvent()
  if (!event || problemsBeforeSending()) return
  const batch = /** @type {HTMLInputElement} */ ($('#batch-toggle')).checked || Array.isArray(event)
  const count = batch && !Array.isArray(event) ? batchCount() : 0
  if (count === undefined) return
  const payload = batch ? batchOf(event, count) : event
  const warning = await checkTrigger(payload)
  const button = $('#send')
  const body = $('#results-body')
  state.sending = true
  button.setAttribute('aria-disabled', 'true')
  button.textContent = 'Sending…'
  body.setAttribute('aria-busy', 'true')
  clear(body).className = 'loading'
  body.append(
    el('div', { class: 'spinner', 'aria-hidden': 'true' }),
    el('span', { text: `Sending to ${state.action}…` })
  )
  try {
    /** @type {ActionAnswer} */
    const answer = await api(`/${state.action}`, {
      payload,
      mapping: currentMapping().mapping,
      settings: settings(),
      auth: auth()
    })
    await renderAnswer(answer, payload, warning)
  } catch (error) {
    showOnly(banner(false, 'The local server failed', /** @type {Error} */ (error).message))
  } finally {
    state.sending = false
    button.removeAttribute('aria-disabled')
    button.textContent = 'Send test event'
    body.removeAttribute('aria-busy')
  }
}
