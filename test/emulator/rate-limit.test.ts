import { startEmulator, type RunningEmulator } from '../../src/emulator'
import { RateLimiter } from '../../src/emulator/rate-limit'
import { assertPath, caller, sleep, type Res } from './helpers'

/** Runs `attempt` starting right after a clock-second boundary; retries if it spilled into the next second. */
async function withinOneSecond<T>(attempt: () => Promise<T>): Promise<{ result: T; second: number }> {
  for (let i = 0; i < 4; i++) {
    await sleep(1000 - (Date.now() % 1000) + 5)
    const second = Math.floor(Date.now() / 1000)
    const result = await attempt()
    if (Math.floor(Date.now() / 1000) === second) return { result, second }
  }
  throw new Error('could not fit the requests into one clock second')
}

describe('rate limits', () => {
  let emu: RunningEmulator
  beforeAll(async () => {
    emu = await startEmulator({
      port: 0,
      rateLimits: { readsPerSecond: 3, writesPerSecond: 2 },
      tokens: [
        { token: 'a', scopes: ['record_permission:read-write', 'object_configuration:read'] },
        { token: 'b', scopes: ['record_permission:read-write', 'object_configuration:read'] }
      ]
    })
  })
  afterAll(() => emu.close())
  beforeEach(() => {
    emu.reset()
    emu.resetStats()
  })

  test('over the write limit in the current second: 429 with Retry-After (next second), never applied', async () => {
    const call = caller(emu, 'a')
    const { result, second } = await withinOneSecond(async () => {
      emu.reset()
      const out: Res[] = []
      for (const email of ['a@x.com', 'b@x.com', 'c@x.com'])
        out.push(
          await call('PUT', assertPath('people', 'email_addresses'), {
            data: { values: { email_addresses: [email] } }
          })
        )
      return out
    })
    expect(result.map((r) => r.status)).toEqual([200, 200, 429])
    expect(result[2].body).toEqual({
      status_code: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: 'Rate limit exceeded, please try again later'
    })
    expect(result[2].headers.get('retry-after')).toBe(new Date((second + 1) * 1000).toUTCString())
    expect(emu.state().people.map((p) => p.values.email_addresses[0].email_address)).toEqual([
      'a@x.com',
      'b@x.com'
    ])
    expect(emu.stats().rateLimited).toBeGreaterThanOrEqual(1)
  })

  test('reads are limited separately (GET and the records query POST), per token', async () => {
    const a = caller(emu, 'a')
    const b = caller(emu, 'b')
    const { result } = await withinOneSecond(async () => [
      (await a('GET', '/v2/objects')).status,
      (await a('POST', '/v2/objects/people/records/query', {})).status,
      (await a('GET', '/v2/objects/people')).status,
      (await a('GET', '/v2/objects')).status,
      (await b('GET', '/v2/objects')).status,
      (
        await a('PUT', assertPath('people', 'email_addresses'), {
          data: { values: { email_addresses: ['z@x.com'] } }
        })
      ).status
    ])
    expect(result).toEqual([200, 200, 200, 429, 200, 200])
  })

  test('the limiter counts per clock second with Attio defaults of 100 reads / 25 writes', () => {
    let now = 5_000_250
    const limiter = new RateLimiter({ readsPerSecond: 100, writesPerSecond: 25 }, () => now)
    const writes = Array.from({ length: 26 }, () => limiter.take('t', 'write').ok)
    expect(writes.filter(Boolean)).toHaveLength(25)
    expect(limiter.take('t', 'write')).toEqual({ ok: false, retryAfter: new Date(5_001_000).toUTCString() })
    expect(Array.from({ length: 100 }, () => limiter.take('t', 'read').ok).every(Boolean)).toBe(true)
    expect(limiter.take('t', 'read').ok).toBe(false)
    now = 5_001_000
    expect(limiter.take('t', 'write').ok).toBe(true)
  })

  test('rate limits are off by default in-process', async () => {
    const e = await startEmulator({ port: 0 })
    try {
      const statuses = await Promise.all(Array.from({ length: 40 }, () => caller(e)('GET', '/v2/objects')))
      expect(statuses.every((r) => r.status === 200)).toBe(true)
    } finally {
      await e.close()
    }
  })
})
