/**
 * npm start (src/local/start.ts): the emulator and the local server on PORT, or the server alone against
 * the Attio (or emulator) that ATTIO_API_URL and ATTIO_API_KEY name; its flags. The routes themselves are in
 * server.test.ts.
 */
import { createServer } from 'node:net'
import { parseStartArgs, startLocal } from '../../src/local/start'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'
import { http, identify, useLocalServer } from './helpers'

const ctx = useEmulator({ rateLimits: true })
const server = useLocalServer(ctx)

/** The part of the server's answer these tests read (server.test.ts has all of it). */
interface Answer {
  ok: boolean
}

const post = async (path: string, body: unknown) => http(`${server().url}${path}`, { body })

describe('npm start', () => {
  it('starts the emulator and the server on PORT, and says clearly when the port is taken', async () => {
    const previous = process.env.ATTIO_API_URL
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const taken = (blocker.address() as { port: number }).port
    try {
      await expect(startLocal({ PORT: String(taken) })).rejects.toThrow(
        `Port ${taken} on 127.0.0.1 is already in use`
      )
      const started = await startLocal({ PORT: '0' })
      try {
        expect(started.emulator).toBeDefined()
        expect(process.env.ATTIO_API_URL).toBe(started.emulator?.url)
        const answer = await http(`${started.server.url}/identifyUser`, {
          body: { payload: identify('user-1', 'ada@example.com') }
        })
        expect((answer.json as Answer).ok).toBe(true)
        expect(started.emulator?.state().users).toHaveLength(1)
      } finally {
        await started.close()
      }
      const real = await startLocal({
        PORT: '0',
        ATTIO_API_KEY: 'key-from-env',
        ATTIO_API_URL: 'https://attio.test/'
      })
      try {
        expect(real.emulator).toBeUndefined()
        expect(real.apiUrl).toBe('https://attio.test')
        expect((await http(`${real.server.url}/_local/info`)).json).toMatchObject({
          target: 'attio',
          apiUrl: 'https://attio.test'
        })
      } finally {
        await real.close()
      }
    } finally {
      process.env.ATTIO_API_URL = previous
      await new Promise((resolve) => blocker.close(resolve))
    }
  })
})

describe('npm start, with one emulator for everything', () => {
  it("takes the embedded emulator's port and seed", async () => {
    const previous = process.env.ATTIO_API_URL
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(`${tmpdir()}/start-seed-`)
    const seed = `${dir}/seed.json`
    writeFileSync(seed, JSON.stringify({ attributes: { people: [{ api_slug: 'karma', type: 'number' }] } }))
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const free = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
    const started = await startLocal({ PORT: '0' }, undefined, { emulatorPort: free, seed })
    try {
      expect(started.emulator?.url).toBe(`http://127.0.0.1:${free}`)
      const keys = (await http(`${started.server.url}/identifyUser/person_attributes.__keys__`, { body: {} }))
        .json as { choices: Array<{ value: string }> }
      expect(keys.choices.map((choice) => choice.value)).toContain('karma')
    } finally {
      await started.close()
      process.env.ATTIO_API_URL = previous
      rmSync(dir, { recursive: true, force: true })
    }
    await expect(
      startLocal({ PORT: '0', ATTIO_API_KEY: 'k' }, undefined, { seed: 'x.json' })
    ).rejects.toThrow(/--emulator-port and --seed are for the embedded emulator/)
    expect(parseStartArgs(['--port', '3001', '--emulator-port=4010', '--seed', 's.json'])).toEqual({
      port: 3001,
      emulatorPort: 4010,
      seed: 's.json'
    })
    expect(() => parseStartArgs(['--emulator-port', 'x'])).toThrow(/not a port number/)
    expect(() => parseStartArgs(['--sed', 'x'])).toThrow(/unknown flag "--sed"/)
  })

  it('shows the records of an emulator started on its own, given by ATTIO_API_URL and ATTIO_API_KEY', async () => {
    const previous = process.env.ATTIO_API_URL
    const started = await startLocal({
      PORT: '0',
      ATTIO_API_KEY: ctx.emulator.apiKey,
      ATTIO_API_URL: ctx.emulator.url
    })
    try {
      expect(started.emulator).toBeUndefined()
      expect((await http(`${started.server.url}/_local/info`)).json).toMatchObject({ target: 'emulator' })
      await http(`${started.server.url}/identifyUser`, {
        body: { payload: identify('user-5', 'five@example.com') }
      })
      const records = (await http(`${started.server.url}/_local/records`)).json as {
        counts: Record<string, number>
      }
      expect(records.counts).toMatchObject({ people: 1, users: 1, projects: 0 })
    } finally {
      await started.close()
      process.env.ATTIO_API_URL = previous
    }
  })

  it('has a custom object to try Assert Record on', async () => {
    const answer = (
      await post('/assertRecord', {
        payload: { type: 'track', event: 'Project Created', properties: { id: 'p-7', name: 'Apollo' } },
        mapping: {
          object: 'projects',
          matching_attribute: 'project_id',
          attributes: { project_id: { '@path': '$.properties.id' }, name: { '@path': '$.properties.name' } }
        }
      })
    ).json as Answer
    expect(answer.ok).toBe(true)
    expect(valuesOf(recordsOf(ctx.emulator, 'projects')[0], 'name', 'value')).toEqual(['Apollo'])
  })
})
