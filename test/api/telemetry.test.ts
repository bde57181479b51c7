/**
 * What the destination tells its host: metrics through a fake `statsContext` (with the host's tags) and
 * debug lines through a fake `logger`, with the requests answered by nock; and the host's AbortSignal
 * stopping a batch that waits for write slots; and fleet mode's shared state (a real redis-server) told to
 * the host: an outage as a metric and a warning through its logger.
 */
import nock from 'nock'
import {
  createTestEvent,
  createTestIntegration,
  type JSONObject,
  type Logger,
  type SegmentEvent,
  type StatsContext
} from '@segment/actions-core'
import destination from '../../src'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { closeSharedState, setSharedStateWarn, sharedStateReady, sharedStateStatus } from '../../src'
import { API, errorBody, mockSchema, recordBody, useNock } from '../helpers/attio-fixtures'
import { RedisServer } from '../helpers/redis'

useNock()
const PERSON = '11111111-1111-4111-8111-111111111111'
const USER = '22222222-2222-4222-8222-222222222222'
const TOKEN = 'oauth-token-telemetry-7f3a9c'
const auth = { accessToken: TOKEN, refreshToken: 'refresh-telemetry-1b2c3d' }

interface Metric {
  type: 'incr' | 'histogram'
  name: string
  value: number
  tags: string[]
}

/** A host's stats client and logger that keep what they are given. */
function fakeHost() {
  const metrics: Metric[] = []
  const lines: string[] = []
  const statsClient = {
    observe: () => undefined,
    _name: (name: string) => name,
    _tags: (tags?: string[]) => tags ?? [],
    incr: (name: string, value = 1, tags: string[] = []) => metrics.push({ type: 'incr', name, value, tags }),
    set: () => undefined,
    histogram: (name: string, value = 0, tags: string[] = []) =>
      metrics.push({ type: 'histogram', name, value, tags })
  }
  const statsContext: StatsContext = { statsClient, tags: ['host:test', 'destination:attio'] }
  const keep = (...message: string[]) => lines.push(message.join(' '))
  const logger: Logger = {
    level: 'debug',
    name: 'test',
    debug: keep,
    info: keep,
    warn: keep,
    error: keep,
    crit: keep,
    log: keep,
    withTags: () => undefined
  }
  /** The sum of a counter over the observations whose tags include all of `tags`. */
  const total = (name: string, tags: string[] = []) =>
    metrics
      .filter((m) => m.type === 'incr' && m.name === name && tags.every((tag) => m.tags.includes(tag)))
      .reduce((sum, m) => sum + m.value, 0)
  const observed = (name: string) => metrics.filter((m) => m.type === 'histogram' && m.name === name)
  return { metrics, lines, statsContext, logger, total, observed }
}

const identify = (userId: string, email: string, extra: Record<string, unknown> = {}) =>
  createTestEvent({ type: 'identify', userId, traits: { email, ...extra } })

function mockSingleWrites() {
  nock(API).persist().put('/v2/objects/people/records').query(true).reply(200, recordBody('people', PERSON))
  nock(API).persist().put('/v2/objects/users/records').query(true).reply(200, recordBody('users', USER))
}

describe('metrics and logs through the host', () => {
  it('counts writes sent and suppressed by object and kind, schema hits and misses, with the host tags', async () => {
    mockSchema()
    mockSingleWrites()
    const host = fakeHost()
    const integration = createTestIntegration(destination)
    const run = () =>
      integration.testAction('identifyUser', {
        event: identify('u-1', 'ada@example.com'),
        auth,
        useDefaultMappings: true,
        statsContext: host.statsContext,
        logger: host.logger
      })
    await run()
    expect(host.total('attio.writes.sent', ['object:people', 'kind:assert'])).toBe(1)
    expect(host.total('attio.writes.sent', ['object:users', 'kind:assert'])).toBe(1)
    expect(host.total('attio.writes.suppressed')).toBe(0)
    expect(host.total('attio.schema.cache_miss', ['list:attributes', 'object:people'])).toBe(1)
    expect(host.observed('attio.write_slot.wait_ms')).toHaveLength(2)
    // Every metric carries the host's tags.
    for (const metric of host.metrics) expect(metric.tags).toEqual(expect.arrayContaining(['host:test']))

    await run()
    expect(host.total('attio.writes.sent')).toBe(2)
    expect(host.total('attio.writes.suppressed', ['object:people', 'kind:assert'])).toBe(1)
    expect(host.total('attio.writes.suppressed', ['object:users', 'kind:assert'])).toBe(1)
    expect(host.total('attio.schema.cache_hit', ['list:attributes', 'object:people'])).toBeGreaterThan(0)
    expect(host.lines).toContain(`[attio] write skipped as unchanged: people record ${PERSON}`)
    expect(host.lines).toContain(`[attio] write skipped as unchanged: users record ${USER}`)
    // Ids only: no email, and never the credential.
    expect(host.lines.join('\n')).not.toContain('ada@example.com')
    expect(host.lines.join('\n')).not.toContain(TOKEN)
  })

  it("counts Sync List Entry's entry writes like record writes: sent, suppressed as unchanged, failed", async () => {
    mockSchema()
    const LIST = '55555555-5555-4555-8555-555555555555'
    const ENTRY = '66666666-6666-4666-8666-666666666666'
    const list = {
      id: { list_id: LIST },
      api_slug: 'onboarding',
      name: 'Onboarding',
      parent_object: ['people']
    }
    const entry = {
      id: { entry_id: ENTRY },
      parent_record_id: PERSON,
      parent_object: 'people',
      entry_values: {}
    }
    nock(API).persist().get('/v2/lists/onboarding').reply(200, { data: list })
    nock(API).persist().put('/v2/objects/people/records').query(true).reply(200, recordBody('people', PERSON))
    nock(API).put(`/v2/lists/${LIST}/entries`).reply(200, { data: entry })
    nock(API)
      .post(`/v2/lists/${LIST}/entries/query`)
      .reply(200, { data: [entry] })
    nock(API)
      .delete(`/v2/lists/${LIST}/entries/${ENTRY}`)
      .reply(500, errorBody(500, 'internal', 'Oops.', 'api_error'))
    const host = fakeHost()
    const integration = createTestIntegration(destination)
    const run = (membership: boolean) =>
      integration.testAction('syncListEntry', {
        event: identify('u-1', 'ada@example.com'),
        auth,
        useDefaultMappings: true,
        mapping: { list: 'onboarding', membership },
        statsContext: host.statsContext,
        logger: host.logger
      })
    await run(true)
    expect(host.total('attio.writes.sent', ['object:people', 'kind:entry_assert'])).toBe(1)
    await run(true)
    expect(host.total('attio.writes.sent', ['kind:entry_assert'])).toBe(1)
    expect(host.total('attio.writes.suppressed', ['object:people', 'kind:entry_assert'])).toBe(1)
    expect(host.lines).toContain(`[attio] write skipped as unchanged: entry ${ENTRY} of a people record`)
    await expect(run(false)).rejects.toThrow()
    expect(host.total('attio.writes.failed', ['object:people', 'kind:entry_delete', 'reason:500'])).toBe(1)
  })

  it("hands over the counts of Assert Record's other sync modes too (update: the query, then the write by id)", async () => {
    mockSchema()
    const found = { data: [recordBody('people', PERSON).data] }
    nock(API).post('/v2/objects/people/records/query').reply(200, found)
    nock(API).put(`/v2/objects/people/records/${PERSON}`).reply(200, recordBody('people', PERSON))
    const host = fakeHost()
    await createTestIntegration(destination).testAction('assertRecord', {
      event: createTestEvent({ type: 'identify', traits: { email: 'ann@example.com', title: 'CEO' } }),
      auth,
      mapping: {
        __segment_internal_sync_mode: 'update',
        object: 'people',
        matching_attribute: 'email_addresses',
        attributes: {
          email_addresses: { '@path': '$.traits.email' },
          job_title: { '@path': '$.traits.title' }
        }
      },
      statsContext: host.statsContext,
      logger: host.logger
    })
    expect(host.total('attio.writes.sent', ['object:people'])).toBe(1)
  })

  it('counts a 429 and its Retry-After wait, and the failed write by its status', async () => {
    mockSchema()
    nock(API)
      .put('/v2/objects/people/records')
      .query(true)
      .reply(429, errorBody(429, 'rate_limit_exceeded', 'Slow down'), { 'Retry-After': '2' })
    const host = fakeHost()
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('identifyUser', {
        event: identify('u-2', 'grace@example.com'),
        // A key of its own: the 429 closes this credential's gate, not the other tests'.
        settings: { api_key: 'key-for-the-429-test-91d2' } as Settings,
        useDefaultMappings: true,
        statsContext: host.statsContext,
        logger: host.logger
      })
    ).rejects.toThrow(/rate-limited/)
    expect(host.total('attio.rate_limited', ['method:PUT'])).toBe(1)
    const waited = host.total('attio.retry_after.wait_ms')
    expect(waited).toBeGreaterThan(1000)
    expect(waited).toBeLessThanOrEqual(2000)
    expect(host.total('attio.writes.failed', ['object:people', 'kind:assert', 'reason:429'])).toBe(1)
    expect(host.lines.join('\n')).not.toContain('key-for-the-429-test-91d2')
  })

  it('logs a schema refresh (without the value) and counts it', async () => {
    mockSchema()
    mockSingleWrites()
    const host = fakeHost()
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('identifyUser', {
        event: identify('u-3', 'alan@example.com', { secret_field: 'private-value-123' }),
        auth,
        mapping: { person_attributes: { no_such_attribute: { '@path': '$.traits.secret_field' } } },
        useDefaultMappings: true,
        statsContext: host.statsContext,
        logger: host.logger
      })
    ).rejects.toThrow(/no_such_attribute/)
    expect(host.total('attio.schema.refresh', ['list:attributes', 'object:people'])).toBe(1)
    expect(host.lines).toContain(
      '[attio] schema refresh: reading the attributes of people again; a value named something the cached list lacks'
    )
    expect(host.lines.join('\n')).not.toContain('private-value-123')
  })

  it('counts bulk requests, assertions per request, batch sizes and the records sent per object', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const host = fakeHost()
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', 'ada@example.com'), identify('u-2', 'grace@example.com')],
      auth,
      useDefaultMappings: true,
      statsContext: host.statsContext,
      logger: host.logger
    })
    expect(host.total('attio.bulk.requests')).toBe(1)
    expect(host.observed('attio.batch.size').map((m) => m.value)).toEqual([2])
    const [perRequest] = host.observed('attio.bulk.assertions_per_request')
    expect(perRequest.value).toBeGreaterThanOrEqual(2)
    expect(host.total('attio.writes.sent', ['object:users', 'kind:bulk'])).toBe(2)
    expect(host.total('attio.writes.sent', ['object:people', 'kind:bulk'])).toBe(2)
    expect(host.total('attio.queue.fallbacks')).toBe(0)
    // Counters reach the host summed, once per invocation: one call for the schema hits of every record
    // (each of the 4 records looks its object's attributes up once; the first of each object is the miss).
    const hits = host.metrics.filter(
      (m) => m.name === 'attio.schema.cache_hit' && m.tags.includes('list:attributes')
    )
    expect(hits.length).toBeLessThanOrEqual(2)
    expect(hits.reduce((sum, m) => sum + m.value, 0)).toBe(2)
  })

  it('counts and logs the fallback to the queue when Attio has no bulk endpoint', async () => {
    mockSchema()
    nock(API)
      .put('/v2/batch/records')
      .reply(404, errorBody(404, 'not_found', 'No route'))
    mockSingleWrites()
    const host = fakeHost()
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', 'ada@example.com')],
      auth,
      useDefaultMappings: true,
      statsContext: host.statsContext,
      logger: host.logger
    })
    expect(host.total('attio.queue.fallbacks', ['reason:no_bulk_endpoint'])).toBe(1)
    expect(host.total('attio.bulk.requests')).toBe(0)
    expect(host.total('attio.writes.sent', ['object:people', 'kind:assert'])).toBe(1)
    expect(
      host.lines.some((line) => line.startsWith('[attio] bulk fallback: Attio has no bulk endpoint'))
    ).toBe(true)
    expect(host.lines.join('\n')).not.toContain(TOKEN)
  })

  it('emits nothing and fails nothing when the host passes no statsContext or logger', async () => {
    mockSchema()
    mockSingleWrites()
    const integration = createTestIntegration(destination)
    // actions-core's harness then passes `{}` for both.
    await expect(
      integration.testAction('identifyUser', {
        event: identify('u-1', 'ada@example.com'),
        auth,
        useDefaultMappings: true
      })
    ).resolves.toBeDefined()
  })
})

describe("the host's AbortSignal", () => {
  it('stops a batch waiting for write slots: what was not sent gets a retryable outcome', async () => {
    mockSchema()
    nock(API)
      .put('/v2/batch/records')
      .reply(404, errorBody(404, 'not_found', 'No route'))
    const controller = new AbortController()
    // Cancelled once a few single writes were answered, however slow the machine: mid-way, by construction
    // (the 80 writes take over 3 s at 25 a second).
    let answered = 0
    const cancelAfterFirst = () => {
      answered += 1
      if (answered === 4) setTimeout(() => controller.abort(), 50)
    }
    nock(API)
      .persist()
      .put('/v2/objects/people/records')
      .query(true)
      .reply(() => (cancelAfterFirst(), [200, recordBody('people', PERSON)]))
    nock(API)
      .persist()
      .put('/v2/objects/users/records')
      .query(true)
      .reply(() => (cancelAfterFirst(), [200, recordBody('users', USER)]))
    const host = fakeHost()
    const integration = createTestIntegration(destination)
    const fields = destination.actions.identifyUser.fields
    const mapping = Object.fromEntries(
      Object.entries(fields).flatMap(([key, field]) =>
        field.default === undefined ? [] : [[key, field.default]]
      )
    ) as JSONObject
    // 40 events, two writes each through the queue: 80 writes at 25 a second would take over 3 s.
    const events = Array.from({ length: 40 }, (_, i) =>
      createTestEvent(identify(`u-${i}`, `user${i}@example.com`) as Partial<SegmentEvent>)
    )
    const outcomes = (await integration.executeBatch('identifyUser', {
      events,
      mapping,
      settings: { api_key: 'key-for-the-abort-test-55ab' } as Settings,
      statsContext: host.statsContext,
      logger: host.logger,
      signal: controller.signal
    })) as unknown as Array<{ status: number; errormessage?: string }>

    const sent = host.total('attio.writes.sent')
    expect(sent).toBeGreaterThan(0)
    expect(sent).toBeLessThan(80)
    const cancelled = outcomes.filter(
      (o) => o.status === 429 && /host cancelled this invocation/.test(o.errormessage ?? '')
    )
    expect(cancelled.length).toBeGreaterThan(0)
    // Every event either went through or is handed back as retryable: none is lost.
    // (A write in flight when the host cancels is aborted: "Could not reach Attio … it is safe to retry", a 503.)
    for (const outcome of outcomes) expect([200, 429, 503]).toContain(outcome.status)
    expect(host.total('attio.writes.failed', ['reason:cancelled'])).toBeGreaterThan(0)
  })
})

describe("fleet mode's shared state, told to the host", () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterAll(async () => {
    await server.stop()
  })
  afterEach(async () => {
    delete process.env.ATTIO_STATE_URL
    await closeSharedState()
  })

  const send = (host: ReturnType<typeof fakeHost>) =>
    createTestIntegration(destination).testAction('identifyUser', {
      event: identify('u-1', 'ada@example.com'),
      auth,
      useDefaultMappings: true,
      settings: { suppress_unchanged_writes: false } as Settings,
      statsContext: host.statsContext,
      logger: host.logger
    })

  it('counts an outage as attio.state.fallbacks and logs its warning through the next invocation, once', async () => {
    process.env.ATTIO_STATE_URL = server.url
    // Configured as soon as the environment says so, before the first write connects.
    expect(sharedStateStatus()).toMatchObject({ configured: true, shared: false })
    setSharedStateWarn(() => undefined)
    mockSchema()
    mockSingleWrites()
    const before = fakeHost()
    await send(before)
    expect(await sharedStateReady()).toBe(true)
    expect(before.total('attio.state.fallbacks')).toBe(0)

    await server.stop()
    for (let i = 0; i < 50 && sharedStateStatus().shared; i++) await new Promise((r) => setTimeout(r, 20))
    const during = fakeHost()
    await send(during)
    expect(during.total('attio.state.fallbacks')).toBe(1)
    expect(during.lines.filter((line) => /not answering/.test(line))).toHaveLength(1)
    expect(during.lines.join('\n')).toMatch(
      /^\[attio\] attio-destination: the shared state at redis:\/\/127\.0\.0\.1:\d+ is not answering/m
    )

    const after = fakeHost()
    await send(after)
    expect(after.total('attio.state.fallbacks')).toBe(0)
    expect(after.lines.join('\n')).not.toMatch(/not answering/)
    await server.resume()
  })

  it('warns once, without showing it, when ATTIO_STATE_URL is not a redis:// URL, and keeps per-process state', async () => {
    process.env.ATTIO_STATE_URL = 'user:s3cret@127.0.0.1:6390'
    const warned: string[] = []
    setSharedStateWarn((message) => warned.push(message))
    mockSchema()
    mockSingleWrites()
    const host = fakeHost()
    await send(host)
    await send(fakeHost())
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatch(
      /ATTIO_STATE_URL is set but is not a redis:\/\/ or rediss:\/\/ URL, so it is ignored/
    )
    expect(host.lines.join('\n')).toContain(warned[0])
    expect(warned.join('\n')).not.toContain('s3cret')
    expect(sharedStateStatus()).toMatchObject({ configured: false, shared: false })
  })
})
