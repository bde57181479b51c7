import { spawn } from 'node:child_process'
import { resolve } from 'node:path'

import { parseCliArgs } from '../../src/emulator/cli-args'

describe('CLI flags', () => {
  test('defaults: rate limits on, no faults', () => {
    expect(parseCliArgs([])).toEqual({ options: { rateLimits: true }, quiet: false, help: false })
  })

  test('every flag', () => {
    const args = parseCliArgs([
      '--port',
      '4010',
      '--no-rate-limits',
      '--seed',
      's.json',
      '--spec=o.json',
      '--faults',
      '0.2',
      '--fault-seed',
      '7',
      '--fault-kinds',
      '500,reset',
      '--hang-ms',
      '100',
      '--no-bulk',
      '--bulk-delay-ms',
      '5',
      '--deactivate',
      'users,deals',
      '--token',
      'tok',
      '--quiet'
    ])
    expect(args).toEqual({
      token: 'tok',
      quiet: true,
      help: false,
      options: {
        port: 4010,
        rateLimits: false,
        seed: 's.json',
        spec: 'o.json',
        faults: { seed: 7, rate: 0.2, kinds: ['500', 'reset'], hangMs: 100 },
        bulkEndpoint: false,
        bulkDelayMs: 5,
        objects: { users: false, deals: false }
      }
    })
  })

  test('bad flags are refused', () => {
    expect(() => parseCliArgs(['--port'])).toThrow(/needs a value/)
    expect(() => parseCliArgs(['--faults', '2'])).toThrow(/between 0 and 1/)
    expect(() => parseCliArgs(['--deactivate', 'people'])).toThrow(/not one of/)
    expect(() => parseCliArgs(['--fault-kinds', 'boom'])).toThrow(/unknown kind/)
    expect(() => parseCliArgs(['--wat'])).toThrow(/unknown flag/)
  })
})

describe('CLI process', () => {
  test('prints exactly two eval-able lines on stdout, serves, and closes cleanly on SIGTERM', async () => {
    const root = resolve(__dirname, '../..')
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        'src/emulator/cli.ts',
        '--port',
        '0',
        '--token',
        'cli-token',
        '--quiet'
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    try {
      await new Promise<void>((resolveLines, reject) => {
        const timer = setTimeout(() => reject(new Error(`CLI did not start: ${stderr}`)), 20_000)
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString()
          if (stdout.split('\n').length > 2) {
            clearTimeout(timer)
            resolveLines()
          }
        })
      })
      const lines = stdout.split('\n').filter(Boolean)
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatch(/^ATTIO_API_URL=http:\/\/127\.0\.0\.1:\d+$/)
      expect(lines[1]).toBe('ATTIO_API_KEY=cli-token')
      const url = lines[0].slice('ATTIO_API_URL='.length)
      const self = await fetch(`${url}/v2/self`, { headers: { authorization: 'Bearer cli-token' } })
      expect(self.status).toBe(200)
      expect(stderr).toContain('listening on')
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(2)
  })
})
