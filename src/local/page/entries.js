// @ts-check
/**
 * The result's list entries (Sync List Entry): the list's entries in the emulator after the event, the one
 * it concerns marked, and what happened to it.
 */
import { api } from './api.js'
import { el } from './dom.js'
import { onEmulator } from './state.js'
import { valueSpan } from './value-span.js'

/**
 * @typedef {import('./types').ActionAnswer} ActionAnswer
 * @typedef {import('./types').EntriesAnswer} EntriesAnswer
 * @typedef {import('./types').ListEntryOutcome} ListEntryOutcome
 */

/**
 * The list entry an answer wrote (Sync List Entry): its own, or the first of a batch's outcomes.
 * @param {ActionAnswer} answer
 * @returns {ListEntryOutcome | undefined}
 */
function entryOutcome(answer) {
  /** @param {unknown} value */
  const isEntry = (value) =>
    value !== null &&
    typeof value === 'object' &&
    typeof (/** @type {ListEntryOutcome} */ (value).list) === 'string' &&
    typeof (/** @type {ListEntryOutcome} */ (value).result) === 'string'
  if (isEntry(answer.result)) return /** @type {ListEntryOutcome} */ (answer.result)
  const body = (answer.multistatus || []).map((entry) => entry.body).find(isEntry)
  return /** @type {ListEntryOutcome | undefined} */ (body)
}

/**
 * The list's entries in the emulator after a Sync List Entry, the one this event concerns marked.
 * @param {ActionAnswer} answer
 */
export async function entriesSection(answer) {
  const outcome = entryOutcome(answer)
  if (!outcome || !onEmulator()) return null
  const section = el(
    'div',
    { class: 'section', id: 'list-entries' },
    el('h3', {}, 'Entries of the list ', el('code', { text: outcome.list }))
  )
  /** @type {EntriesAnswer} */
  let found
  try {
    found = await api(`/_local/entries?list=${encodeURIComponent(outcome.list)}`)
  } catch (error) {
    section.appendChild(el('p', { class: 'muted', text: /** @type {Error} */ (error).message }))
    return section
  }
  const said =
    outcome.result === 'added'
      ? `This event's entry was added or updated (${outcome.entry_id ?? ''}).`
      : outcome.result === 'unchanged'
        ? `This event's entry already held these values: nothing was sent (${outcome.entry_id ?? ''}).`
        : outcome.result === 'removed'
          ? `This event's entry was removed (${outcome.entry_id ?? ''}).`
          : 'The record had no entry in the list: nothing to remove.'
  section.appendChild(el('p', { class: 'muted', text: said }))
  if (found.entries.length === 0) {
    section.appendChild(el('p', { class: 'muted', text: 'The list has no entries.' }))
    return section
  }
  const rows = found.entries.map((entry) => {
    const mine = entry.parent_record_id === outcome.parent.record_id
    return el(
      'tr',
      { class: mine ? 'mine' : undefined, 'aria-current': mine ? 'true' : undefined },
      el('td', { class: 'mono', text: entry.entry_id }),
      el('td', {}, valueSpan(`${entry.parent_object} ${entry.parent_record_id}`)),
      el(
        'td',
        {},
        Object.entries(entry.values).map(([attribute, texts]) =>
          el('span', { class: 'entry-value' }, `${attribute}: `, texts.map(valueSpan))
        )
      )
    )
  })
  section.appendChild(
    el(
      'table',
      { class: 'outcomes entries' },
      el('caption', { class: 'visually-hidden', text: `Entries of the list ${outcome.list}` }),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Entry', 'Record', 'Entry attributes'].map((t) => el('th', { scope: 'col', text: t }))
        )
      ),
      el('tbody', {}, rows)
    )
  )
  return section
}
