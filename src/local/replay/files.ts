/**
 * The files a replay writes besides its checkpoint: the failures file (the failed events exactly as
 * they were, itself replayable) and its reasons file (one JSON line per failed event, line for line).
 *
 * - Names: `x.ndjson` → `x.failures.ndjson`; replaying that → `x.failures-2.ndjson`, then `-3`, … so a
 *   round of fixes never overwrites the round before it.
 * - Line numbers: a reason's `line` is the line in the original events file (`file`), also when a
 *   failures file is replayed: its reasons file, next to it, says where each of its events came from.
 * - Order: failures are appended durably as events finish (out of order when several are in flight)
 *   and sorted by line at the end of every run.
 */
import { existsSync, readFileSync } from 'node:fs'
import { appendDurably, writeAtomically } from '../durable'

/** One line of the reasons file. */
export interface ReasonEntry {
  /** The line of the event in `file`. */
  line: number
  /** The events file `line` refers to (the original one, when a failures file was replayed). */
  file: string
  action?: string
  status: number
  code?: string
  field?: string
  reason: string
  /** The other subscriptions that failed for the same event, when it went to several. */
  alsoFailed?: Array<{ action: string; status: number; code?: string; field?: string; reason: string }>
}

/** Where an event of the file being replayed came from. */
export interface Origin {
  line: number
  file: string
}

const NDJSON = '.ndjson'

export function defaultFailuresFile(file: string): string {
  const base = file.endsWith(NDJSON) ? file.slice(0, -NDJSON.length) : file
  const round = /^(.*)\.failures(?:-(\d+))?$/.exec(base)
  if (round) return `${round[1]}.failures-${(round[2] ? Number(round[2]) : 1) + 1}${NDJSON}`
  return `${base}.failures${NDJSON}`
}

export function reasonsFileFor(failuresFile: string): string {
  return failuresFile.endsWith(NDJSON)
    ? `${failuresFile.slice(0, -NDJSON.length)}.reasons${NDJSON}`
    : `${failuresFile}.reasons${NDJSON}`
}

const nonBlankLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '')

function readReasons(file: string): ReasonEntry[] | undefined {
  if (!existsSync(file)) return undefined
  try {
    const entries = nonBlankLines(readFileSync(file, 'utf8')).map((line) => JSON.parse(line) as ReasonEntry)
    return entries.every((entry) => Number.isInteger(entry.line) && typeof entry.status === 'number')
      ? entries
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The origins of the events of a failures file, by its line numbers, read from its reasons file; empty
 * when the file is not a failures file. `notice` is told when the reasons no longer match the events (the
 * file was edited): line numbers then refer to the file itself.
 */
export function readOrigins(file: string, notice: (line: string) => void): Map<number, Origin> {
  const origins = new Map<number, Origin>()
  const reasonsFile = reasonsFileFor(file)
  const reasons = readReasons(reasonsFile)
  if (!reasons) return origins
  const lines = readFileSync(file, 'utf8').split('\n')
  const numbers = lines.flatMap((text, index) => (text.trim() === '' ? [] : [index + 1]))
  if (numbers.length !== reasons.length) {
    notice(
      `${reasonsFile} lists ${reasons.length} events and ${file} holds ${numbers.length}: line numbers of failures refer to ${file}.`
    )
    return origins
  }
  numbers.forEach((line, index) => {
    const reason = reasons[index]
    origins.set(line, { line: reason.line, file: typeof reason.file === 'string' ? reason.file : file })
  })
  return origins
}

/** The failures file and its reasons file of one replay. */
export class FailureJournal {
  written: boolean

  constructor(
    readonly failuresFile: string,
    readonly reasonsFile: string,
    written: boolean
  ) {
    this.written = written
  }

  /** The event's text, then its reason: both on disk when this returns. */
  append(text: string, reason: ReasonEntry): void {
    appendDurably(this.failuresFile, `${text.trim()}\n`)
    appendDurably(this.reasonsFile, `${JSON.stringify(reason)}\n`)
    this.written = true
  }

  /**
   * Sorts both files by line (the order failures finished in is not the file's order). Left as they are
   * when they do not pair up line for line.
   */
  sort(): void {
    if (!existsSync(this.failuresFile) || !existsSync(this.reasonsFile)) return
    const events = nonBlankLines(readFileSync(this.failuresFile, 'utf8'))
    const reasons = readReasons(this.reasonsFile)
    if (!reasons || reasons.length !== events.length) return
    const order = reasons.map((reason, index) => ({ reason, index }))
    order.sort((a, b) => a.reason.line - b.reason.line || a.index - b.index)
    if (order.every((entry, position) => entry.index === position)) return
    writeAtomically(this.reasonsFile, order.map(({ reason }) => `${JSON.stringify(reason)}\n`).join(''))
    writeAtomically(this.failuresFile, order.map(({ index }) => `${events[index]}\n`).join(''))
  }
}
