/**
 * The workspace's attribute schema (src/api/schema.ts), through the actions: read once and cached per
 * credential, refreshed once on an unknown slug or option, bounded, large lists read whole, and a refresh that
 * fails not counted as one. What is refused before sending is in records/prepare.test.ts.
 */
import nock from 'nock'
import { createTestEvent, createTestIntegration, type JSONObject } from '@segment/actions-core'
import destination from '../../src'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { clearSchemaCache } from '../../src/api'
import {
  API,
  ATTRIBUTES,
  attribute,
  OBJECTS,
  capture,
  linesOf,
  mockSchema,
  recordBody,
  writesOf,
  useNock
} from '../helpers/attio-fixtures'

const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }
const identify = createTestEvent({
  type: 'identify',
  userId: 'u-1',
  traits: { email: 'ada@example.com', phone: '555 0100' }
})

useNock()

describe('the attribute schema cache', () => {
  const seen: unknown[] = []
  beforeEach(() => {
    seen.length = 0
  })
  const run = async (
    integration: ReturnType<typeof createTestIntegration<Settings>>,
    settings: Settings,
    options: { email?: string; mapping?: JSONObject } = {}
  ) => {
    const { responses, error } = await capture(integration, (i) =>
      i.testAction('identifyUser', {
        event: createTestEvent({
          type: 'identify',
          userId: 'u-1',
          traits: { email: options.email ?? 'a@b.co' }
        }),
        auth,
        settings,
        mapping: options.mapping,
        useDefaultMappings: true
      })
    )
    seen.push(...responses)
    return error
  }

  it('reads the attributes once for many events', async () => {
    mockSchema()
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('people'))
    const integration = createTestIntegration(destination)
    for (let i = 0; i < 20; i++)
      expect(await run(integration, {}, { email: `user${i}@example.com` })).toBeUndefined()
    const reads = linesOf(seen).filter((line) => line.startsWith('GET'))
    expect(reads).toEqual([
      'GET /v2/objects/people/attributes?show_archived=true',
      'GET /v2/objects/users/attributes?show_archived=true'
    ])
    expect(writesOf(seen)).toHaveLength(40)
  })

  it('refreshes once on an unknown slug (it may have just been created), then knows it', async () => {
    nock(API).get('/v2/objects/users/attributes').query(true).reply(200, { data: ATTRIBUTES.users })
    nock(API)
      .get('/v2/objects/users/attributes')
      .query(true)
      .reply(200, { data: [...ATTRIBUTES.users, attribute('users', { slug: 'fresh', type: 'text' })] })
    mockSchema(['people'])
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('users'))
    const integration = createTestIntegration(destination)
    expect(await run(integration, {}, { mapping: { user_attributes: { fresh: 'yes' } } })).toBeUndefined()
    expect(linesOf(seen).filter((l) => l.includes('/users/attributes'))).toHaveLength(2)
    expect(
      (writesOf(seen)[1].body as { data: { values: Record<string, unknown> } }).data.values.fresh
    ).toEqual([{ value: 'yes' }])
  })

  it('declares an unknown slug unknown after one refresh, without a read per event', async () => {
    mockSchema()
    const integration = createTestIntegration(destination)
    for (let i = 0; i < 5; i++) {
      expect((await run(integration, {}, { mapping: { user_attributes: { nope: 1 } } }))?.message).toMatch(
        /has no attribute "nope"/
      )
    }
    expect(linesOf(seen).filter((l) => l.includes('/users/attributes'))).toHaveLength(2)
  })

  it('keeps two credentials (workspaces) apart', async () => {
    const withPlan = ATTRIBUTES.users
    const withoutPlan = ATTRIBUTES.users.filter((a) => a.api_slug !== 'plan')
    nock(API, { reqheaders: { authorization: 'Bearer key-A' } })
      .persist()
      .get('/v2/objects/users/attributes')
      .query(true)
      .reply(200, { data: withPlan })
    nock(API, { reqheaders: { authorization: 'Bearer key-B' } })
      .persist()
      .get('/v2/objects/users/attributes')
      .query(true)
      .reply(200, { data: withoutPlan })
    nock(API)
      .persist()
      .get('/v2/objects/people/attributes')
      .query(true)
      .reply(200, { data: ATTRIBUTES.people })
    nock(API)
      .persist()
      .get('/v2/objects/users/attributes/plan/options')
      .query(true)
      .reply(200, { data: [{ title: 'Pro' }] })
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('users'))
    const integration = createTestIntegration(destination)
    const mapping = { user_attributes: { plan: 'Pro' } }
    await integration.testAction('identifyUser', {
      event: identify,
      auth,
      settings: { api_key: 'key-A' },
      mapping,
      useDefaultMappings: true
    })
    await expect(
      integration.testAction('identifyUser', {
        event: identify,
        auth,
        settings: { api_key: 'key-B' },
        mapping,
        useDefaultMappings: true
      })
    ).rejects.toThrow(/has no attribute "plan"/)
  })

  it('evicts the least recently used workspace at the bound', async () => {
    clearSchemaCache({ max: 2 })
    nock(API)
      .persist()
      .get(/\/v2\/objects\/\w+\/attributes/)
      .query(true)
      .reply(200, (uri) => ({
        data: ATTRIBUTES[uri.split('/')[3]]
      }))
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('people'))
    const integration = createTestIntegration(destination)
    await run(integration, { api_key: 'key-1' }) // people + users for key-1 (2 entries)
    await run(integration, { api_key: 'key-1' }) // cached
    expect(linesOf(seen).filter((l) => l.startsWith('GET'))).toHaveLength(2)
    await run(integration, { api_key: 'key-2' }) // evicts both of key-1's entries
    await run(integration, { api_key: 'key-1' }) // reads again
    expect(linesOf(seen).filter((l) => l.startsWith('GET'))).toHaveLength(6)
  })
})

describe('large responses', () => {
  it('reads an attribute list of over 64 KB (node-fetch stalls on large cloned bodies)', async () => {
    const many = [
      ...ATTRIBUTES.people,
      ...Array.from({ length: 300 }, (_, i) =>
        attribute('people', { slug: `custom_${i}`, type: 'text', title: `Custom field ${i}` })
      )
    ]
    expect(JSON.stringify(many).length).toBeGreaterThan(64 * 1024)
    nock(API).get('/v2/objects/people/attributes').query(true).reply(200, { data: many })
    mockSchema(['users'])
    nock(API).put(/.*/).query(true).times(2).reply(200, recordBody('people'))
    const integration = createTestIntegration(destination)
    const responses = await integration.testAction('identifyUser', {
      event: identify,
      auth,
      useDefaultMappings: true,
      mapping: { person_attributes: { custom_299: 'x' } }
    })
    expect(writesOf(responses)).toHaveLength(2)
  }, 15_000)
})

describe('schema drift: a refresh that fails does not count', () => {
  it('a value naming a new option is retryable while the refresh fails, and accepted once it succeeds', async () => {
    // Everything but the plan options, which are read first as the seed has them, then fail, then hold "Team".
    const base = ['Free', 'Pro', 'Enterprise']
    const options = (titles: string[]) => ({
      data: titles.map((title, i) => ({ id: { option_id: `opt-${i}` }, title, is_archived: false }))
    })
    nock(API).persist().get('/v2/objects').reply(200, { data: OBJECTS })
    for (const object of ['people', 'users'])
      nock(API)
        .persist()
        .get(`/v2/objects/${object}/attributes`)
        .query(true)
        .reply(200, { data: ATTRIBUTES[object] })
    const plan = '/v2/objects/users/attributes/plan/options'
    nock(API).get(plan).query(true).reply(200, options(base))
    nock(API)
      .get(plan)
      .query(true)
      .reply(503, { status_code: 503, type: 'api_error', code: 'x', message: 'Down' })
    nock(API)
      .get(plan)
      .query(true)
      .reply(200, options([...base, 'Team']))
    nock(API)
      .persist()
      .put(/\/v2\/objects\/\w+\/records/)
      .query(true)
      .reply(200, recordBody('users'))
    const send = (planTitle: string) =>
      createTestIntegration(destination)
        .testAction('identifyUser', {
          event: createTestEvent({
            type: 'identify',
            userId: 'u-1',
            traits: { email: 'ada@example.com', plan: planTitle }
          }),
          auth,
          mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } },
          useDefaultMappings: true
        })
        .then(
          () => 'delivered',
          (error: { status?: number }) => error.status
        )
    expect(await send('Pro')).toBe('delivered')
    expect(await send('Team')).toBe(503)
    expect(await send('Team')).toBe('delivered')
  })
})
