/**
 * The batch path end to end against the emulator: the bulk endpoint, and the queue when there is none.
 */
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'

const at = (ms: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, 0) + ms).toISOString()

/** Mixed-case emails with spaces, repeated users, URLs as websites: a realistic batch. */
function identifyEvents(count: number, users: number): SegmentEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const user = i % users
    const email = i % 3 === 0 ? `  User${user}@Example.COM ` : `user${user}@example.com`
    return {
      type: 'identify',
      userId: `user-${user}`,
      receivedAt: at(i),
      traits: { email, seats: i, plan: i % 2 ? 'Pro' : 'Free' }
    } as unknown as SegmentEvent
  })
}

type Multistatus = Array<{ status: number; errormessage?: string }>
const statusesOf = (integration: ReturnType<typeof createTestIntegration<Settings>>) =>
  (integration.results[0] as unknown as { multistatus: Multistatus }).multistatus

describe('bulk endpoint', () => {
  const ctx = useEmulator()

  it('a 1,000-event batch with repeated users, messy emails and URLs leaves exactly the expected records', async () => {
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: identifyEvents(1000, 100),
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping: {
        user_attributes: { seats: { '@path': '$.traits.seats' }, plan: { '@path': '$.traits.plan' } }
      }
    })
    expect(statusesOf(integration).every((r) => r.status === 202)).toBe(true)
    expect(ctx.emulator.stats().requests['PUT /v2/batch/records']).toBe(1)

    const groups = Array.from({ length: 1000 }, (_, i) => ({
      type: 'group',
      groupId: `ws-${i % 50}`,
      userId: `user-${i % 100}`,
      receivedAt: at(i),
      traits: {
        website: i % 2 ? `https://www.Company${i % 50}.com/pricing?ref=${i}` : `company${i % 50}.com`
      }
    })) as unknown as SegmentEvent[]
    // No waiting for Attio to apply the identify batch: the group batch asserts its users again.
    const groupIntegration = createTestIntegration(destination)
    await groupIntegration.testBatchAction('groupWorkspace', {
      events: groups,
      settings: ctx.settings,
      useDefaultMappings: true
    })
    expect(statusesOf(groupIntegration).every((r) => r.status === 202)).toBe(true)
    expect(ctx.emulator.stats().requests['POST /v2/objects/{object}/records/query'] ?? 0).toBe(0)
    await ctx.emulator.settle()

    expect(ctx.emulator.bulkLog()).toEqual([])
    const people = recordsOf(ctx.emulator, 'people')
    const users = recordsOf(ctx.emulator, 'users')
    const companies = recordsOf(ctx.emulator, 'companies')
    const workspaces = recordsOf(ctx.emulator, 'workspaces')
    expect(people).toHaveLength(100)
    expect(users).toHaveLength(100)
    expect(new Set(people.flatMap((p) => valuesOf(p, 'email_addresses', 'email_address')))).toEqual(
      new Set(Array.from({ length: 100 }, (_, u) => `user${u}@example.com`))
    )
    // The latest event of each user wins: user-7's last event is i = 907.
    const user7 = users.find((u) => valuesOf(u, 'user_id', 'value')[0] === 'user-7')
    expect(valuesOf(user7, 'seats', 'value')).toEqual([907])
    expect((valuesOf(user7, 'plan', 'option')[0] as { title: string }).title).toBe('Pro')
    expect(
      companies
        .map((c) => valuesOf(c, 'domains', 'domain'))
        .flat()
        .sort()
    ).toEqual(Array.from({ length: 50 }, (_, n) => `company${n}.com`).sort())
    expect(workspaces).toHaveLength(50)
    // Workspace ws-3 has every user that grouped into it: users 3, 53.
    const ws3 = workspaces.find((w) => valuesOf(w, 'workspace_id', 'value')[0] === 'ws-3')
    const idsByRecord = new Map(users.map((u) => [u.record_id, valuesOf(u, 'user_id', 'value')[0]]))
    expect(
      valuesOf(ws3, 'users', 'target_record_id')
        .map((id) => idsByRecord.get(id as string))
        .sort()
    ).toEqual(['user-3', 'user-53'])
  })
})

describe('a linked user Attio cannot apply', () => {
  const ctx = useEmulator()

  it('costs the link only: the Workspace and its Company are written', async () => {
    const integration = createTestIntegration(destination)
    // Two users with one email: Attio applies the first and drops the second (primary_email_address is unique).
    await integration.testBatchAction('identifyUser', {
      events: [
        { type: 'identify', userId: 'user-0', receivedAt: at(0), traits: { email: 'shared@example.com' } },
        { type: 'identify', userId: 'user-1', receivedAt: at(1), traits: { email: 'shared@example.com' } }
      ] as unknown as SegmentEvent[],
      settings: ctx.settings,
      useDefaultMappings: true
    })
    await integration.testBatchAction('groupWorkspace', {
      events: [
        {
          type: 'group',
          groupId: 'ws-1',
          userId: 'user-1',
          receivedAt: at(2),
          traits: { website: 'acme.com' }
        }
      ] as unknown as SegmentEvent[],
      settings: ctx.settings,
      useDefaultMappings: true
    })
    await ctx.emulator.settle()
    expect(ctx.emulator.bulkLog().map((entry) => entry.object)).toEqual(['users', 'workspaces'])
    const [workspace] = recordsOf(ctx.emulator, 'workspaces')
    expect(valuesOf(workspace, 'workspace_id', 'value')).toEqual(['ws-1'])
    expect(valuesOf(workspace, 'company', 'target_record_id')).toHaveLength(1)
    expect(valuesOf(workspace, 'users', 'target_record_id')).toEqual([])
  })
})

describe('a mapped reference to a record by its key, in a batch', () => {
  const ctx = useEmulator()

  it('fails the event whose referenced record does not exist, as the single path does, and writes the others', async () => {
    await createTestIntegration(destination).testAction('assertRecord', {
      event: { type: 'identify', traits: { domain: 'acme.com' } } as unknown as SegmentEvent,
      settings: ctx.settings,
      mapping: {
        object: 'companies',
        matching_attribute: 'domains',
        attributes: { domains: { '@path': '$.traits.domain' } }
      }
    })
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('assertRecord', {
      events: [
        {
          type: 'identify',
          userId: 'a',
          receivedAt: at(0),
          traits: { email: 'ada@example.com', domain: 'acme.com' }
        },
        {
          type: 'identify',
          userId: 'b',
          receivedAt: at(1),
          traits: { email: 'bob@example.com', domain: 'nowhere.dev' }
        },
        { type: 'identify', userId: 'c', receivedAt: at(2), traits: { email: 'cy@example.com' } }
      ] as unknown as SegmentEvent[],
      settings: ctx.settings,
      mapping: {
        object: 'people',
        matching_attribute: 'email_addresses',
        attributes: {
          email_addresses: { '@path': '$.traits.email' },
          company: { '@path': '$.traits.domain' }
        },
        enable_batching: true
      }
    })
    // acme.com exists (written first, outside the batch); nowhere.dev does not.
    await ctx.emulator.settle()
    const statuses = statusesOf(integration)
    expect(statuses.map((r) => r.status)).toEqual([200, 400, 202])
    expect(statuses[1].errormessage).toMatch(/nowhere\.dev.*does not exist/)
    expect(ctx.emulator.bulkLog()).toEqual([])
    const emails = recordsOf(ctx.emulator, 'people').flatMap((p) =>
      valuesOf(p, 'email_addresses', 'email_address')
    )
    expect(emails.sort()).toEqual(['ada@example.com', 'cy@example.com'])
  })
})

describe('a reference by key to a record a batch sent moments ago, before Attio applied it', () => {
  const ctx = useEmulator({ bulkDelayMs: 500 })
  const company = (domain: string, ms: number) =>
    ({ type: 'identify', receivedAt: at(ms), traits: { domain } }) as unknown as SegmentEvent
  const person = (email: string, domain: string, ms: number) =>
    ({
      type: 'identify',
      userId: email,
      receivedAt: at(ms),
      traits: { email, domain }
    }) as unknown as SegmentEvent
  const companies = {
    object: 'companies',
    matching_attribute: 'domains',
    attributes: { domains: { '@path': '$.traits.domain' } },
    enable_batching: true
  }
  const people = {
    object: 'people',
    matching_attribute: 'email_addresses',
    attributes: { email_addresses: { '@path': '$.traits.email' }, company: { '@path': '$.traits.domain' } },
    enable_batching: true
  }

  it('answers a retryable 503 (not a final 400) for the event naming it, on the batch path and the single path, and writes it on the retry', async () => {
    await createTestIntegration(destination).testBatchAction('assertRecord', {
      events: [company('acme.com', 0), company('globex.com', 1)],
      settings: ctx.settings,
      mapping: companies
    })
    expect(recordsOf(ctx.emulator, 'companies')).toHaveLength(0)
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('assertRecord', {
      events: [person('ada@example.com', 'acme.com', 2), person('bob@example.com', 'nowhere.dev', 3)],
      settings: ctx.settings,
      mapping: people
    })
    const statuses = statusesOf(integration)
    // acme.com was sent in a batch a moment ago; nowhere.dev never was, so it stays a final 400.
    expect(statuses.map((r) => r.status)).toEqual([503, 400])
    expect(statuses[0].errormessage).toMatch(
      /^company: Attio has no Company with domains "acme\.com" yet: it was sent in a batch less than 10 s ago, which Attio may not have applied yet\. It is safe to retry/
    )
    const single = await createTestIntegration(destination)
      .testAction('assertRecord', {
        event: person('cy@example.com', 'globex.com', 4),
        settings: ctx.settings,
        mapping: people
      })
      .then(
        () => undefined,
        (error: { status?: number; message: string }) => error
      )
    expect(single?.status).toBe(503)
    expect(single?.message).toMatch(/^company: Attio has no Company with domains "globex\.com" yet/)

    // Once Attio applied the batch, the host's retries write the people, linked to their companies.
    await ctx.emulator.settle()
    const retry = createTestIntegration(destination)
    await retry.testBatchAction('assertRecord', {
      events: [person('ada@example.com', 'acme.com', 2), person('cy@example.com', 'globex.com', 4)],
      settings: ctx.settings,
      mapping: people
    })
    expect(statusesOf(retry).map((r) => r.status)).toEqual([200, 200])
    const linked = recordsOf(ctx.emulator, 'people').map((p) => valuesOf(p, 'company', 'target_record_id'))
    expect(linked.map((ids) => ids.length)).toEqual([1, 1])
  })
})

describe('a single event right after a batch, before Attio applied it', () => {
  const ctx = useEmulator({ bulkDelayMs: 500 })

  it('Group Workspace answers a retryable 503 for a User the identify batch sent and Attio has not applied yet, creates no User, and links it on the retry', async () => {
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: identifyEvents(2, 2),
      settings: ctx.settings,
      useDefaultMappings: true
    })
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(0)
    const group = () =>
      createTestIntegration(destination).testAction('groupWorkspace', {
        event: {
          type: 'group',
          groupId: 'ws-1',
          userId: 'user-1',
          traits: { website: 'acme.com' }
        } as unknown as SegmentEvent,
        settings: ctx.settings,
        useDefaultMappings: true
      })
    const first = await group().then(
      () => undefined,
      (error: { status?: number; message: string }) => error
    )
    expect(first?.status).toBe(503)
    expect(first?.message).toMatch(/^user_id: Attio has no User with user_id "user-1" yet/)
    // Group Workspace wrote the Company and the Workspace, and no User.
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(0)
    expect(recordsOf(ctx.emulator, 'workspaces')).toHaveLength(1)
    await ctx.emulator.settle()
    expect(ctx.emulator.bulkLog()).toEqual([])
    await group()
    const users = recordsOf(ctx.emulator, 'users')
    const user1 = users.find((u) => valuesOf(u, 'user_id', 'value')[0] === 'user-1')
    expect(valuesOf(user1, 'person', 'target_record_id')).toHaveLength(1)
    const [workspace] = recordsOf(ctx.emulator, 'workspaces')
    expect(valuesOf(workspace, 'users', 'target_record_id')).toEqual([user1?.record_id])
  })
})

describe('queue when the bulk endpoint is absent, with rate limits on', () => {
  const ctx = useEmulator({ bulkEndpoint: false, rateLimits: true })

  it('delivers every event under 25 writes a second and gets no 429 twice', async () => {
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: identifyEvents(90, 30),
      settings: ctx.settings,
      useDefaultMappings: true
    })
    const statuses = statusesOf(integration)
    expect(statuses).toHaveLength(90)
    expect(statuses.every((r) => r.status === 200)).toBe(true)
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(30)
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(30)
    expect(ctx.emulator.stats().rateLimited).toBe(0)
  }, 60_000)

  it('reports the events it had no time for as retryable instead of losing them', async () => {
    process.env.ATTIO_BATCH_TIME_BUDGET_MS = '1500'
    try {
      const integration = createTestIntegration(destination)
      await integration.testBatchAction('identifyUser', {
        events: identifyEvents(120, 120),
        settings: ctx.settings,
        useDefaultMappings: true
      })
      const statuses = statusesOf(integration)
      const delivered = statuses.filter((r) => r.status === 200).length
      const deferred = statuses.filter((r) => r.status === 429)
      expect(delivered + deferred.length).toBe(120)
      expect(deferred.length).toBeGreaterThan(0)
      expect(deferred[0].errormessage).toMatch(/time budget .* it is safe to retry/)
      expect(recordsOf(ctx.emulator, 'users')).toHaveLength(delivered)
    } finally {
      delete process.env.ATTIO_BATCH_TIME_BUDGET_MS
    }
  }, 60_000)
})
