/**
 * The write memory is bounded by bytes, not only by records (issue 13, section 2): it keeps digests of the
 * values it wrote, never the values. Measured in a child process with --expose-gc, so the heap figure is what
 * stays reachable after a garbage collection.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'

function growth(records: number, size: number): { remembered: number; growthMb: number } {
  const output = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      require.resolve('ts-node/register/transpile-only'),
      path.join(__dirname, 'memory-bound.child.ts')
    ],
    {
      env: {
        ...process.env,
        TS_NODE_PROJECT: path.resolve(__dirname, '../../tsconfig.test.json'),
        RECORDS: String(records),
        SIZE: String(size)
      },
      encoding: 'utf8'
    }
  )
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { remembered: number; growthMb: number }
}

describe('the write memory is bounded by bytes', () => {
  it('remembering 300 more records written with 1 MB text values keeps the heap growth under 30 MB', () => {
    const { remembered, growthMb } = growth(300, 1024 * 1024)
    expect(remembered).toBe(301)
    expect(growthMb).toBeLessThan(30)
  }, 120_000)
})
