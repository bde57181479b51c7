// @ts-check
/**
 * The subscription being edited — the action, its trigger and its mapping — in the mapping file's format
 * (src/local/mapping-file.ts, the format `replay --mapping` and `send --mapping` read): saved in this
 * browser per action as it is edited, exported as a file, imported from one. And the check of the
 * trigger against the event: a host would not send an event its trigger does not match.
 */
import { api } from './api.js'
import { $, maybe } from './dom.js'
import { currentMapping } from './fields.js'
import { currentAction, manifest, state } from './state.js'

/**
 * @typedef {import('./types').Subscription} Subscription
 * @typedef {import('./types').TriggerAnswer} TriggerAnswer
 * @typedef {import('./types').MappingFileAnswer} MappingFileAnswer
 */

const MAPPING_FILE_VERSION = 1
const STORAGE_PREFIX = 'attio-destination/subscription/'

/** @param {Subscription[]} subscriptions */
export function mappingFileText(subscriptions) {
  return `${JSON.stringify({ version: MAPPING_FILE_VERSION, subscriptions }, null, 2)}\n`
}

/** The trigger an entry of the action picker starts with: the preset's, or the action's default. */
export function defaultTrigger() {
  if (state.choice.startsWith('preset:')) {
    const preset = /** @type {{ subscribe?: string }} */ (manifest().presets[Number(state.choice.slice(7))])
    if (preset?.subscribe) return preset.subscribe
  }
  return currentAction().defaultSubscription ?? 'type = "identify"'
}

/** The name an entry of the action picker gives its subscription. */
function subscriptionName() {
  if (state.choice.startsWith('preset:')) {
    const preset = /** @type {{ name?: string }} */ (manifest().presets[Number(state.choice.slice(7))])
    if (preset?.name) return preset.name
  }
  return currentAction().title
}

/** @returns {Subscription} */
export function currentSubscription() {
  const trigger = /** @type {HTMLInputElement} */ ($('#trigger')).value.trim()
  return {
    name: subscriptionName(),
    partnerAction: state.action,
    subscribe: trigger || defaultTrigger(),
    mapping: currentMapping().mapping
  }
}

// ---------------------------------------------------------------- saved in this browser

/**
 * @param {string} action
 * @returns {Subscription | undefined}
 */
export function savedSubscription(action) {
  try {
    const text = localStorage.getItem(STORAGE_PREFIX + action)
    if (!text) return undefined
    const file = /** @type {{ subscriptions?: Subscription[] }} */ (JSON.parse(text))
    return file.subscriptions?.find((subscription) => subscription.partnerAction === action)
  } catch {
    return undefined
  }
}

/** @param {Subscription} subscription */
export function saveSubscription(subscription) {
  try {
    localStorage.setItem(STORAGE_PREFIX + subscription.partnerAction, mappingFileText([subscription]))
  } catch {
    // Storage full or disabled: the mapping is still on the page and can be exported.
  }
}

/** @param {string} action */
export function forgetSubscription(action) {
  try {
    localStorage.removeItem(STORAGE_PREFIX + action)
  } catch {
    // Nothing saved, nothing to forget.
  }
}

// ---------------------------------------------------------------- export and import

/** Downloads the current subscription as a mapping file. */
export function exportSubscription() {
  const subscription = currentSubscription()
  const blob = new Blob([mappingFileText([subscription])], { type: 'application/json' })
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = `${subscription.partnerAction}.mapping.json`
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(link.href), 1000)
}

/**
 * Reads a mapping file (checked by the server, with the CLI's parser); saves each of its subscriptions
 * for its action, the first one per action. Returns them, or throws with every problem of the file.
 * @param {File} file
 * @returns {Promise<Subscription[]>}
 */
export async function importFile(file) {
  const text = await file.text()
  const answer = /** @type {MappingFileAnswer} */ (
    await api('/_local/mapping-file', { text, source: file.name })
  )
  const seen = new Set()
  for (const subscription of answer.subscriptions) {
    if (seen.has(subscription.partnerAction)) continue
    seen.add(subscription.partnerAction)
    saveSubscription(subscription)
  }
  return answer.subscriptions
}

// ---------------------------------------------------------------- the trigger

let triggerTicket = 0

/**
 * Checks the trigger against the event (each event of a batch) and says so under the trigger.
 * @param {unknown} payload the event, or undefined when it is not valid JSON
 * @returns {Promise<string | undefined>} the warning shown, if any
 */
export async function checkTrigger(payload) {
  const ticket = ++triggerTicket
  const status = $('#trigger-status')
  const subscribe = currentSubscription().subscribe
  if (payload === undefined) {
    status.className = 'trigger-status'
    status.textContent = ''
    return undefined
  }
  /** @type {TriggerAnswer} */
  let answer
  try {
    answer = await api('/_local/trigger', { subscribe, payload })
  } catch (error) {
    answer = { problem: /** @type {Error} */ (error).message, matches: false, unmatched: 0 }
  }
  if (ticket !== triggerTicket) return undefined
  const warning = triggerWarning(answer, subscribe, payload)
  status.className = `trigger-status ${warning ? 'warn' : 'ok'}`
  status.textContent =
    warning ?? `The event matches this trigger: a host would send it to ${currentAction().title}.`
  const input = maybe('#trigger')
  if (answer.problem) input?.setAttribute('aria-invalid', 'true')
  else input?.removeAttribute('aria-invalid')
  return warning
}

/**
 * @param {TriggerAnswer} answer
 * @param {string} subscribe
 * @param {unknown} payload
 */
function triggerWarning(answer, subscribe, payload) {
  if (answer.problem) return answer.problem
  if (answer.matches) return undefined
  const title = currentAction().title
  if (Array.isArray(payload)) {
    return `${answer.unmatched} of the ${payload.length} events do not match the trigger ${subscribe}: a host would not send them to ${title}, and replay would skip them.`
  }
  const type = /** @type {{ type?: unknown }} */ (payload).type
  const what = typeof type === 'string' ? `This ${type} event` : 'This event'
  return `${what} does not match the trigger ${subscribe}: a host would not send it to ${title}, and replay would skip it. Send still sends it, to try the mapping.`
}
