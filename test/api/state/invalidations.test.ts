/**
 * Fleet mode's write memory against a real redis-server: a write another process made (a message on the
 * memory channel) makes this one forget the record's values, only in the tenant it names; its own messages
 * go out for every write; and a lost subscription makes it forget everything it remembered.
 */
import Redis from 'ioredis'
import { BulkSentMemory, clearWriteMemory, digest, WriteMemory } from '../../../src/api/suppression'
import { BULK_CHANNEL, MEMORY_CHANNEL } from '../../../src/api/state/invalidations'
import { useSharedRedis } from '../../helpers/redis'

const redis = useSharedRedis(clearWriteMemory)

const identity = { object: 'people', attribute: 'email_addresses', text: 'ada@example.com' }
const values = { email_addresses: [{ email_address: 'ada@example.com' }], job_title: [{ value: 'CTO' }] }

/** Remembers a write of the record in this process's memory for the workspace key. */
function remember(workspaceKey: string): WriteMemory {
  const memory = new WriteMemory(workspaceKey)
  const write = memory.begin('people', [identity])
  write.succeeded('rec-1', [identity], { assert: values, matchingAttribute: 'email_addresses' })
  expect(memory.coversAssert('rec-1', values, 'email_addresses')).toBe(true)
  return memory
}

async function publish(message: unknown, channel = MEMORY_CHANNEL): Promise<void> {
  const other = new Redis(redis.server.url)
  await other.publish(channel, JSON.stringify(message))
  other.disconnect()
  await new Promise((resolve) => setTimeout(resolve, 100))
}

test("another process's write of the record makes this one forget its values (its tenant only)", async () => {
  const mine = remember('ws-a')
  const theirs = remember('ws-b')
  await publish({
    from: 'other',
    workspaceKey: 'ws-a',
    object: 'people',
    recordId: 'rec-1',
    keys: [],
    unsettled: false
  })
  expect(mine.coversAssert('rec-1', values, 'email_addresses')).toBe(false)
  expect(theirs.coversAssert('rec-1', values, 'email_addresses')).toBe(true)
})

test('a write in flight here while another process wrote the record remembers nothing', async () => {
  const memory = new WriteMemory('ws-a')
  const write = memory.begin('people', [identity])
  await publish({
    from: 'other',
    workspaceKey: 'ws-a',
    object: 'people',
    keys: [memory.keyOf(identity)],
    unsettled: false
  })
  write.succeeded('rec-1', [identity], { assert: values, matchingAttribute: 'email_addresses' })
  expect(memory.coversAssert('rec-1', values, 'email_addresses')).toBe(false)
})

test('garbage on the channel changes nothing', async () => {
  const memory = remember('ws-a')
  const other = new Redis(redis.server.url)
  await other.publish(MEMORY_CHANNEL, 'not json')
  await other.publish(MEMORY_CHANNEL, JSON.stringify({ from: 'x', workspaceKey: 1 }))
  other.disconnect()
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(memory.coversAssert('rec-1', values, 'email_addresses')).toBe(true)
})

test('each write of this process is told to the others', async () => {
  const listener = new Redis(redis.server.url)
  const heard: string[] = []
  listener.on('message', (_channel: string, text: string) => heard.push(text))
  await listener.subscribe(MEMORY_CHANNEL)
  remember('ws-a')
  await new Promise((resolve) => setTimeout(resolve, 100))
  listener.disconnect()
  expect(heard).toHaveLength(1)
  expect(JSON.parse(heard[0])).toMatchObject({ workspaceKey: 'ws-a', object: 'people', recordId: 'rec-1' })
})

test('Redis stopped: this process can no longer hear the others and forgets what it remembered', async () => {
  const memory = remember('ws-a')
  await redis.server.stop()
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(memory.coversAssert('rec-1', values, 'email_addresses')).toBe(false)
  await redis.server.resume()
})

test('a user another process sent in bulk is pending here too (a link that misses is retryable), until one sees it', async () => {
  const bulkSent = new BulkSentMemory('ws-a')
  const key = digest('ws-a\u0000users\u0000user_id\u0000u-1')
  expect(bulkSent.pending('users', 'user_id', 'u-1')).toBe(false)
  await publish({ from: 'other', key, sentAt: Date.now() }, BULK_CHANNEL)
  expect(bulkSent.pending('users', 'user_id', 'u-1')).toBe(true)
  expect(new BulkSentMemory('ws-b').pending('users', 'user_id', 'u-1')).toBe(false)
  await publish({ from: 'other', key, seen: true }, BULK_CHANNEL)
  expect(bulkSent.pending('users', 'user_id', 'u-1')).toBe(false)
})
