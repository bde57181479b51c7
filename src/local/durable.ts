/**
 * Writes that survive a crash: an append flushed to the disk before it returns, and a replacement that a
 * reader sees whole or not at all (a temporary file, flushed, then renamed over the old one).
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'

function writeFlushed(file: string, text: string, flags: 'a' | 'w'): void {
  const fd = openSync(file, flags)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Appends and flushes to the disk, so that a checkpoint written afterwards never gets ahead of it. */
export function appendDurably(file: string, text: string): void {
  writeFlushed(file, text, 'a')
}

/** Replaces the file so that a reader sees the old or the new version, never a partial one. */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`
  writeFlushed(temporary, text, 'w')
  renameSync(temporary, file)
}
