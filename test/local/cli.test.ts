/**
 * The attio-destination CLI against the emulator: `send` and `replay` run in-process (fast), and one replay
 * as a real process interrupted with SIGINT, then resumed, with every event delivered exactly once.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { readCheckpoint } from '../../src/local/checkpoint'
import { clearWriteMemory } from '../../src/api'
import { recordsOf, useEmulator } from '../helpers/emulator'
import { group, identify, ndjson, runCli as cli, useTempDir } from './helpers'

const ctx = useEmulator({ rateLimits: true })
// The destination remembers what it wrote (to skip unchanged writes); the emulator forgets between tests.
beforeEach(() => clearWriteMemory())
const ROOT = path.resolve(__dirname, '../..')
const temp = useTempDir('local-cli-')
const file = temp.file

const emulatorEnv = () => ({ ATTIO_API_URL: ctx.emulator.url, ATTIO_API_KEY: ctx.emulator.apiKey })

describe('attio-destination send', () => {
  it('prints every exchange with Attio, without the key, and exits 0', async () => {
    const event = file('event.json', identify('user-1', 'ada@example.com', { name: 'Ada Lovelace' }))
    const mapping = file('mapping.json', {
      subscriptions: [
        {
          partnerAction: 'identifyUser',
          subscribe: 'type = "identify"',
          mapping: { person_attributes: { name: { '@path': '$.traits.name' } } }
        }
      ]
    })
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
    const failures = path.join(temp.dir, 'out.ndjson')
    const out = await cli(['replay', events, '--failures', failures], emulatorEnv())
    expect(out.code).toBe(1)
    expect(out.stdout).toContain('3 of 3 events processed')
    expect(out.stdout).toMatch(/delivered 1 \(identifyUser 1\)/)
    expect(out.stdout).toMatch(/failed {4}1\n +1 {2}400 email_address: "…" is not a valid email address/)
    expect(out.stdout).toMatch(/skipped {3}1\n +1 {2}no preset subscribes to type "track"/)
    expect(out.stdout).toContain(`replay ${failures}`)
    expect(readFileSync(failures, 'utf8')).toBe(`${JSON.stringify(identify('u2', 'broken'))}\n`)
    expect(existsSync(path.join(temp.dir, 'out.reasons.ndjson'))).toBe(true)
    expect(out.stderr).toContain('replay: 3/3 (100%)')
  })

  it.each([1, 5])(
    'stops at the first credential refusal (batch size %i): the rest unsent, nothing a failure, --resume delivers',
    async (batchSize) => {
      const lines = Array.from({ length: 40 }, (_, index) => identify(`k${index}`, `k${index}@example.com`))
      const events = file('events.ndjson', lines.map((event) => JSON.stringify(event)).join('\n'))
      const failures = path.join(temp.dir, 'refused.failures.ndjson')
      const wrongKey = 'sk_live_WRONG_key_0123456789'
      const args = ['replay', events, '--failures', failures, '--batch-size', String(batchSize)]
      const sent = () => Object.values(ctx.emulator.stats().requests).reduce((sum, n) => sum + n, 0)
      const before = sent()
      const refused = await cli(args, { ATTIO_API_URL: ctx.emulator.url, ATTIO_API_KEY: wrongKey })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('Stopped: Attio refused the credential')
      expect(refused.stderr).toContain('run again with --resume')
      expect(`${refused.stdout}${refused.stderr}`).not.toContain(wrongKey)
      // Far fewer than 40 requests: the replay stopped instead of failing every event.
      expect(sent() - before).toBeGreaterThan(0)
      expect(sent() - before).toBeLessThan(12)
      expect(existsSync(failures)).toBe(false)
      const checkpoint = readCheckpoint(`${events}.checkpoint`)
      expect(checkpoint?.complete).toBe(false)
      expect(checkpoint?.tallies.failed).toBe(0)

      const resumed = await cli([...args, '--resume'], emulatorEnv())
      expect(resumed.code).toBe(0)
      await ctx.emulator.settle()
      expect(recordsOf(ctx.emulator, 'users')).toHaveLength(40)
    }
  )

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

describe('attio-destination, the details a new user meets', () => {
  it('prints the usage and exits 2 without a command; help prints it and exits 0', async () => {
    const none = await cli([])
    expect(none.code).toBe(2)
    expect(none.stdout).toBe('')
    expect(none.stderr).toContain('Usage: attio-destination <command>')
    const help = await cli(['help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: attio-destination <command>')
  })

  it("a command's --help (and help <command>) prints that command's own usage, not the full one", async () => {
    for (const argv of [
      ['delete', '--help'],
      ['delete', '-h'],
      ['help', 'delete']
    ]) {
      const help = await cli(argv)
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(
        /^Usage: attio-destination delete --user-id <id> \[--scope user\|user_and_person\]/
      )
      expect(help.stdout).toContain('Runs a user deletion request')
      expect(help.stdout).toContain('Credentials:')
      expect(help.stdout).not.toContain('replay <events.ndjson>')
      expect(help.stdout).not.toContain('Commands:')
    }
    const doctor = await cli(['doctor', '--help'])
    expect(doctor.stdout).toMatch(/^Usage: attio-destination doctor /)
    expect(doctor.stdout).not.toContain('delete --user-id')
  })

  it('complains about a missing file before it starts an emulator', async () => {
    // No key in the environment: an emulator would be started for a run that cannot happen.
    const replay = await cli(['replay', path.join(temp.dir, 'missing.ndjson')])
    expect(replay.code).toBe(2)
    expect(replay.stderr).toContain('missing.ndjson does not exist')
    expect(replay.stderr).not.toContain('in-process Attio emulator')
    const events = file('events.ndjson', ndjson([identify('u1', 'one@example.com')]))
    const mapping = await cli(['replay', events, '--mapping', path.join(temp.dir, 'nope.json')])
    expect(mapping.code).toBe(2)
    expect(mapping.stderr).toContain('cannot read the mapping file')
    expect(mapping.stderr).not.toContain('in-process Attio emulator')
    const send = await cli(['send', '--action', 'identifyUser', '--event', path.join(temp.dir, 'e.json')])
    expect(send.code).toBe(2)
    expect(send.stderr).not.toContain('in-process Attio emulator')
  })

  it('writes failures in line order, and replaying them writes the next round with the original lines', async () => {
    const lines = [
      group('ws-ghost', 'ghost.com', 'ghost'), // fails last: its User never comes
      identify('u2', 'not-an-email'), // fails at once, before any request
      identify('u3', 'three@example.com'),
      identify('u4', 'also-broken')
    ]
    const events = file('events.ndjson', ndjson(lines))
    const first = await cli(['replay', events, '--concurrency', '4'], emulatorEnv())
    expect(first.code).toBe(1)
    const failures = path.join(temp.dir, 'events.failures.ndjson')
    const reasonsOf = (name: string) =>
      readFileSync(path.join(temp.dir, name), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { line: number; file: string })
    expect(readFileSync(failures, 'utf8')).toBe(ndjson([lines[0], lines[1], lines[3]]))
    expect(reasonsOf('events.failures.reasons.ndjson').map((r) => [r.line, r.file])).toEqual([
      [1, events],
      [2, events],
      [4, events]
    ])

    // Fix the email of line 2 in the failures file, and send the failures again.
    const fixed = ndjson([lines[0], identify('u2', 'two@example.com'), lines[3]])
    file('events.failures.ndjson', fixed)
    const second = await cli(['replay', failures], emulatorEnv())
    expect(second.code).toBe(1)
    expect(second.stdout).toMatch(/delivered 1 \(identifyUser 1\)/)
    expect(existsSync(path.join(temp.dir, 'events.failures.failures.ndjson'))).toBe(false)
    const next = path.join(temp.dir, 'events.failures-2.ndjson')
    expect(second.stdout).toContain(`attio-destination replay ${next}`)
    expect(readFileSync(next, 'utf8')).toBe(ndjson([lines[0], lines[3]]))
    // The lines of the original events file, not of the failures file.
    expect(reasonsOf('events.failures-2.reasons.ndjson').map((r) => [r.line, r.file])).toEqual([
      [1, events],
      [4, events]
    ])
  })
})
