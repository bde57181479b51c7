/** The fleet tests' real redis-server (the same one `npm run fleet` starts). */
import { closeSharedState, sharedState, sharedStateReady } from '../../src/api/state'
import { RedisServer } from '../../soak/redis-server'
export { freePort, REDIS_SERVER, RedisServer, redisServerMissing } from '../../soak/redis-server'

/**
 * A real redis-server for a test file, with `ATTIO_STATE_URL` pointing at it and the shared state connected
 * before each test (after `reset`, which empties what the file's tests share), and closed after each.
 * Returns the server (set once `beforeAll` ran).
 */
export function useSharedRedis(reset: () => void, afterReset?: () => void): { readonly server: RedisServer } {
  const held = {} as { server: RedisServer }
  beforeAll(async () => {
    held.server = await RedisServer.start()
  })
  afterAll(async () => {
    await held.server.stop()
  })
  beforeEach(async () => {
    reset()
    process.env.ATTIO_STATE_URL = held.server.url
    sharedState()
    expect(await sharedStateReady()).toBe(true)
    // The subscriptions of the shared state are made just after it is ready: give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 100))
  })
  afterEach(async () => {
    delete process.env.ATTIO_STATE_URL
    await closeSharedState()
    afterReset?.()
  })
  return held
}
