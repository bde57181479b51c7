/** Dates and timestamps: ISO 8601 input, written as Attio stores it (UTC, nanosecond fraction). */
import { fail, ok, type Parsed } from './parsed'

const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/i

interface IsoParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  fraction: string
  offsetMinutes: number | null
  hasTime: boolean
}

function parseIso(input: string): Parsed<IsoParts> {
  const m = ISO.exec(input.trim())
  if (!m) return fail(`"${input}" is not an ISO 8601 date or timestamp.`)
  const [, y, mo, d, h, mi, s, frac, tz] = m
  const parts: IsoParts = {
    year: Number(y),
    month: mo ? Number(mo) : 1,
    day: d ? Number(d) : 1,
    hour: h ? Number(h) : 0,
    minute: mi ? Number(mi) : 0,
    second: s ? Number(s) : 0,
    fraction: (frac ?? '').padEnd(9, '0'),
    offsetMinutes: null,
    hasTime: h !== undefined
  }
  if (tz && tz.toUpperCase() !== 'Z') {
    const tm = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz) as RegExpExecArray
    const minutes = Number(tm[2]) * 60 + Number(tm[3] ?? 0)
    if (Number(tm[2]) > 23 || Number(tm[3] ?? 0) > 59)
      return fail(`"${input}" has an invalid time zone offset.`)
    parts.offsetMinutes = tm[1] === '-' ? -minutes : minutes
  } else if (tz) parts.offsetMinutes = 0
  const daysInMonth = new Date(Date.UTC(parts.year, parts.month, 0)).getUTCDate()
  if (parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.day > daysInMonth)
    return fail(`"${input}" is not a valid calendar date.`)
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 59)
    return fail(`"${input}" is not a valid time of day.`)
  return ok(parts)
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** The UTC instant (whole seconds) of parsed ISO parts, UTC assumed when no offset is given. */
const utcSeconds = (p: IsoParts): Date =>
  new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (p.offsetMinutes ?? 0) * 60_000)

/** `YYYY-MM-DD`; time parts trimmed, but an offset that changes the UTC calendar date is applied first. */
export function parseDate(input: string): Parsed<string> {
  const r = parseIso(input)
  if (!r.ok) return r
  const p = r.value
  if (p.hasTime && p.offsetMinutes !== null) {
    const d = utcSeconds(p)
    return ok(`${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`)
  }
  return ok(`${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`)
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` in UTC; UTC assumed when no offset is given. */
export function parseTimestamp(input: string): Parsed<string> {
  const r = parseIso(input)
  if (!r.ok) return r
  const d = utcSeconds(r.value)
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  return ok(`${date}T${time}.${r.value.fraction}Z`)
}
