/** The fleet tests' real redis-server (the same one `npm run fleet` starts). */
export { freePort, REDIS_SERVER, RedisServer, redisServerMissing } from '../../soak/redis-server'
