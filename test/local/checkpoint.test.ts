/**
 * Replay's checkpoint (src/local/checkpoint.ts): the line set, written atomically, read back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  CompletedLines,
  readCheckpoint,
  writeCheckpointAtomically,
  emptyTallies
} from '../../src/local/checkpoint'

describe('checkpoint', () => {
  it('keeps a watermark and the lines finished beyond it', () => {
    const lines = new CompletedLines()
    lines.add(2)
    lines.add(3)
    expect(lines.completedBelow).toBe(1)
    expect(lines.has(2)).toBe(true)
    expect(lines.has(1)).toBe(false)
    lines.add(1)
    expect(lines.completedBelow).toBe(4)
    expect(lines.completedAbove).toEqual([])
    const resumed = new CompletedLines(4, [6, 4, 5, 9])
    expect(resumed.completedBelow).toBe(7)
    expect(resumed.completedAbove).toEqual([9])
  })

  it('is written atomically and read back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'local-checkpoint-'))
    try {
      const file = path.join(dir, 'events.ndjson.checkpoint')
      const data = {
        version: 1 as const,
        file: 'events.ndjson',
        size: 10,
        headHash: 'h',
        completedBelow: 5,
        completedAbove: [7],
        tallies: emptyTallies(),
        complete: false,
        updatedAt: new Date(0).toISOString()
      }
      writeCheckpointAtomically(file, data)
      expect(readCheckpoint(file)).toEqual(data)
      expect(JSON.parse(readFileSync(file, 'utf8')).completedBelow).toBe(5)
      expect(readCheckpoint(path.join(dir, 'missing'))).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
