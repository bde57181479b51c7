/**
 * Fleet mode's connection to Redis as a host meets it (a real redis-server): an `ATTIO_STATE_URL` that does
 * not parse is ignored with one warning instead of failing the first event; warnings show the server but
 * never a user, password or query; a refused password is named as such; commands that time out together
 * reconnect once; and each outage's warning is paired with one "answers again".
 */
import {
  closeSharedState,
  setSharedStateWarn,
  sharedState,
  sharedStateReady,
  sharedStateStatus
} from '../../../src/api/state'
import Redis from 'ioredis'
import { redactUrl } from '../../../src/api/state/redis'
import { RedisServer } from '../../helpers/redis'

const SECRET = 's3cret-9d7e'
let server: RedisServer
let warned: string[]

beforeAll(async () => {
  server = await RedisServer.start()
})
afterAll(async () => {
  await server.stop()
})
beforeEach(() => {
  warned = []
  setSharedStateWarn((message) => warned.push(message))
})
afterEach(async () => {
  delete process.env.ATTIO_STATE_URL
  await closeSharedState()
})

const until = async (done: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  return done()
}

describe('redactUrl', () => {
  it('keeps the scheme, host, port and database number only', () => {
    expect(redactUrl(`redis://user:${SECRET}@redis.internal:6390/2?password=${SECRET}#${SECRET}`)).toBe(
      'redis://redis.internal:6390/2'
    )
    expect(redactUrl(`rediss://:${SECRET}@10.0.0.5:6380`)).toBe('rediss://10.0.0.5:6380')
    // An unescaped @ in the password: the last @ ends the user part, so nothing of it is shown.
    expect(redactUrl(`redis://admin:p@${SECRET}@10.0.0.5:6379`)).toBe('redis://10.0.0.5:6379')
    expect(redactUrl(`redis://:${SECRET}@10.0.0.5:6379/tenant-${SECRET}`)).toBe('redis://10.0.0.5:6379')
  })
})

describe('the connection, as a host meets it', () => {
  it('ignores, with one warning that does not show it, a URL that does not parse (a # in the password)', () => {
    process.env.ATTIO_STATE_URL = `redis://:pa#${SECRET}@127.0.0.1:${server.port}`
    expect(() => sharedState()).not.toThrow()
    expect(sharedState()).toBeUndefined()
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatch(/ATTIO_STATE_URL is set but is not a URL that parses \(percent-encode a #/)
    expect(warned[0]).toMatch(/so it is ignored/)
    expect(warned.join('\n')).not.toContain(SECRET)
    expect(sharedStateStatus()).toMatchObject({ configured: false, shared: false })
  })

  it.each([
    ['#', `redis://admin:6379#${SECRET}@127.0.0.1:6390`],
    ['?', `redis://admin:6379?${SECRET}@127.0.0.1:6390`],
    ['/', `redis://admin:6379/${SECRET}@127.0.0.1:6390`]
  ])(
    'ignores a URL whose password of digits is cut by an unencoded %s (it would parse as host "admin"), never showing it',
    (_cut, url) => {
      process.env.ATTIO_STATE_URL = url
      expect(sharedState()).toBeUndefined()
      expect(warned).toHaveLength(1)
      expect(warned[0]).toMatch(/is not a URL that parses as meant \(percent-encode a #/)
      expect(warned[0]).not.toMatch(/admin|6379|s3cret/)
    }
  )

  it('names a refused password (WRONGPASS) in the outage warning, without the password or the user', async () => {
    process.env.ATTIO_STATE_URL = `redis://nobody-4f2a:${SECRET}@127.0.0.1:${server.port}?password=${SECRET}`
    expect(sharedState()).toBeDefined()
    // Answered false as soon as Redis refused the password, not after the whole time-out.
    const started = Date.now()
    expect(await sharedStateReady(5000)).toBe(false)
    expect(Date.now() - started).toBeLessThan(2500)
    expect(await until(() => warned.length > 0)).toBe(true)
    expect(warned[0]).toMatch(
      new RegExp(
        `the shared state at redis://127\\.0\\.0\\.1:${server.port} is not answering: Redis refused this client \\(WRONGPASS`
      )
    )
    expect(warned.join('\n')).not.toContain(SECRET)
    expect(warned.join('\n')).not.toContain('nobody-4f2a')
  })

  it('reconnects once when many commands time out together, and pairs each outage warning with one "answers again"', async () => {
    process.env.ATTIO_STATE_URL = server.url
    const state = sharedState()
    if (!state) throw new Error('no shared state')
    expect(await sharedStateReady()).toBe(true)
    const disconnect = jest.spyOn(state.client, 'disconnect')

    // Redis stalls (DEBUG SLEEP on another connection): twenty commands time out together.
    const other = new Redis(server.url)
    void other.call('DEBUG', 'SLEEP', '1').catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const answers = await Promise.all(Array.from({ length: 20 }, () => state.run((redis) => redis.ping())))
    expect(answers.every((answer) => answer === undefined)).toBe(true)
    expect(disconnect).toHaveBeenCalledTimes(1)
    expect(await until(() => sharedStateStatus().shared)).toBe(true)

    // A second outage within the minute is not warned of, so its end is not told either.
    void other.call('DEBUG', 'SLEEP', '1').catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await state.run((redis) => redis.ping())).toBeUndefined()
    expect(await until(() => sharedStateStatus().shared)).toBe(true)
    other.disconnect()

    expect(sharedStateStatus().fallbacks).toBe(2)
    expect(warned.filter((line) => /is not answering/.test(line))).toHaveLength(1)
    expect(warned.filter((line) => /answers again/.test(line))).toHaveLength(1)
  })
})
