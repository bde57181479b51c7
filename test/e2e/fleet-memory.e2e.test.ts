/**
 * End to end, fleet mode's shared write memory (issue 19) against the emulator and a real redis-server: two
 * "workers" in one process, each with its own in-process memory (swapped in before it runs) and its own
 * connection to Redis (worker B's through a TCP proxy that can cut it alone off).
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../src'
import { clearWriteMemory, sharedWrites, type SharedWriteMemory } from '../../src/api/suppression'
import { shared } from '../../src/api/suppression/stores'
import { sharedWriteMemory } from '../../src/api/state'
import { RedisState } from '../../src/api/state/redis'
import { SharedMemory } from '../../src/api/state/shared-memory'
import { useEmulator } from '../helpers/emulator'
import { freePort, useSharedRedis } from '../helpers/redis'

const ctx = useEmulator()
const redis = useSharedRedis(clearWriteMemory)

const WRITES = 'PUT /v2/objects/{object}/records'
const writes = () => ctx.emulator.stats().requests[WRITES] ?? 0
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A TCP proxy to the redis-server that can be cut (every connection closed, none accepted) and restored. */
class Proxy {
  private server?: Server
  private readonly sockets = new Set<Socket>()
  constructor(
    readonly port: number,
    private readonly target: number
  ) {}
  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1')
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
        socket.on('error', () => socket.destroy())
      }
      client.pipe(upstream).pipe(client)
    })
    this.server = server
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve))
  }
  async down(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    const server = this.server
    this.server = undefined
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }
}

interface Worker {
  stores: typeof shared.stores
  memory: SharedWriteMemory & { idle(): Promise<void> }
}

/** A worker: its own in-process memory, its own shared memory (connection). */
function worker(memory: Worker['memory']): Worker {
  clearWriteMemory()
  return { stores: shared.stores, memory }
}

/** Runs one Identify User as the worker (its memories in place), and waits for its Redis commands. */
async function identify(as: Worker, plan: string): Promise<void> {
  shared.stores = as.stores
  sharedWrites.memory = as.memory
  await createTestIntegration(destination).testAction('identifyUser', {
    event: createTestEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com', plan } }),
    settings: ctx.settings,
    useDefaultMappings: true,
    mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
  })
  await as.memory.idle()
}

const planOf = () =>
  (ctx.emulator.state() as unknown as Record<string, Array<{ values: Record<string, unknown[]> }>>).users[0]
    ?.values.plan

describe('fleet mode: the shared write memory', () => {
  let proxy: Proxy
  let stateB: RedisState
  let a: Worker
  let b: Worker

  beforeEach(async () => {
    proxy = new Proxy(await freePort(), redis.server.port)
    await proxy.up()
    stateB = new RedisState(`redis://127.0.0.1:${proxy.port}`, () => undefined)
    expect(await stateB.ready()).toBe(true)
    a = worker(sharedWriteMemory() as SharedMemory)
    b = worker(new SharedMemory(stateB))
  })
  afterEach(async () => {
    await stateB.close()
    await proxy.down()
  })

  it('skips a write another worker made with the same values, and sends one with other values', async () => {
    await identify(a, 'Pro')
    const before = writes()
    expect(before).toBe(2)
    await identify(b, 'Pro')
    // The Person and the User: both skipped at B, which had never written them.
    expect(writes()).toBe(before)
    await identify(b, 'Enterprise')
    expect(writes()).toBeGreaterThan(before)
  })

  /** A remembers "Pro" (in its memory and in Redis); B, cut off from Redis, writes "Enterprise"; B is back. */
  async function writtenWhileCutOff(): Promise<void> {
    await identify(a, 'Pro')
    await proxy.down()
    await sleep(50)
    // B cannot reach Redis: its write is sent without a claim, and nothing deletes A's entry.
    await identify(b, 'Enterprise')
    expect(planOf()).toEqual([
      expect.objectContaining({ option: expect.objectContaining({ title: 'Enterprise' }) })
    ])
    // A is in place (its own memory remembers "Pro") when B's connection comes back.
    shared.stores = a.stores
    await proxy.up()
    expect(await stateB.ready(3000)).toBe(true)
    await b.memory.idle()
    await sleep(100)
  }

  it('a worker cut off from Redis that wrote moves the epoch on when back: the others forget, and send', async () => {
    await writtenWhileCutOff()
    const before = writes()
    await identify(a, 'Pro')
    // Sent (the User at least): Attio holds "Enterprise", and skipping would leave it there.
    expect(writes()).toBeGreaterThan(before)
    expect(planOf()).toEqual([expect.objectContaining({ option: expect.objectContaining({ title: 'Pro' }) })])
  })

  it('a worker cut off from Redis that wrote moves the epoch on when back: an older entry is a miss', async () => {
    await writtenWhileCutOff()
    const c = worker(a.memory)
    const before = writes()
    await identify(c, 'Pro')
    expect(writes()).toBeGreaterThan(before)
    expect(planOf()).toEqual([expect.objectContaining({ option: expect.objectContaining({ title: 'Pro' }) })])
  })
})
