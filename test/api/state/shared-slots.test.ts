/**
 * Fleet mode's write budget against a real redis-server: several workers (each its own connection, as
 * separate processes have) share one budget per credential; a write that cannot get a slot within its bound
 * is refused at once, unsent, as a retryable 429; a 429 seen by one worker holds back all; and a Redis that
 * is stopped or slow costs a write at most a short time-out before it falls back to the worker's own limiter,
 * with one warning, until Redis is back.
 */
import Redis from 'ioredis'
import { AttioApiError } from '../../../src/api/errors'
import { WriteLimiter } from '../../../src/api/pacing'
import { RedisState } from '../../../src/api/state/redis'
import { SharedWriteSlots } from '../../../src/api/state/slots'
import { closeSharedState, sharedStateReady, sharedStateStatus, writeSlotsFor } from '../../../src/api/state'
import { RedisServer } from '../../helpers/redis'

let server: RedisServer
const states: RedisState[] = []
let warnings: string[] = []

beforeAll(async () => {
  server = await RedisServer.start()
})
afterAll(async () => {
  await server.stop()
})
beforeEach(async () => {
  warnings = []
  const admin = new Redis(server.url)
  await admin.flushall()
  admin.disconnect()
})
afterEach(async () => {
  await Promise.all(states.splice(0).map((state) => state.close()))
})

async function worker(url = server.url): Promise<RedisState> {
  const state = new RedisState(url, (message) => warnings.push(message))
  states.push(state)
  await state.ready()
  return state
}

/** Every write asks at once; how many were given a slot and how many were refused (and with what). */
async function ask(slots: SharedWriteSlots[], each: number, maxWaitMs: number) {
  const outcomes = await Promise.allSettled(
    slots.flatMap((slot) => Array.from({ length: each }, () => slot.acquire(maxWaitMs)))
  )
  const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []))
  return { sent: outcomes.length - refused.length, refused: refused as AttioApiError[] }
}

test('three workers share one budget of 25 writes per window: the rest is refused at once, unsent, as 429s', async () => {
  const workers = await Promise.all([worker(), worker(), worker()])
  const slots = workers.map((state) => new SharedWriteSlots(state, 'ws-a', new WriteLimiter()))
  const started = Date.now()
  const { sent, refused } = await ask(slots, 20, 1000)
  expect(sent).toBe(25)
  expect(refused).toHaveLength(35)
  expect(refused[0]).toBeInstanceOf(AttioApiError)
  expect(refused[0].status).toBe(429)
  expect(refused[0].message).toMatch(/safe to retry/)
  // Refused when asked, not after waiting.
  expect(Date.now() - started).toBeLessThan(1000)
})

test('writes that may wait take the next window, on one clock for every worker', async () => {
  const workers = await Promise.all([worker(), worker()])
  const slots = workers.map((state) => new SharedWriteSlots(state, 'ws-a', new WriteLimiter()))
  const started = Date.now()
  const { sent, refused } = await ask(slots, 20, 5000)
  expect(refused).toHaveLength(0)
  expect(sent).toBe(40)
  // 25 in the first window, 15 in the next one (1.1 s later).
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
})

test('each credential has its own budget', async () => {
  const state = await worker()
  const a = new SharedWriteSlots(state, 'ws-a', new WriteLimiter())
  const b = new SharedWriteSlots(state, 'ws-b', new WriteLimiter())
  expect((await ask([a], 25, 0)).sent).toBe(25)
  expect((await ask([b], 25, 0)).sent).toBe(25)
  expect((await ask([a, b], 1, 0)).sent).toBe(0)
})

test('a 429 one worker met closes the gate for the others until its Retry-After', async () => {
  const [first, second] = await Promise.all([worker(), worker()])
  const one = new SharedWriteSlots(first, 'ws-a', new WriteLimiter())
  const other = new SharedWriteSlots(second, 'ws-a', new WriteLimiter())
  one.blockUntil(Date.now() + 3000)
  await new Promise((resolve) => setTimeout(resolve, 50))
  await expect(other.acquire(1000)).rejects.toMatchObject({ status: 429 })
})

test('Redis stopped: writes fall back to the worker’s own limiter at once, with one warning, and return to shared state when it is back', async () => {
  const state = await worker()
  const local = new WriteLimiter()
  const slots = new SharedWriteSlots(state, 'ws-a', local)
  await slots.acquire(0)
  await server.stop()
  const started = Date.now()
  // Never blocks for ever, never loses a write: each is given a slot of the local limiter.
  const { sent } = await ask([slots], 10, 5000)
  expect(sent).toBe(10)
  expect(Date.now() - started).toBeLessThan(1500)
  expect(state.status()).toMatchObject({ configured: true, shared: false, fallbacks: 1 })
  expect(warnings).toHaveLength(1)
  expect(warnings[0]).toMatch(/not answering.*No event is lost/)

  await server.resume()
  expect(await state.ready(5000)).toBe(true)
  expect(warnings[1]).toMatch(/answers again/)
  await slots.acquire(0)
  const admin = new Redis(server.url)
  expect(await admin.zcard('attio:slots:ws-a')).toBe(1)
  admin.disconnect()
})

test('Redis slow: a command that takes longer than the time-out falls back instead of waiting', async () => {
  const state = await worker()
  const slots = new SharedWriteSlots(state, 'ws-a', new WriteLimiter())
  const blocker = new Redis(server.url)
  const sleeping = blocker.call('DEBUG', 'SLEEP', '1.5').catch(() => undefined)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = Date.now()
  await slots.acquire(5000)
  expect(Date.now() - started).toBeLessThan(800)
  expect(state.status().shared).toBe(false)
  await sleeping
  blocker.disconnect()
  expect(await state.ready(5000)).toBe(true)
})

test('a fall-back in mid-burst does not start with a full second: the writes sent through the shared budget count', async () => {
  const state = await worker()
  const slots = new SharedWriteSlots(state, 'ws-a', new WriteLimiter())
  expect((await ask([slots], 25, 0)).sent).toBe(25)
  const blocker = new Redis(server.url)
  const sleeping = blocker.call('DEBUG', 'SLEEP', '0.6').catch(() => undefined)
  await new Promise((resolve) => setTimeout(resolve, 50))
  // Redis does not answer: the local limiter decides, and this second's 25 are spent already.
  await expect(slots.acquire(0)).rejects.toMatchObject({ status: 429 })
  expect(state.status().shared).toBe(false)
  await sleeping
  blocker.disconnect()
})

test('the URL in a warning carries no password', async () => {
  const state = new RedisState(`redis://user:s3cret-pass@127.0.0.1:1`, (message) => warnings.push(message))
  states.push(state)
  await state.ready(600)
  expect(warnings.join('\n')).toMatch(/not answering/)
  expect(warnings.join('\n')).not.toMatch(/s3cret|user/)
})

describe('ATTIO_STATE_URL', () => {
  afterEach(async () => {
    delete process.env.ATTIO_STATE_URL
    await closeSharedState()
  })

  test('absent: the per-process limiter, and no shared state', () => {
    delete process.env.ATTIO_STATE_URL
    expect(writeSlotsFor('ws-x')).toBeInstanceOf(WriteLimiter)
    expect(sharedStateStatus()).toMatchObject({ configured: false, shared: false })
  })

  test('a redis:// URL: the shared budget', async () => {
    process.env.ATTIO_STATE_URL = server.url
    const slots = writeSlotsFor('ws-x')
    expect(slots).toBeInstanceOf(SharedWriteSlots)
    expect(await sharedStateReady()).toBe(true)
    await slots.acquire(0)
    const admin = new Redis(server.url)
    expect(await admin.zcard('attio:slots:ws-x')).toBe(1)
    admin.disconnect()
    expect(sharedStateStatus()).toMatchObject({ configured: true, shared: true, fallbacks: 0 })
  })
})

test("the host's AbortSignal ends a shared wait at once with a retryable 429, and refuses a write asking after it", async () => {
  const slots = new SharedWriteSlots(await worker(), 'ws-abort', new WriteLimiter())
  // The window's 25 slots taken: the next write waits about a window.
  expect((await ask([slots], 25, 1000)).sent).toBe(25)
  const controller = new AbortController()
  const waiting = slots.acquire(5000, controller.signal)
  setTimeout(() => controller.abort(), 50)
  await expect(waiting).rejects.toMatchObject({
    status: 429,
    message: expect.stringMatching(/host cancelled/)
  })
  // Without the signal the write would have been given its slot (resolved), not refused.
  await expect(slots.acquire(5000, controller.signal)).rejects.toMatchObject({ status: 429 })
})
