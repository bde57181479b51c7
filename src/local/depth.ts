/**
 * Events whose mapped values are nested too deeply for actions-core. Its mapping kit resolves an action's
 * mapping and walks the result recursively (`removeUndefined`) before any destination code runs, so a mapped
 * value nested a few thousand levels deep overflows the stack there: a bare RangeError for the event, and for
 * every event of its batch. A host can only refuse such an event before handing it over; this is how the
 * hosts of this package (CLI, local server, replay) do it, event by event.
 */
import { PayloadValidationError, transform, type JSONObject } from '@segment/actions-core'
import { deepest } from '../api'

/** Events nested deeper than this have their mapping resolved once first, to see whether actions-core can. */
const CHECK_BEYOND = 256

// By name: an error of another realm (a VM context) is no `instanceof RangeError`.
const isStackOverflow = (error: unknown) =>
  (error as Error | null)?.name === 'RangeError' && /call stack/i.test((error as Error).message)

/**
 * The error for an event actions-core could not resolve this mapping on, naming the mapping field; undefined
 * for every other event (nearly all of them: only events nested more than 256 levels are resolved here).
 */
export function unresolvable(
  mapping: JSONObject,
  event: Record<string, unknown>
): PayloadValidationError | undefined {
  if (deepest(event, CHECK_BEYOND + 1).depth <= CHECK_BEYOND) return undefined
  // actions-core's events are JSON objects; the type says so, the value is the event as given.
  const data = event as JSONObject
  try {
    transform(mapping, data)
    return undefined
  } catch (error) {
    if (!isStackOverflow(error)) return undefined
  }
  const field =
    Object.keys(mapping).find((key) => {
      try {
        transform({ [key]: mapping[key] }, data)
        return false
      } catch (error) {
        return isStackOverflow(error)
      }
    }) ?? 'mapping'
  const { depth, path } = deepest(event)
  const where = `${path.join('.')}${path.length >= 6 ? '…' : ''}`
  return new PayloadValidationError(
    `${field}: the event holds a value nested ${depth.toLocaleString('en-US')} levels deep (at ${where}), more than actions-core can resolve, and no Attio attribute takes a value nested like that. The event was not sent.`
  )
}
