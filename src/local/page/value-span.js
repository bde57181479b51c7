// @ts-check
/** How the result shows one value as text (results.js, entries.js). */
import { el } from './dom.js'

/**
 * A value; a record reference ("people 0b0e…-…") is shortened to its object and the id's first part.
 * @param {string} text
 */
export function valueSpan(text) {
  const reference = /^(\S+) ([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(text)
  if (reference) {
    return el('span', { class: 'value reference', title: text }, `→ ${reference[1]} ${reference[2]}…`)
  }
  return el('span', { class: 'value', text })
}
