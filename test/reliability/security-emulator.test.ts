/**
 * Security checks that need real sockets: the emulator listens on 127.0.0.1 only, and two workspaces
 * (two emulators behind the same token) never share a cached schema or remembered writes.
 */
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../src'
import { clearSchemaCache, clearWriteMemory } from '../../src/api'
import { startEmulator, type RunningEmulator } from '../../src/emulator'
import { recordsOf } from '../helpers/emulator'

/** Resolves with "connected" or the error code of a TCP connection attempt. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve('timeout')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

/** Every address of this machine but 127.0.0.1, plus another loopback address (127.0.0.2). */
function otherAddresses(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((info) => info !== undefined)
    // Link-local IPv6 addresses need a zone id to be dialled at all.
    .filter((info) => !info.address.startsWith('fe80:'))
    .map((info) => info.address)
    .filter((address) => address !== '127.0.0.1')
  return [...new Set(['127.0.0.2', ...addresses])]
}

describe('the emulator listens on 127.0.0.1 only', () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 })
  })
  afterAll(() => emulator.close())

  it('is bound to 127.0.0.1, and refuses connections to every other local address', async () => {
    const url = new URL(emulator.url)
    expect(url.hostname).toBe('127.0.0.1')
    const port = Number(url.port)
    expect(await tryConnect('127.0.0.1', port)).toBe('connected')
    const others = otherAddresses()
    expect(others.length).toBeGreaterThan(0)
    const results = await Promise.all(
      others.map(async (address) => [address, await tryConnect(address, port)])
    )
    for (const [address, result] of results) {
      expect({ address, result }).toEqual({ address, result: expect.not.stringMatching(/^connected$/) })
    }
    // At least the other loopback address is refused outright (nothing listens there).
    expect(Object.fromEntries(results)['127.0.0.2']).toBe('ECONNREFUSED')
  })
})

describe('two workspaces behind one token (two emulators)', () => {
  const token = 'shared_workspace_token_for_isolation_test'
  const scopes = ['record_permission:read-write', 'object_configuration:read']
  let withPlan: RunningEmulator
  let withoutPlan: RunningEmulator
  let previousUrl: string | undefined

  beforeAll(async () => {
    previousUrl = process.env.ATTIO_API_URL
    withPlan = await startEmulator({ port: 0, tokens: [{ token, scopes }] })
    withoutPlan = await startEmulator({
      port: 0,
      tokens: [{ token, scopes }],
      seed: { attributes: {}, members: [] }
    })
  })
  beforeEach(() => {
    clearSchemaCache()
    clearWriteMemory()
    withPlan.reset()
    withoutPlan.reset()
  })
  afterAll(async () => {
    if (previousUrl === undefined) delete process.env.ATTIO_API_URL
    else process.env.ATTIO_API_URL = previousUrl
    await Promise.all([withPlan.close(), withoutPlan.close()])
  })

  const identify = (on: RunningEmulator, mapping = {}) => {
    process.env.ATTIO_API_URL = on.url
    return createTestIntegration(destination).testAction('identifyUser', {
      event: createTestEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com' } }),
      settings: { api_key: token },
      mapping,
      useDefaultMappings: true
    })
  }

  it('a schema cached for one is never used for the other', async () => {
    const mapping = { user_attributes: { plan: 'Pro' } }
    await identify(withPlan, mapping)
    await expect(identify(withoutPlan, mapping)).rejects.toThrow(/users object has no attribute "plan"/)
    await identify(withPlan, mapping)
    expect(recordsOf(withPlan, 'users')).toHaveLength(1)
    expect(recordsOf(withoutPlan, 'users')).toHaveLength(0)
  })

  it('write fingerprints are isolated per credential and workspace: a write remembered for one is sent to the other', async () => {
    await identify(withPlan)
    const writes = withPlan.stats().writes
    await identify(withPlan) // remembered: nothing sent
    expect(withPlan.stats().writes).toBe(writes)
    await identify(withoutPlan) // the same token and record, another workspace: written
    expect(recordsOf(withoutPlan, 'users')).toHaveLength(1)
    expect(recordsOf(withoutPlan, 'people')).toHaveLength(1)
  })
})
