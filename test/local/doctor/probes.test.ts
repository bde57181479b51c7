/**
 * `attio-destination doctor --probe` against the emulator. Every probe must agree with it (the probes'
 * expectations are the emulator's behaviour): that is the CI test, run as a real process. Then the probes
 * in states where they must not agree, and the cases where they must not write at all.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { Readable } from 'node:stream'
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator'
import { run } from '../../../src/local/cli'
import type { DoctorReport, ProbeResult } from '../../../src/local/doctor/types'

const ROOT = path.resolve(__dirname, '../../..')
const PROBES = [
  'bulk-endpoint',
  'nested-array',
  'invalid-assertion',
  'bulk-order',
  'multiselect',
  'retry-after'
]

async function withEmulator<T>(options: EmulatorOptions, use: (emulator: RunningEmulator) => Promise<T>) {
  const emulator = await startEmulator({ port: 0, rateLimits: true, ...options })
  try {
    return await use(emulator)
  } finally {
    await emulator.close()
  }
}

/** The CLI as a user runs it: its own process, from the sources. */
function cliProcess(
  args: string[],
  env: NodeJS.ProcessEnv
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'src/local/cli.ts', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, TS_NODE_PROJECT: 'tsconfig.json' },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}

/** The CLI in this process, with `answer` typed at the confirmation question. */
async function cliWithAnswer(args: string[], env: NodeJS.ProcessEnv, answer?: string) {
  let stdout = ''
  let stderr = ''
  const previousUrl = process.env.ATTIO_API_URL
  try {
    const code = await run(args, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
      env,
      ...(answer === undefined ? {} : { stdin: Readable.from([answer]) })
    })
    return { code, stdout, stderr }
  } finally {
    process.env.ATTIO_API_URL = previousUrl
  }
}

const probe = (report: DoctorReport, id: string): ProbeResult | undefined =>
  report.probes?.find((result) => result.id === id)

const recordCount = (emulator: RunningEmulator): number =>
  Object.values(emulator.state()).reduce((sum, records) => sum + records.length, 0)

describe('attio-destination doctor --probe', () => {
  it('agrees with the emulator on every probe, deletes its test records, and exits 0 (its CI test, as a process)', async () => {
    await withEmulator({}, async (emulator) => {
      const out = await cliProcess(['doctor', '--probe', '--yes', '--json'], {
        ATTIO_API_KEY: emulator.apiKey,
        ATTIO_API_URL: emulator.url
      })
      expect(out.stderr).toBe('')
      const report = JSON.parse(out.stdout) as DoctorReport
      expect(report.probes?.map((result) => [result.id, result.status])).toEqual(
        PROBES.map((id) => [id, 'agrees'])
      )
      for (const result of report.probes ?? []) {
        expect(result.expected).not.toBe('')
        expect(result.advice).toBe('none')
      }
      expect(probe(report, 'retry-after')?.seen).toMatch(
        /Retry-After "\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT"/
      )
      expect(report.cleanup).toEqual({ deleted: 8, left: [] })
      expect(report.ready).toBe(true)
      expect(out.code).toBe(0)
      expect(recordCount(emulator)).toBe(0)
      // It wrote (the test records), and was refused by the limit only in the read burst.
      const stats = emulator.stats()
      expect(stats.writes).toBeGreaterThan(0)
      expect(stats.bulk.dropped).toBe(1)
      expect(out.stdout).not.toContain(emulator.apiKey)
    })
  }, 60_000)

  it('does not agree where the workspace differs: no bulk endpoint, no rate limit; says what to change', async () => {
    await withEmulator({ bulkEndpoint: false, rateLimits: false }, async (emulator) => {
      const out = await cliWithAnswer(['doctor', '--probe', '--yes', '--json'], {
        ATTIO_API_KEY: emulator.apiKey,
        ATTIO_API_URL: emulator.url
      })
      const report = JSON.parse(out.stdout) as DoctorReport
      expect(report.probes?.map((result) => [result.id, result.status])).toEqual([
        ['bulk-endpoint', 'differs'],
        ['nested-array', 'skipped'],
        ['invalid-assertion', 'skipped'],
        ['bulk-order', 'skipped'],
        ['multiselect', 'agrees'],
        ['retry-after', 'differs']
      ])
      expect(probe(report, 'bulk-endpoint')?.seen).toMatch(
        /^404, body .*: there is no bulk endpoint for this token$/
      )
      expect(probe(report, 'bulk-endpoint')?.advice).toMatch(
        /^No setting must change: the batch path falls back/
      )
      expect(probe(report, 'retry-after')?.seen).toBe('no 429 within 300 reads')
      expect(report.ready).toBe(false)
      expect(out.code).toBe(1)
      expect(recordCount(emulator)).toBe(0)
    })
  }, 60_000)
})

describe('attio-destination doctor --probe, when it must not write', () => {
  it('asks before writing, and writes nothing unless the answer is yes', async () => {
    await withEmulator({}, async (emulator) => {
      const env = { ATTIO_API_KEY: emulator.apiKey, ATTIO_API_URL: emulator.url }
      const out = await cliWithAnswer(['doctor', '--probe'], env, 'n\n')
      expect(out.stderr).toBe(
        `--probe writes test records to the Attio workspace "Emulated Workspace" at ${emulator.url}, then deletes them: use a sandbox workspace. Write them? [y/N] `
      )
      expect(out.stdout).toContain(
        '\nProbes: not run: not confirmed (answer y, or give --yes); nothing was written.\n'
      )
      expect(out.code).toBe(1)
      const silent = await cliWithAnswer(['doctor', '--probe'], env)
      expect(silent.code).toBe(1)
      expect(emulator.stats().writes).toBe(0)

      const yes = await cliWithAnswer(['doctor', '--probe', '--json'], env, 'y\n')
      expect((JSON.parse(yes.stdout) as DoctorReport).probes).toHaveLength(PROBES.length)
      expect(emulator.stats().writes).toBeGreaterThan(0)
    })
  }, 60_000)

  it('does not probe with a token that cannot write records', async () => {
    const token = 'emu_read_only_token_for_the_doctor'
    await withEmulator(
      { tokens: [{ token, scopes: ['record_permission:read', 'object_configuration:read'] }] },
      async (emulator) => {
        const out = await cliWithAnswer(['doctor', '--probe', '--yes', '--json'], {
          ATTIO_API_KEY: token,
          ATTIO_API_URL: emulator.url
        })
        const report = JSON.parse(out.stdout) as DoctorReport
        expect(report.probesNotRun).toBe('the token lacks the scopes they need (above); nothing was written')
        expect(report.probes).toBeUndefined()
        expect(out.code).toBe(1)
        expect(emulator.stats().writes).toBe(0)
      }
    )
  })
})
