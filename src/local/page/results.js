// @ts-check
/**
 * The result of a send: what happened in words that are true (delivered, accepted, nothing to send, or
 * what failed), the records the event wrote — also when part of it failed —, each event's outcome in a
 * batch, and every HTTP exchange with Attio.
 */
import { api } from './api.js'
import { $, append, clear, el } from './dom.js'
import { showFieldError } from './fields.js'
import { entriesSection } from './entries.js'
import { onEmulator, state } from './state.js'
import { valueSpan } from './value-span.js'

/**
 * @typedef {import('./types').ActionAnswer} ActionAnswer
 * @typedef {import('./types').WriteOutcome} WriteOutcome
 * @typedef {import('./types').RecordSummary} RecordSummary
 * @typedef {import('./types').RecordsAnswer} RecordsAnswer
 * @typedef {import('./types').EventJson} EventJson
 * @typedef {ActionAnswer['exchanges'][number]} Exchange
 */

/**
 * @param {boolean} ok
 * @param {string} title
 * @param {string | null} [detail]
 * @param {string | null} [meta]
 * @param {string | null} [warning]
 */
export function banner(ok, title, detail, meta, warning) {
  return el(
    'div',
    { class: `banner ${ok ? 'ok' : 'bad'}` },
    el('span', { class: 'banner-icon', 'aria-hidden': 'true', text: ok ? '✓' : '!' }),
    el(
      'div',
      { class: 'banner-text' },
      el('div', { class: 'banner-title', text: title }),
      detail ? el('div', { class: 'banner-detail', text: detail }) : null,
      warning ? el('div', { class: 'banner-warning', text: warning }) : null
    ),
    meta ? el('div', { class: 'banner-meta', text: meta }) : null
  )
}

/** @param {number} status */
function statusClass(status) {
  if (status >= 200 && status < 300) return 'ok'
  if (status === 429 || status >= 500) return 'warn'
  return 'bad'
}

/** @param {string} url */
function shortUrl(url) {
  try {
    const parsed = new URL(url)
    return decodeURIComponent(parsed.pathname + parsed.search)
  } catch {
    return url
  }
}

/** @param {Exchange} exchange */
const isRead = (exchange) => exchange.method === 'GET' || /\/records\/query/.test(exchange.url)

/**
 * @param {string} label
 * @param {unknown} value
 */
function jsonBlock(label, value) {
  if (value === undefined) return null
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2)
  // Focusable: a long body scrolls, and the keyboard must reach it.
  return el(
    'div',
    { class: 'body-block' },
    el('div', { class: 'body-label', text: label }),
    el('pre', { text, tabindex: '0', 'aria-label': `${label} body` })
  )
}

/**
 * @param {Exchange} exchange
 * @param {number} index
 */
function exchangeItem(exchange, index) {
  return el(
    'details',
    { class: 'exchange', open: !isRead(exchange) },
    el(
      'summary',
      {},
      el('span', { class: 'index', text: String(index + 1) }),
      el('span', { class: `method m-${exchange.method.toLowerCase()}`, text: exchange.method }),
      el('span', { class: 'url', text: shortUrl(exchange.url), title: exchange.url }),
      el('span', { class: `status s-${statusClass(exchange.status)}`, text: String(exchange.status) })
    ),
    el(
      'div',
      { class: 'exchange-body' },
      jsonBlock('Request', exchange.request.body),
      jsonBlock('Response', exchange.response.body),
      exchange.request.body === undefined && exchange.response.body === undefined
        ? el('p', { class: 'muted', text: 'No body.' })
        : null
    )
  )
}

/**
 * @param {Exchange[]} exchanges
 * @param {ActionAnswer} answer
 */
function exchangesSection(exchanges, answer) {
  const writes = exchanges.filter((exchange) => !isRead(exchange))
  const none = answer.ok
    ? 'No request was needed: Attio already holds these values from an earlier send ("Skip unchanged writes" in the settings).'
    : 'No request was sent: the event was stopped before reaching Attio.'
  return el(
    'div',
    { class: 'section' },
    el(
      'h3',
      {},
      'Requests to Attio ',
      el('span', {
        class: 'count',
        text: `${exchanges.length} · ${writes.length} write${writes.length === 1 ? '' : 's'}`
      })
    ),
    exchanges.length === 0
      ? el('p', { class: 'muted', text: none })
      : el('div', { class: 'exchanges' }, exchanges.map(exchangeItem))
  )
}

/**
 * What a record is to a reader: Person, User, Company… (Assert Record's records by their object's noun).
 * @param {WriteOutcome} outcome
 */
export function recordLabel(outcome) {
  return state.nouns[outcome.object] ?? outcome.label
}

/**
 * @param {WriteOutcome} outcome
 * @param {RecordSummary | undefined} record
 */
function recordCard(outcome, record) {
  const values = record ? Object.entries(record.values) : []
  return el(
    'div',
    { class: 'record-card', dataset: { object: outcome.object } },
    el(
      'div',
      { class: 'record-head' },
      el('span', { class: 'record-label', text: recordLabel(outcome) }),
      el('span', { class: `badge result r-${outcome.result.replace(/[^a-z]/g, '')}`, text: outcome.result }),
      el('span', { class: 'record-id', text: record ? record.record_id : outcome.record_id })
    ),
    values.length === 0
      ? el('p', { class: 'muted', text: 'Not in the emulator.' })
      : el(
          'dl',
          { class: 'record-values' },
          values.map(([attribute, texts]) => [
            el('dt', { text: attribute }),
            el('dd', {}, texts.map(valueSpan))
          ])
        )
  )
}

/** @param {ActionAnswer} answer */
function written(answer) {
  const result = /** @type {{ records?: WriteOutcome[]; parent?: WriteOutcome } | undefined} */ (
    answer.result
  )
  // Sync List Entry answers its parent record (and its entry: `entriesSection`).
  return result?.records ?? (result?.parent ? [result.parent] : [])
}

/** @param {ActionAnswer} answer */
async function recordsSection(answer) {
  if (!onEmulator()) return null
  const records = written(answer)
  const title = answer.ok ? 'Records in the emulator' : 'Records written before the error'
  const section = el('div', { class: 'section' }, el('h3', { text: title }))
  /** @type {RecordsAnswer} */
  let found
  try {
    if (answer.batch) await new Promise((resolve) => setTimeout(resolve, 400))
    const ids = answer.batch ? [] : records.map((record) => record.record_id)
    found = await api(`/_local/records?ids=${encodeURIComponent(ids.join(','))}`)
  } catch (error) {
    section.appendChild(el('p', { class: 'muted', text: /** @type {Error} */ (error).message }))
    return section
  }
  if (!answer.batch && records.length > 0) {
    const grid = el('div', { class: 'records' })
    for (const outcome of records) {
      const record = (found.records[outcome.object] || []).find((r) => r.record_id === outcome.record_id)
      grid.appendChild(recordCard(outcome, record))
    }
    section.appendChild(grid)
  } else if (!answer.ok) return null
  const chips = Object.entries(found.counts)
    .filter(([, count]) => count > 0)
    .map(([object, count]) => el('span', { class: 'count-chip', text: `${object} ${count}` }))
  section.appendChild(
    el(
      'div',
      { class: 'totals' },
      el('span', { class: 'muted', text: 'Workspace now holds:' }),
      chips.length > 0 ? chips : el('span', { class: 'muted', text: 'no records' })
    )
  )
  return section
}

/**
 * @param {ActionAnswer} answer
 * @param {EventJson[]} payload
 */
function batchSection(answer, payload) {
  const rows = (answer.multistatus || []).map((entry, index) => {
    const ok = entry.status >= 200 && entry.status < 300
    const event = payload[index] || {}
    const outcome = ok
      ? entry.status === 202
        ? 'Accepted: Attio applies it asynchronously'
        : 'Delivered'
      : entry.errormessage || entry.errortype || 'Failed'
    return el(
      'tr',
      {},
      el('td', { text: String(index + 1) }),
      el('td', { class: 'mono', text: String(event.userId || event.groupId || event.type || '') }),
      el(
        'td',
        {},
        el('span', { class: `status s-${statusClass(entry.status)}`, text: String(entry.status) })
      ),
      el('td', { class: ok ? 'muted' : 'error-text', text: outcome })
    )
  })
  return el(
    'div',
    { class: 'section' },
    el('h3', {}, 'Events ', el('span', { class: 'count', text: String(rows.length) })),
    el(
      'table',
      { class: 'outcomes' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['#', 'Event', 'Status', 'Outcome'].map((t) => el('th', { scope: 'col', text: t }))
        )
      ),
      el('tbody', {}, rows)
    )
  )
}

/** @param {ActionAnswer} answer */
function batchBanner(answer) {
  const outcomes = answer.multistatus || []
  const meta = `${answer.action} · batch · ${answer.durationMs} ms`
  if (answer.error)
    return banner(
      false,
      'The batch failed',
      answer.error.message,
      `${answer.error.status} · ${answer.durationMs} ms`
    )
  const failed = outcomes.filter((entry) => !(entry.status >= 200 && entry.status < 300))
  if (failed.length > 0)
    return banner(false, `${failed.length} of ${outcomes.length} events failed`, null, meta)
  const accepted = outcomes.filter((entry) => entry.status === 202).length
  const title =
    accepted === outcomes.length
      ? `All ${outcomes.length} events accepted by Attio, which applies them asynchronously`
      : accepted > 0
        ? `All ${outcomes.length} events delivered or accepted (${accepted} applied asynchronously by Attio)`
        : `All ${outcomes.length} events delivered`
  return banner(true, title, null, meta)
}

/** @param {ActionAnswer} answer */
function singleBanner(answer) {
  const records = written(answer)
  const summary = records.map((record) => `${recordLabel(record)} ${record.result}`).join(' · ') || null
  if (answer.ok) {
    const writes = answer.exchanges.filter((exchange) => !isRead(exchange)).length
    const unchanged = records.length > 0 && records.every((record) => record.result === 'unchanged')
    const title =
      writes === 0 || unchanged ? 'Nothing to send: Attio already holds these values' : 'Delivered to Attio'
    return banner(true, title, summary, `${answer.action} · ${answer.durationMs} ms`)
  }
  const error = /** @type {import('./types').Failure} */ (answer.error)
  const problems = error.problems ?? [{ field: error.field ?? '', message: error.message }]
  const shown = problems.map((problem) => showFieldError(problem.field, problem.message)).some(Boolean)
  const fields = [...new Set(problems.map((problem) => problem.field).filter(Boolean))]
  const title = shown
    ? `Check the field${fields.length > 1 ? 's' : ''} ${fields.map((field) => `"${field}"`).join(', ')}`
    : 'The event was not delivered'
  const detail = records.length > 0 ? `${error.message} Written before the error: ${summary}.` : error.message
  return banner(false, title, detail, [error.status, error.code].filter(Boolean).join(' · '))
}

/**
 * Shows an answer in the result panel.
 * @param {ActionAnswer} answer
 * @param {EventJson | EventJson[]} payload
 * @param {string | undefined} warning the trigger's warning, when the event does not match it
 */
export async function renderAnswer(answer, payload, warning) {
  const body = $('#results-body')
  const parts = []
  if (answer.batch) {
    parts.push(batchBanner(answer))
    const first = (answer.multistatus || []).find((entry) => entry.field)
    if (first?.field) showFieldError(first.field, first.errormessage ?? '')
    if (!answer.error) parts.push(batchSection(answer, /** @type {EventJson[]} */ (payload)))
  } else {
    parts.push(singleBanner(answer))
  }
  if (warning) parts.unshift(banner(false, 'Not what a host would send', warning))
  const records = await recordsSection(answer)
  const entries = await entriesSection(answer)
  clear(body)
  body.className = ''
  append(body, parts)
  if (entries) body.appendChild(entries)
  if (records) body.appendChild(records)
  body.appendChild(exchangesSection(answer.exchanges, answer))
}
