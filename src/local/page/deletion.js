// @ts-check
/**
 * The deletion request form: sends a user deletion request as a host does (the destination's onDelete,
 * `POST /_local/delete`) with the page's settings, and says what was deleted and kept.
 */
import { api } from './api.js'
import { $ } from './dom.js'
import { settings } from './settings.js'

/** @typedef {import('./types').ActionAnswer} ActionAnswer */
/** @typedef {import('./types').DeletionReport} DeletionReport */

/**
 * What a deletion answer says to a person.
 * @param {ActionAnswer} answer
 */
export function deletionText(answer) {
  if (!answer.ok) return `Not deleted: ${answer.error?.message ?? 'the request failed'}`
  const report = /** @type {DeletionReport | undefined} */ (answer.result)
  if (!report || report.scope === 'nothing') {
    return 'Nothing deleted: the setting on_delete_request is "nothing" (the default). Choose what a deletion request deletes in Settings.'
  }
  const deleted = report.deleted.map((record) => `${record.object} record ${record.record_id}`)
  const kept = report.kept.map(
    (record) => `kept ${record.object} record ${record.record_id} (${record.reason})`
  )
  const parts = [
    deleted.length > 0
      ? `Deleted (or already gone): ${deleted.join(', ')}.`
      : 'No record to delete: none matched.',
    ...kept
  ]
  return `${parts.join(' ')} Scope: ${report.scope}.`
}

export function wireDeletion() {
  const form = /** @type {HTMLFormElement} */ ($('#deletion-form'))
  const input = /** @type {HTMLInputElement} */ ($('#deletion-user-id'))
  const out = $('#deletion-result')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const userId = input.value.trim()
    if (!userId) {
      input.setAttribute('aria-invalid', 'true')
      out.className = 'deletion-result bad'
      out.textContent = 'User ID: enter the userId of the User to delete.'
      input.focus()
      return
    }
    input.removeAttribute('aria-invalid')
    out.className = 'deletion-result'
    out.textContent = 'Sending…'
    void (async () => {
      try {
        /** @type {ActionAnswer} */
        const answer = await api('/_local/delete', { userId, settings: settings() })
        out.className = `deletion-result ${answer.ok ? 'ok' : 'bad'}`
        out.textContent = deletionText(answer)
      } catch (error) {
        out.className = 'deletion-result bad'
        out.textContent = `Not deleted: ${/** @type {Error} */ (error).message}`
      }
    })()
  })
}
