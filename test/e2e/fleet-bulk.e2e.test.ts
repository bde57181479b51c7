/**
 * End to end, fleet mode's shared bulk-sent memory (issue 19) against the emulator (bulk requests applied
 * after 2 s) and a real redis-server: a worker that never heard of another worker's bulk request (it
 * started later, or its subscriber was down) still answers a link to a User of that request with a retryable
 * 503, never a final 404 that would lose the event.
 */
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { clearWriteMemory } from '../../src/api/suppression'
import { shared } from '../../src/api/suppression/stores'
import { sharedState, sharedWriteMemory } from '../../src/api/state'
import { recordsOf, useEmulator } from '../helpers/emulator'
import { useSharedRedis } from '../helpers/redis'

// Long enough that a loaded machine does not see Attio apply a request before a test has looked.
const ctx = useEmulator({ bulkDelayMs: 2000 })
useSharedRedis(clearWriteMemory)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const identify = (user: number) =>
  ({
    type: 'identify',
    userId: `user-${user}`,
    traits: { email: `user${user}@example.com` }
  }) as unknown as SegmentEvent

/** Group Workspace linking `userId`, as the worker whose stores are in place: its error, or undefined. */
async function group(userId: string): Promise<{ status?: number; message: string } | undefined> {
  return createTestIntegration(destination)
    .testAction('groupWorkspace', {
      event: {
        type: 'group',
        groupId: 'ws-1',
        userId,
        traits: { website: 'acme.com' }
      } as unknown as SegmentEvent,
      settings: ctx.settings,
      useDefaultMappings: true
    })
    .then(
      () => undefined,
      (error: { status?: number; message: string }) => error
    )
}

/** Worker A sends two Users in bulk; then worker B, whose stores never heard of it, is in place. */
async function bulkSentElsewhere(): Promise<void> {
  await createTestIntegration(destination).testBatchAction('identifyUser', {
    events: [identify(1), identify(2)],
    settings: ctx.settings,
    useDefaultMappings: true
  })
  expect(recordsOf(ctx.emulator, 'users')).toHaveLength(0)
  // A's messages reach A's stores; then B's (empty) stores take their place.
  await sleep(100)
  clearWriteMemory()
}

describe('fleet mode: the shared bulk-sent memory', () => {
  it('a worker that missed the message answers a link to a User sent in bulk elsewhere with a retryable 503, and links it once Attio applied it', async () => {
    await bulkSentElsewhere()
    expect(shared.stores.bulkSent.size).toBe(0)
    const first = await group('user-1')
    expect(first?.status).toBe(503)
    expect(first?.message).toMatch(/^user_id: Attio has no User with user_id "user-1" yet/)
    await ctx.emulator.settle()
    const pending = () => sharedState()?.run((client) => client.keys('attio:bulk:*'))
    // The two People and the two Users of the batch.
    expect(await pending()).toHaveLength(4)
    expect(await group('user-1')).toBeUndefined()
    // user-1 was seen: Redis no longer holds it as pending (the others it still does, for their 10 s).
    expect(await pending()).toHaveLength(3)
  })

  it('the same on the batch path: the event linking it is a retryable 503, the one linking a User never sent a 404', async () => {
    await bulkSentElsewhere()
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('groupWorkspace', {
      events: [
        ['ws-2', 'user-2', 'acme.com'],
        ['ws-9', 'user-9', 'globex.com']
      ].map(
        ([groupId, userId, website]) =>
          ({ type: 'group', groupId, userId, traits: { website } }) as unknown as SegmentEvent
      ),
      settings: ctx.settings,
      useDefaultMappings: true
    })
    const [result] = integration.results as unknown as Array<{ multistatus: Array<{ status: number }> }>
    expect(result.multistatus.map((r) => r.status)).toEqual([503, 404])
  })

  it('a worker that missed the message stores no shared entry for a record in flight in bulk, so another never skips what Attio applied late', async () => {
    const plan = (value: string) =>
      ({
        type: 'identify',
        userId: 'u-1',
        traits: { email: 'ada@example.com', plan: value }
      }) as unknown as SegmentEvent
    const options = {
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
    }
    const planOf = () =>
      (ctx.emulator.state() as unknown as Record<string, Array<{ values: Record<string, unknown[]> }>>)
        .users[0]?.values.plan
    // Worker A sends "Pro" in bulk (applied 2 s later); worker B, which never heard of it, writes
    // "Enterprise" one by one before Attio applied A's request, which then lands over it.
    await createTestIntegration(destination).testBatchAction('identifyUser', {
      events: [plan('Pro')],
      ...options
    })
    await sleep(100)
    clearWriteMemory()
    await createTestIntegration(destination).testAction('identifyUser', {
      event: plan('Enterprise'),
      ...options
    })
    await sharedWriteMemory()?.idle()
    await ctx.emulator.settle()
    expect(planOf()).toEqual([expect.objectContaining({ option: expect.objectContaining({ title: 'Pro' }) })])
    // Worker C sends "Enterprise": B's write must not have left an entry that skips it.
    clearWriteMemory()
    await createTestIntegration(destination).testAction('identifyUser', {
      event: plan('Enterprise'),
      ...options
    })
    expect(planOf()).toEqual([
      expect.objectContaining({ option: expect.objectContaining({ title: 'Enterprise' }) })
    ])
  })

  it('a User no worker sent in bulk is a final 404 at once, and so is one Redis no longer holds', async () => {
    await bulkSentElsewhere()
    expect((await group('user-9'))?.status).toBe(404)
    await sharedState()?.run((client) => client.flushall())
    expect((await group('user-2'))?.status).toBe(404)
  })
})
