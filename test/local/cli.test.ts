/**
 * The attio-destination CLI against the emulator: `send` and `replay` run in-process (fast), and one replay
 * as a real process interrupted with SIGINT, then resumed, with every event delivered exactly once.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readCheckpoint } from '../../src/local/checkpoint'
import { run } from '../../src/local/cli'
import { clearWriteMemory } from '../../src/api'
import { recordsOf, useEmulator } from '../helpers/emulator'
import { identify } from './helpers'

const ctx = useEmulator({ rateLimits: true })
// The destination remembers what it wrote (to skip unchanged writes); the emulator forgets between tests.
beforeEach(() => clearWriteMemory())
const ROOT = path.resolve(__dirname, '../..')

let dir: string
let previousUrl: string | undefined
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'local-cli-'))
  previousUrl = process.env.ATTIO_API_URL
})
afterEach(() => {
  // The CLI points ATTIO_API_URL at the Attio it talks to.
  process.env.ATTIO_API_URL = previousUrl
  rmSync(dir, { recursive: true, force: true })
})

function file(name: string, content: unknown): string {
  const target = path.join(dir, name)
  writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content))
  return target
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = ''
  let stderr = ''
  const code = await run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env
  })
  return { code, stdout, stderr }
}

const emulatorEnv = () => ({ ATTIO_API_URL: ctx.emulator.url, ATTIO_API_KEY: ctx.emulator.apiKey })

describe('attio-destination send', () => {
  it('prints every exchange with Attio, without the key, and exits 0', async () => {
    const event = file('event.json', identify('user-1', 'ada@example.com', { name: 'Ada Lovelace' }))
    const mapping = file('mapping.json', { person_attributes: { name: { '@path': '$.traits.name' } } })
    const out = await cli(
      ['send', '--action', 'identifyUser', '--event', event, '--mapping', mapping],
      emulatorEnv()
    )
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/^identifyUser: ok in \d+ ms, \d+ HTTP exchanges with Attio/)
    expect(out.stdout).toContain(
      `PUT   ${ctx.emulator.url}/v2/objects/people/records?matching_attribute=email_addresses  → 200`
    )
    expect(out.stdout).toContain('"full_name":"Ada Lovelace"')
    expect(out.stdout).not.toContain(ctx.emulator.apiKey)
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(1)
  })

  it('exits 1 with the error and its field when the action fails', async () => {
    const event = file('event.json', identify('user-1', 'not-an-email'))
    const out = await cli(['send', '--action', 'identifyUser', '--event', event], emulatorEnv())
    expect(out.code).toBe(1)
    expect(out.stdout).toContain('error: 400 PAYLOAD_VALIDATION_FAILED (field email_address): email_address:')
  })

  it('uses the key of a settings file, and prints JSON with --json', async () => {
    const event = file('event.json', [identify('u1', 'one@example.com'), identify('u2', 'two@example.com')])
    const settings = file('settings.json', { api_key: ctx.emulator.apiKey, api_url: ctx.emulator.url })
    const out = await cli([
      'send',
      '--action',
      'identifyUser',
      '--event',
      event,
      '--settings',
      settings,
      '--json'
    ])
    expect(out.code).toBe(0)
    const answer = JSON.parse(out.stdout) as { batch: boolean; multistatus: Array<{ status: number }> }
    expect(answer.batch).toBe(true)
    expect(answer.multistatus.map((entry) => entry.status)).toEqual([202, 202])
    expect(out.stdout).not.toContain(ctx.emulator.apiKey)
  })

  it('starts an in-process emulator when there is no key, and says so on stderr', async () => {
    const event = file('event.json', identify('user-1', 'ada@example.com'))
    const out = await cli(['send', '--action', 'identifyUser', '--event', event])
    expect(out.code).toBe(0)
    expect(out.stderr).toContain('No Attio credential')
    expect(out.stderr).toContain('using an in-process Attio emulator')
    // Not the test's emulator.
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(0)
  })

  it('exits 2 on a usage error', async () => {
    expect((await cli(['send', '--event', 'x.json'])).code).toBe(2)
    const unknown = await cli(['send', '--action', 'nope', '--event', file('e.json', {})], emulatorEnv())
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('the actions are identifyUser, groupWorkspace, assertRecord')
  })
})

describe('attio-destination replay', () => {
  it('prints a summary, writes the failures, and exits 1 when an event failed', async () => {
    const events = file(
      'events.ndjson',
      [identify('u1', 'one@example.com'), identify('u2', 'broken'), { type: 'track', event: 'x' }]
        .map((event) => JSON.stringify(event))
        .join('\n')
    )
    const failures = path.join(dir, 'out.ndjson')
    const out = await cli(['replay', events, '--failures', failures], emulatorEnv())
    expect(out.code).toBe(1)
    expect(out.stdout).toContain('3 of 3 events processed')
    expect(out.stdout).toMatch(/delivered 1 \(identifyUser 1\)/)
    expect(out.stdout).toMatch(/failed {4}1\n +1 {2}400 email_address: "…" is not a valid email address/)
    expect(out.stdout).toMatch(/skipped {3}1\n +1 {2}no preset subscribes to type "track"/)
    expect(out.stdout).toContain(`replay ${failures}`)
    expect(readFileSync(failures, 'utf8')).toBe(`${JSON.stringify(identify('u2', 'broken'))}\n`)
    expect(existsSync(path.join(dir, 'out.reasons.ndjson'))).toBe(true)
    expect(out.stderr).toContain('replay: 3/3 (100%)')
  })

  it('stops on SIGINT after the events in flight, and --resume delivers the rest: each event exactly once', async () => {
    const count = 40
    const events = file(
      'events.ndjson',
      Array.from({ length: count }, (_, i) =>
        JSON.stringify(identify(`user-${i}`, `user${i}@example.com`))
      ).join('\n')
    )
    const checkpoint = `${events}.checkpoint`
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/local/cli.ts', 'replay', events],
      {
        cwd: ROOT,
        env: { ...process.env, ...emulatorEnv(), TS_NODE_PROJECT: 'tsconfig.json' },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()))
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))

    // Interrupt once a few events are through.
    const deadline = Date.now() + 25_000
    for (;;) {
      const delivered = existsSync(checkpoint) ? (readCheckpoint(checkpoint)?.tallies.delivered ?? 0) : 0
      if (delivered >= 4) break
      if (Date.now() > deadline) throw new Error(`the replay did not start: ${stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr).toContain('SIGINT: finishing the events in flight and writing the checkpoint')
    expect(stdout).toContain('interrupted')
    expect(stdout).toContain('--resume')

    const stopped = readCheckpoint(checkpoint)
    expect(stopped?.complete).toBe(false)
    const deliveredBefore = stopped?.tallies.delivered ?? 0
    expect(deliveredBefore).toBeLessThan(count)
    // Every event the checkpoint counts is in Attio, and nothing else was sent.
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(deliveredBefore)

    const resumed = await cli(['replay', events, '--resume'], emulatorEnv())
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toContain(
      `${count} of ${count} events processed (${deliveredBefore} by earlier runs)`
    )
    expect(readCheckpoint(checkpoint)?.complete).toBe(true)

    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(count)
    const stats = ctx.emulator.stats()
    // Two writes per event (Person, User) across both runs: no event was sent twice (a 429 is never applied),
    // and the resumed run waited for the interrupted run's last second to pass, so none was rate-limited.
    expect(stats.requests['PUT /v2/objects/{object}/records'] - stats.rateLimited).toBe(2 * count)
    expect(stats.rateLimited).toBe(0)
  }, 40_000)

  it.each([
    ['cut off mid-write', '{"version": 1, "file": "events.ndjson", "completedBel'],
    ['not JSON at all', '\u0000\u0000\u0000'],
    ['JSON, but no checkpoint', '{"version": 1, "completedBelow": "three", "completedAbove": null}'],
    ['JSON of another kind', '[1, 2, 3]']
  ])(
    'a damaged checkpoint (%s): names the file, says what to do, exits 2, sends nothing',
    async (_name, text) => {
      const events = file('events.ndjson', JSON.stringify(identify('u1', 'one@example.com')))
      const checkpoint = file('events.ndjson.checkpoint', text)
      for (const argv of [
        ['replay', events],
        ['replay', events, '--resume']
      ]) {
        const out = await cli(argv, emulatorEnv())
        expect(out.code).toBe(2)
        expect(out.stderr).toContain(checkpoint)
        expect(out.stderr).toMatch(/damaged/)
        expect(out.stderr).toMatch(/delete it to start over/i)
        expect(out.stderr).not.toMatch(/SyntaxError|at JSON\.parse/)
      }
      expect(recordsOf(ctx.emulator, 'users')).toHaveLength(0)
      // Left as it was, for the user to look at.
      expect(readFileSync(checkpoint, 'utf8')).toBe(text)
    }
  )
})
