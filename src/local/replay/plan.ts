/** What a replay reads and writes, checked before it starts; and the lines of its events file. */
import { createReadStream, existsSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { DamagedCheckpointError, fingerprint, readCheckpoint, type CheckpointData } from '../checkpoint'
import { defaultFailuresFile, reasonsFileFor } from './files'

export class ReplayUsageError extends Error {}

/** The files of a replay and the checkpoint it continues, once checked. */
export interface ReplayPlan {
  file: string
  checkpointFile: string
  failuresFile: string
  reasonsFile: string
  /** The checkpoint resumed, when resuming one. */
  previous?: CheckpointData
  print: { size: number; headHash: string }
}

/**
 * Checks what a replay would read and write before anything starts (the CLI calls it before it starts
 * an emulator): the events file exists, the failures file is not it, and the checkpoint allows the run.
 */
export function checkReplay(options: {
  file: string
  failuresFile?: string
  checkpointFile?: string
  resume?: boolean
}): ReplayPlan {
  const file = options.file
  if (!existsSync(file)) throw new ReplayUsageError(`${file} does not exist.`)
  const checkpointFile = options.checkpointFile ?? `${file}.checkpoint`
  const failuresFile = options.failuresFile ?? defaultFailuresFile(file)
  const reasonsFile = reasonsFileFor(failuresFile)
  if (path.resolve(failuresFile) === path.resolve(file) || path.resolve(reasonsFile) === path.resolve(file)) {
    throw new ReplayUsageError('The failures file must not be the events file.')
  }
  const print = fingerprint(file)
  const previous = readCheckpointOrExplain(checkpointFile, file)
  if (options.resume && previous) {
    if (previous.size !== print.size || previous.headHash !== print.headHash) {
      throw new ReplayUsageError(
        `${file} changed since ${checkpointFile} was written (size ${previous.size} → ${print.size}): resuming could skip or repeat events. Delete the checkpoint to start over.`
      )
    }
    return { file, checkpointFile, failuresFile, reasonsFile, previous, print }
  }
  if (previous && !previous.complete && !options.resume) {
    throw new ReplayUsageError(
      `${checkpointFile} is the checkpoint of an interrupted replay of ${file}: pass --resume to continue it, or delete it to start over (events already delivered would be sent again).`
    )
  }
  return { file, checkpointFile, failuresFile, reasonsFile, print }
}

export async function* linesOf(file: string): AsyncGenerator<{ line: number; text: string }> {
  const reader = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  let line = 0
  try {
    for await (const text of reader) {
      line += 1
      yield { line, text }
    }
  } finally {
    reader.close()
  }
}

/** The checkpoint; a damaged one is a usage error (exit 2) naming the file and what to do, never a crash. */
function readCheckpointOrExplain(checkpointFile: string, file: string): CheckpointData | undefined {
  try {
    return readCheckpoint(checkpointFile)
  } catch (error) {
    if (!(error instanceof DamagedCheckpointError)) throw error
    throw new ReplayUsageError(
      `${error.message}, so it cannot tell which events of ${file} were delivered. Delete it to start over (events delivered before would be sent again; that is safe, since every write is a create-or-update), or restore it from a copy and pass --resume. It was left as it is.`
    )
  }
}
