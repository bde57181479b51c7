/**
 * Fleet mode's schema invalidations against a real redis-server: a list another process read again is dropped
 * here, and a read of that list this process has in flight when the message arrives still answers its events
 * (the cache drops the list; it does not fail the read). Before, the cache aborted the read with a bare
 * `Error: deleted`, which the host does not retry: `npm run fleet -- --events 200 --seed 8 --fault-rate 0.1`
 * lost an Identify User event that way (its Person and User missing from the final state).
 */
import Redis from 'ioredis'
import {
  clearSchemaCache,
  forgetSchemaEntry,
  WorkspaceSchema,
  type SchemaSource
} from '../../../src/api/schema'
import { SCHEMA_CHANNEL } from '../../../src/api/state/invalidations'
import { Telemetry } from '../../../src/api/telemetry'
import type { AttributeDef } from '../../../src/api/wire'
import { useSharedRedis } from '../../helpers/redis'

const redis = useSharedRedis(clearSchemaCache, clearSchemaCache)

const tier = { slug: 'tier', id: { attribute_id: 'attr-tier' } } as unknown as AttributeDef

/** A workspace whose attribute reads wait until the test lets each one answer. */
function slowSource(workspaceKey: string) {
  const answers: Array<() => void> = []
  let reads = 0
  const source: SchemaSource = {
    workspaceKey,
    telemetry: new Telemetry(undefined, undefined),
    listObjects: () => Promise.resolve([]),
    listAttributes: () => {
      reads += 1
      return new Promise<AttributeDef[]>((resolve) => answers.push(() => resolve([tier])))
    },
    listOptions: () => Promise.resolve([])
  }
  return { source, answers, reads: () => reads }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

async function publishRefresh(key: string): Promise<void> {
  const other = new Redis(redis.server.url)
  await other.publish(SCHEMA_CHANNEL, JSON.stringify({ from: 'another-process', key }))
  other.disconnect()
  await settle()
}

test("another process's refresh, heard while this one reads the same list, does not fail the read", async () => {
  const { source, answers, reads } = slowSource('ws-a')
  const reading = new WorkspaceSchema(source).attributes('users')
  await settle()
  expect(reads()).toBe(1)
  // The message names the list this process is reading right now.
  await publishRefresh(['ws-a', 'attributes', 'users'].join('\u0000'))
  answers.shift()?.()
  await expect(reading).resolves.toEqual([tier])
})

test('a list dropped while it was being read is not kept: the next use reads it again', async () => {
  const { source, answers, reads } = slowSource('ws-b')
  const reading = new WorkspaceSchema(source).attributes('users')
  await settle()
  forgetSchemaEntry(['ws-b', 'attributes', 'users'].join('\u0000'))
  answers.shift()?.()
  await expect(reading).resolves.toEqual([tier])
  const again = new WorkspaceSchema(source).attributes('users')
  await settle()
  expect(reads()).toBe(2)
  answers.shift()?.()
  await expect(again).resolves.toEqual([tier])
  // Once read after the drop, it is cached as before.
  await expect(new WorkspaceSchema(source).attributes('users')).resolves.toEqual([tier])
  expect(reads()).toBe(2)
})
