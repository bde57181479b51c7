/**
 * The progress output (src/local/progress.ts).
 */
import { Progress, formatDuration } from '../../src/local/progress'

describe('progress', () => {
  const counts = { done: 50, total: 200, delivered: 45, failed: 3, skipped: 2, doneThisRun: 50 }

  it('prints plain lines when stderr is not a terminal', () => {
    const out: string[] = []
    const progress = new Progress({ write: (text: string) => out.push(text), isTTY: false })
    progress.update(counts, true)
    progress.update(counts)
    expect(out).toHaveLength(1)
    expect(out[0]).toMatch(
      /^replay: 50\/200 \(25%\) .*events\/s {2}ETA .* delivered 45 {2}failed 3 {2}skipped 2\n$/
    )
  })

  it('redraws a bar in place on a terminal', () => {
    const out: string[] = []
    const progress = new Progress({ write: (text: string) => out.push(text), isTTY: true, columns: 200 })
    progress.update(counts, true)
    progress.finish({ ...counts, done: 200, doneThisRun: 200 })
    expect(out[0]).toMatch(/^\r.*█.*░.* 50\/200 \(25%\).*ETA/)
    expect(out[out.length - 1]).toBe('\n')
  })

  it('formats durations', () => {
    expect(formatDuration(4_000)).toBe('4s')
    expect(formatDuration(125_000)).toBe('2m05s')
    expect(formatDuration(3_720_000)).toBe('1h02m')
  })
})
