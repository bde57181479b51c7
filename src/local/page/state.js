// @ts-check
/** What the page knows and shows: the definition, the chosen action, how to read each field. */

/**
 * @typedef {import('./types').Manifest} Manifest
 * @typedef {import('./types').ManifestAction} ManifestAction
 * @typedef {import('./types').LocalInfo} LocalInfo
 * @typedef {import('./types').FieldReader} FieldReader
 */

export const state = {
  /** @type {Manifest | null} */
  manifest: null,
  /** @type {LocalInfo | null} */
  info: null,
  /** The entry of the action picker: `preset:<index>` or `action:<slug>`. */
  choice: '',
  /** The chosen action's slug. */
  action: '',
  /** @type {Record<string, FieldReader>} Per field: how to read its value from the form. */
  readers: {},
  /** @type {Record<string, number>} Requests for dynamic choices, so an older answer never overwrites a newer one. */
  loads: {},
  /** @type {Record<string, string>} Object slug → singular noun ("companies" → "Company"), from Attio. */
  nouns: {},
  /** @type {Record<string, string>} Setting → what is wrong with it, from the last settings check. */
  settingsProblems: {},
  /** Whether a send is under way (the Send button stays focusable, so it is not disabled). */
  sending: false
}

/**
 * What the page does when the mapping changes: `edited` when the user changed it (it is saved), and
 * `refreshed` when the page did (choices arrived from Attio). Set by main.js.
 */
/** @type {{ edited: () => void; refreshed: () => void }} */
export const hooks = {
  edited: () => undefined,
  refreshed: () => undefined
}

/** @returns {Manifest} */
export function manifest() {
  if (!state.manifest) throw new Error('The definition is not loaded yet.')
  return state.manifest
}

/** @returns {ManifestAction} */
export function currentAction() {
  return manifest().actions[state.action]
}

/** Whether the server talks to an emulator (its records can be shown). */
export function onEmulator() {
  return state.info?.target === 'emulator'
}
