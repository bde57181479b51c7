/**
 * Dates and timestamps: ISO 8601 text or epoch numbers, read as one instant (UTC when no offset is given).
 */
import { describeType, unwrap } from './input'
import { ValueProblem } from './types'

const ISO_DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/i

/**
 * Epoch numbers below this are seconds, above it milliseconds: 1e11 seconds is the year 5138, 1e11
 * milliseconds is March 1973, so any date a CDP event carries is read the way it was meant.
 */
const EPOCH_SECONDS_BELOW = 1e11

/**
 * Parses ISO 8601 (UTC assumed when no offset is given) or an epoch number (seconds or milliseconds,
 * as a number or a digit string) into a Date.
 */
export function parseInstant(input: unknown): Date {
  const raw = unwrap(input, 'value')
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new ValueProblem('is not a finite epoch number')
    const date = new Date(Math.abs(raw) < EPOCH_SECONDS_BELOW ? raw * 1000 : raw)
    if (Number.isNaN(date.getTime())) throw new ValueProblem('is out of the range of dates')
    return date
  }
  if (typeof raw !== 'string') throw new ValueProblem(`is ${describeType(raw)}, not an ISO 8601 string`)
  const text = raw.trim()
  const match = ISO_DATE_TIME.exec(text)
  if (!match) {
    if (/^\d{9,13}$/.test(text)) return parseInstant(Number(text))
    throw new ValueProblem('is not an ISO 8601 date or time')
  }
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', fraction = '0'] = match
  const offset = match[8]
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3))
  let time = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    ms
  )
  const check = new Date(time)
  if (
    check.getUTCFullYear() !== Number(year) ||
    check.getUTCMonth() !== Number(month) - 1 ||
    check.getUTCDate() !== Number(day) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  ) {
    throw new ValueProblem('is not a real calendar date or time')
  }
  if (offset && offset.toUpperCase() !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1
    const digits = offset.slice(1).replace(':', '')
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000
  }
  return new Date(time)
}
