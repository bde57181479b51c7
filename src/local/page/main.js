// @ts-check
/**
 * The Edit Mapping / Send test event page: loads the definition from the local server, builds the form,
 * and wires the controls. Ctrl+Enter (⌘+Enter on a Mac) sends from anywhere on the page.
 */
import { api } from './api.js'
import { loadAllChoices } from './choices.js'
import { $, $$, clear, debounce, el } from './dom.js'
import { clearErrors, renderFields } from './fields.js'
import { sampleEvent } from './samples.js'
import { batchLimit, send } from './send.js'
import { renderSettings, testConnection } from './settings.js'
import { wireDeletion } from './deletion.js'
import { currentAction, hooks, manifest, state } from './state.js'
import {
  checkTrigger,
  currentSubscription,
  defaultTrigger,
  exportSubscription,
  forgetSubscription,
  importFile,
  mappingFileText,
  savedSubscription,
  saveSubscription
} from './subscription.js'

/** @typedef {import('./types').Manifest} Manifest */
/** @typedef {import('./types').LocalInfo} LocalInfo */

/** @type {Record<string, string>} */
const SAMPLE_FOR_ACTION = {
  identifyUser: 'identify',
  groupWorkspace: 'group',
  assertRecord: 'identify',
  syncListEntry: 'audience-entered'
}

/** @param {string} text */
function status(text) {
  $('#subscription-status').textContent = text
}

/** The event in the text area when it is valid JSON (for the trigger check), else undefined. */
function eventIfValid() {
  try {
    return JSON.parse(/** @type {HTMLTextAreaElement} */ ($('#event-json')).value)
  } catch {
    return undefined
  }
}

function updatePreview() {
  $('#mapping-preview').textContent = mappingFileText([currentSubscription()])
}

const saveSoon = debounce(() => saveSubscription(currentSubscription()), 200)
const triggerSoon = debounce(() => void checkTrigger(eventIfValid()), 250)

hooks.edited = () => {
  updatePreview()
  saveSoon()
  triggerSoon()
  status(`Your mapping for ${currentAction().title} is saved in this browser as you edit it.`)
}
hooks.refreshed = updatePreview

function actionOptions() {
  const select = clear($('#action-select'))
  const presets = /** @type {Array<{ name: string; subscribe?: string }>} */ (manifest().presets)
  if (presets.length > 0) {
    const group = el('optgroup', { label: 'Presets' })
    presets.forEach((preset, index) => {
      group.appendChild(
        el('option', { value: `preset:${index}` }, `${preset.name} — when ${preset.subscribe || 'matched'}`)
      )
    })
    select.appendChild(group)
  }
  const group = el('optgroup', { label: 'Actions' })
  for (const [slug, action] of Object.entries(manifest().actions)) {
    group.appendChild(el('option', { value: `action:${slug}` }, action.title))
  }
  select.appendChild(group)
}

/** @param {string} kind */
function loadSample(kind) {
  ;/** @type {HTMLTextAreaElement} */ ($('#event-json')).value = JSON.stringify(sampleEvent(kind), null, 2)
  for (const button of $$('[data-sample]')) {
    const active = button.dataset.sample === kind
    button.classList.toggle('active', active)
    button.setAttribute('aria-pressed', String(active))
  }
  $('#event-error').textContent = ''
  triggerSoon()
}

/**
 * Shows an entry of the action picker: its mapping saved in this browser, or its defaults.
 * @param {string} choice `preset:<index>` or `action:<slug>`
 * @param {{ keepEvent?: boolean; restore?: boolean }} [options]
 */
function chooseAction(choice, { keepEvent = false, restore = true } = {}) {
  state.choice = choice
  /** @type {Record<string, unknown> | null} */
  let mapping = null
  if (choice.startsWith('preset:')) {
    const preset = /** @type {{ partnerAction: string; mapping?: Record<string, unknown> }} */ (
      manifest().presets[Number(choice.slice('preset:'.length))]
    )
    state.action = preset.partnerAction
    mapping = preset.mapping || {}
  } else {
    state.action = choice.slice('action:'.length)
  }
  const action = currentAction()
  const saved = restore ? savedSubscription(state.action) : undefined
  $('#action-description').textContent = action.description
  renderFields(action, saved ? saved.mapping : mapping, hooks.edited)
  const trigger = /** @type {HTMLInputElement} */ ($('#trigger'))
  trigger.value = saved?.subscribe ?? defaultTrigger()
  const batchCount = /** @type {HTMLInputElement} */ ($('#batch-count'))
  batchCount.max = String(batchLimit())
  $('#batch-hint').textContent = `(2 to ${batchLimit().toLocaleString('en')})`
  status(
    saved
      ? `Your saved mapping for ${action.title} (kept in this browser). "Reset" goes back to the defaults.`
      : `The defaults of ${action.title}. Edits are saved in this browser.`
  )
  if (!keepEvent) loadSample(SAMPLE_FOR_ACTION[state.action] || 'identify')
  clearErrors()
  loadAllChoices()
  updatePreview()
  triggerSoon()
}

/** @param {HTMLInputElement} input */
async function onImport(input) {
  const file = input.files?.[0]
  input.value = ''
  if (!file) return
  try {
    const subscriptions = await importFile(file)
    const shown =
      subscriptions.find((subscription) => subscription.partnerAction === state.action) ?? subscriptions[0]
    const select = /** @type {HTMLSelectElement} */ ($('#action-select'))
    if (shown.partnerAction !== state.action) select.value = `action:${shown.partnerAction}`
    chooseAction(select.value, { keepEvent: shown.partnerAction === state.action })
    const actions = [...new Set(subscriptions.map((subscription) => subscription.partnerAction))]
    status(
      `Imported ${file.name}: ${subscriptions.length} subscription${subscriptions.length === 1 ? '' : 's'} (${actions.join(', ')}), saved in this browser; showing ${shown.partnerAction}.`
    )
  } catch (error) {
    const problems = /** @type {{ problems?: string[] }} */ (error).problems
    status(
      `${file.name} could not be imported: ${problems?.join(' ') ?? /** @type {Error} */ (error).message}`
    )
  }
}

function wire() {
  const select = /** @type {HTMLSelectElement} */ ($('#action-select'))
  select.addEventListener('change', () => chooseAction(select.value))
  for (const button of $$('[data-sample]')) {
    button.addEventListener('click', () => loadSample(button.dataset.sample ?? 'identify'))
  }
  const textarea = $('#event-json')
  textarea.addEventListener('input', () => {
    textarea.classList.remove('invalid')
    textarea.removeAttribute('aria-invalid')
    $('#event-error').textContent = ''
    triggerSoon()
  })
  $('#trigger').addEventListener('input', hooks.edited)
  $('#batch-toggle').addEventListener('change', hooks.edited)
  $('#send').addEventListener('click', () => void send())
  $('#settings-fields').addEventListener('submit', (event) => event.preventDefault())
  $('#test-connection').addEventListener('click', () => void testConnection())
  wireDeletion()
  $('#export-mapping').addEventListener('click', exportSubscription)
  $('#import-file').addEventListener(
    'change',
    (event) => void onImport(/** @type {HTMLInputElement} */ (event.target))
  )
  $('#reset-mapping').addEventListener('click', () => {
    forgetSubscription(state.action)
    chooseAction(state.choice, { keepEvent: true, restore: false })
  })
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault()
      void send()
    }
  })
}

async function start() {
  try {
    const [loaded, info] = await Promise.all([api('/manifest'), api('/_local/info')])
    state.manifest = /** @type {Manifest} */ (loaded)
    state.info = /** @type {LocalInfo} */ (info)
  } catch (error) {
    $('#target-text').textContent =
      `The local server is not answering: ${/** @type {Error} */ (error).message}`
    $('#target').className = 'target bad'
    return
  }
  $('#destination-name').textContent = manifest().name
  $('#target').className = `target ${state.info.target}`
  $('#target-text').textContent =
    `${state.info.target === 'emulator' ? 'Emulator · ' : 'Attio · '}${state.info.apiUrl}`
  renderSettings(loadAllChoices)
  actionOptions()
  wire()
  chooseAction(/** @type {HTMLSelectElement} */ ($('#action-select')).value)
  document.body.dataset.ready = 'true'
}

void start()
