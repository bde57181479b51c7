/**
 * The replay checkpoint: which lines of the events file are finished (delivered, failed and written to
 * the failures file, or skipped) and the tallies so far. Written atomically (temporary file, fsync,
 * rename) after every finished event or batch, so an interrupted replay resumes exactly where it stopped.
 */
import { createHash } from 'node:crypto'
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { writeAtomically } from './durable'
import { z } from 'zod'

export interface Tallies {
  delivered: number
  failed: number
  skipped: number
  /** Delivered events per action. */
  deliveredByAction: Record<string, number>
  /** Failed events per reason (messages with quoted values elided). */
  failureReasons: Record<string, number>
  skipReasons: Record<string, number>
  /** Events sent again after a retryable failure (429, 5xx, time-out), each time it was. */
  retries: number
  /** Events sent once more at the end of the file because they were answered 404 (see replay/deliver.ts). */
  deferred: number
  /** 429 answers seen in the exchanges. */
  rateLimited: number
}

export interface CheckpointData {
  version: 1
  /** The events file, as given. */
  file: string
  /** Its size and the hash of its first 64 KiB when the replay started: a changed file is not resumed. */
  size: number
  headHash: string
  /** Every line numbered below this one (1-based) is finished. */
  completedBelow: number
  /** Finished lines at or above `completedBelow` (events finished out of order). */
  completedAbove: number[]
  tallies: Tallies
  complete: boolean
  updatedAt: string
}

export const emptyTallies = (): Tallies => ({
  delivered: 0,
  failed: 0,
  skipped: 0,
  deliveredByAction: {},
  failureReasons: {},
  skipReasons: {},
  retries: 0,
  deferred: 0,
  rateLimited: 0
})

/** Size and head hash of a file, to tell whether it changed. */
export function fingerprint(file: string): { size: number; headHash: string } {
  const size = statSync(file).size
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(Math.min(size, 64 * 1024))
    readSync(fd, head, 0, head.length, 0)
    return { size, headHash: createHash('sha256').update(head).digest('hex') }
  } finally {
    closeSync(fd)
  }
}

const counts = z.record(z.string(), z.number())
const checkpointFile = z.object({
  version: z.literal(1),
  file: z.string(),
  size: z.number().int().nonnegative(),
  headHash: z.string(),
  completedBelow: z.number().int().positive(),
  completedAbove: z.array(z.number().int().positive()),
  tallies: z
    .object({
      delivered: z.number(),
      failed: z.number(),
      skipped: z.number(),
      deliveredByAction: counts,
      failureReasons: counts,
      skipReasons: counts,
      retries: z.number(),
      rateLimited: z.number()
    })
    .partial(),
  complete: z.boolean(),
  updatedAt: z.string()
})

/** A checkpoint that cannot be read as one: which lines were delivered is unknown. */
export class DamagedCheckpointError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string
  ) {
    super(`${path} is ${problem}`)
  }
}

/** The checkpoint at `path`, or undefined when there is none; a damaged one is a `DamagedCheckpointError`. */
export function readCheckpoint(path: string): CheckpointData | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined
    throw new DamagedCheckpointError(path, `unreadable (${(error as Error).message})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new DamagedCheckpointError(path, 'damaged: it is not valid JSON (cut off, or overwritten)')
  }
  const parsed = checkpointFile.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new DamagedCheckpointError(
      path,
      `damaged, or not a replay checkpoint this version understands (${issue?.message ?? 'invalid'}${where})`
    )
  }
  return { ...parsed.data, tallies: { ...emptyTallies(), ...parsed.data.tallies } }
}

/** Writes the checkpoint so that a reader sees the old or the new version, never a partial one. */
export function writeCheckpointAtomically(path: string, data: CheckpointData): void {
  writeAtomically(path, `${JSON.stringify(data, null, 2)}\n`)
}

/** The finished lines: a watermark plus the few finished beyond it. */
export class CompletedLines {
  private below: number
  private readonly above: Set<number>

  constructor(completedBelow = 1, completedAbove: readonly number[] = []) {
    this.below = completedBelow
    this.above = new Set(completedAbove)
    this.advance()
  }

  has(line: number): boolean {
    return line < this.below || this.above.has(line)
  }

  add(line: number): void {
    if (line >= this.below) this.above.add(line)
    this.advance()
  }

  private advance(): void {
    while (this.above.has(this.below)) {
      this.above.delete(this.below)
      this.below += 1
    }
  }

  get completedBelow(): number {
    return this.below
  }

  get completedAbove(): number[] {
    return [...this.above].sort((a, b) => a - b)
  }
}
