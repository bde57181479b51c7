/**
 * Redundant-write suppression: a write whose values Attio already holds from an earlier successful
 * write of this process is not sent; everything else always is.
 */
import nock from 'nock'
import { createTestEvent, createTestIntegration, type JSONObject } from '@segment/actions-core'
import destination from '../../src'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { clearWriteMemory } from '../../src/api'
import {
  API,
  capture,
  errorBody,
  mockSchema,
  recordBody,
  requestsOf,
  useNock,
  writesOf
} from '../helpers/attio-fixtures'

useNock()
const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }
const PERSON = '11111111-1111-4111-8111-111111111111'
const USER = '22222222-2222-4222-8222-222222222222'

function mockWrites() {
  nock(API).persist().put('/v2/objects/people/records').query(true).reply(200, recordBody('people', PERSON))
  nock(API).persist().put('/v2/objects/users/records').query(true).reply(200, recordBody('users', USER))
  nock(API)
    .persist()
    .patch(/\/v2\/objects\/\w+\/records\/.+/)
    .reply(200, recordBody('people', PERSON))
}

/** The Company and Workspace asserts of Group Workspace, answered any number of times. */
function mockGroupAsserts() {
  nock(API).persist().put('/v2/objects/companies/records').query(true).reply(200, recordBody('companies'))
  nock(API)
    .persist()
    .put('/v2/objects/workspaces/records')
    .query(true)
    .reply(200, recordBody('workspaces', PERSON))
}

const group = () =>
  createTestEvent({ type: 'group', groupId: 'ws-1', userId: 'u-1', traits: { website: 'acme.com' } })
const identify = (traits: Record<string, unknown> = {}, userId = 'u-1') =>
  createTestEvent({ type: 'identify', userId, traits: { email: 'ada@example.com', ...traits } })
const mapping: JSONObject = {
  person_attributes: {
    job_title: { '@path': '$.traits.title' },
    phone_numbers: { '@path': '$.traits.phone' }
  },
  user_attributes: { seats: { '@path': '$.traits.seats' } }
}

async function send(
  integration: ReturnType<typeof createTestIntegration<Settings>>,
  event = identify(),
  settings: Settings = {}
) {
  const { responses, error } = await capture(integration, (i) =>
    i.testAction('identifyUser', { event, auth, settings, mapping, useDefaultMappings: true })
  )
  return { writes: writesOf(responses), error, data: integration.results.at(-1)?.data }
}

describe('redundant-write suppression', () => {
  it('does not send an identical write again, and says it skipped it as unchanged', async () => {
    mockSchema()
    mockWrites()
    const integration = createTestIntegration(destination)
    expect((await send(integration, identify({ title: 'CTO', seats: 3 }))).writes).toHaveLength(2)
    const second = await send(integration, identify({ title: 'CTO', seats: 3 }))
    expect(second.writes).toEqual([])
    expect(second.data).toEqual({
      records: [
        { object: 'people', label: 'Person', record_id: PERSON, result: 'unchanged' },
        { object: 'users', label: 'User', record_id: USER, result: 'unchanged' }
      ]
    })
  })

  it('sends a changed value (and only the record it changes)', async () => {
    mockSchema()
    mockWrites()
    const integration = createTestIntegration(destination)
    await send(integration, identify({ title: 'CTO', seats: 3 }))
    const changed = await send(integration, identify({ title: 'CEO', seats: 3 }))
    expect(changed.writes.map((w) => w.path.split('?')[0])).toEqual(['/v2/objects/people/records'])
  })

  it('sends a new multiselect value with the append update only', async () => {
    mockSchema()
    mockWrites()
    const integration = createTestIntegration(destination)
    await send(integration, identify({ phone: '+14155552671' }))
    expect((await send(integration, identify({ phone: '+14155552671' }))).writes).toEqual([])
    const more = await send(integration, identify({ phone: '+442079460958' }))
    expect(more.writes.map((w) => w.method)).toEqual(['PATCH'])
  })

  it('never remembers a failed write', async () => {
    mockSchema()
    nock(API).put('/v2/objects/people/records').query(true).reply(200, recordBody('people', PERSON))
    nock(API)
      .put('/v2/objects/users/records')
      .query(true)
      .reply(503, errorBody(503, 'unavailable', 'Down'))
    mockWrites()
    const integration = createTestIntegration(destination)
    expect((await send(integration)).error?.message).toMatch(/Attio failed on the User/)
    // The Person was written, the User was not: the retry sends the User (and skips the Person).
    expect((await send(integration)).writes.map((w) => w.path.split('?')[0])).toEqual([
      '/v2/objects/users/records'
    ])
  })

  it('keeps two credentials (workspaces) apart', async () => {
    mockSchema()
    mockWrites()
    const integration = createTestIntegration(destination)
    await send(integration, identify(), { api_key: 'key-A' })
    expect((await send(integration, identify(), { api_key: 'key-A' })).writes).toHaveLength(0)
    expect((await send(integration, identify(), { api_key: 'key-B' })).writes).toHaveLength(2)
  })

  it('evicts at the bound', async () => {
    clearWriteMemory({ max: 2 })
    mockSchema()
    // Each user and person is its own record in Attio.
    const idOf = (body: unknown) =>
      `00000000-0000-4000-8000-${String(JSON.stringify(body).length).padStart(12, '0')}`
    for (const object of ['people', 'users'])
      nock(API)
        .persist()
        .put(`/v2/objects/${object}/records`)
        .query(true)
        .reply(200, (_uri, body) => recordBody(object, idOf(body)))
    const integration = createTestIntegration(destination)
    await send(integration, identify({ email: 'ada@example.com' }, 'u-1'))
    // u-2's person and user evict u-1's.
    await send(integration, identify({ email: 'grace.hopper@example.com' }, 'u-2'))
    expect(
      (await send(integration, identify({ email: 'ada@example.com' }, 'u-1'))).writes.length
    ).toBeGreaterThan(0)
  })

  it('sends again once the entry has expired', async () => {
    clearWriteMemory({ ttlMs: 30 })
    mockSchema()
    mockWrites()
    const integration = createTestIntegration(destination)
    await send(integration)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect((await send(integration)).writes).toHaveLength(2)
  })

  it('sends every write when the setting turns it off', async () => {
    mockSchema()
    mockWrites()
    const integration = createTestIntegration(destination)
    const settings = { suppress_unchanged_writes: false }
    await send(integration, identify(), settings)
    expect((await send(integration, identify(), settings)).writes).toHaveLength(2)
  })

  it('links a User this process wrote without looking it up', async () => {
    mockSchema()
    mockWrites()
    mockGroupAsserts()
    const integration = createTestIntegration(destination)
    await send(integration)
    const { responses, error } = await capture(integration, (i) =>
      i.testAction('groupWorkspace', { event: group(), auth, useDefaultMappings: true })
    )
    expect(error).toBeUndefined()
    // No query for the User: its record id is known from the Identify User write (the GETs are the
    // schema reads of the two objects this test had not used yet).
    expect(
      requestsOf(responses)
        .filter((r) => r.method !== 'GET')
        .map((r) => `${r.method} ${r.path.split('?')[0]}`)
    ).toEqual([
      'PUT /v2/objects/companies/records',
      'PUT /v2/objects/workspaces/records',
      `PATCH /v2/objects/workspaces/records/${PERSON}`
    ])
    expect(writesOf(responses)[2].body).toEqual({
      data: { values: { users: [{ target_object: 'users', target_record_id: USER }] } }
    })
  })

  it('does not make a workspace-user link again (no lookup, no update)', async () => {
    mockSchema()
    nock(API)
      .post('/v2/objects/users/records/query')
      .once()
      .reply(200, { data: [recordBody('users', USER).data] })
    mockGroupAsserts()
    nock(API).persist().patch(/.*/).reply(200, recordBody('workspaces', PERSON))
    const integration = createTestIntegration(destination)
    const first = await capture(integration, (i) =>
      i.testAction('groupWorkspace', { event: group(), auth, useDefaultMappings: true })
    )
    expect(writesOf(first.responses).map((w) => w.method)).toEqual(['PUT', 'PUT', 'PATCH'])
    const second = await capture(integration, (i) =>
      i.testAction('groupWorkspace', { event: group(), auth, useDefaultMappings: true })
    )
    expect(second.error).toBeUndefined()
    expect(second.responses).toHaveLength(0)
  })
})
