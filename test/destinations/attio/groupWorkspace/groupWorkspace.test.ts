import nock from 'nock'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../../../src'
import { recordsWrittenBefore } from '../../../../src/api'
import {
  API,
  errorBody,
  linesOf,
  mockSchema,
  recordBody,
  writesOf,
  useNock
} from '../../../helpers/attio-fixtures'

const COMPANY_ID = '33333333-3333-4333-8333-333333333333'
const WORKSPACE_ID = '44444444-4444-4444-8444-444444444444'
const USER_RECORD = '55555555-5555-4555-8555-555555555555'
const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }

const group = (overrides: Record<string, unknown> = {}) =>
  createTestEvent({
    type: 'group',
    groupId: 'ws-7',
    userId: 'user-42',
    traits: { website: 'https://www.Acme.com/pricing?x=1', name: 'Acme' },
    ...overrides
  })

useNock()

function mockWrites() {
  nock(API)
    .put('/v2/objects/companies/records')
    .query({ matching_attribute: 'domains' })
    .reply(200, recordBody('companies', COMPANY_ID))
  nock(API)
    .put('/v2/objects/workspaces/records')
    .query({ matching_attribute: 'workspace_id' })
    .reply(200, recordBody('workspaces', WORKSPACE_ID))
}

describe('Group Workspace', () => {
  it('asserts the Company by domain, the Workspace linked to it, then appends the existing User', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API)
      .post('/v2/objects/users/records/query', { filter: { user_id: 'user-42' }, limit: 2 })
      .reply(200, { data: [recordBody('users', USER_RECORD).data] })
    mockWrites()
    nock(API)
      .patch(`/v2/objects/workspaces/records/${WORKSPACE_ID}`)
      .reply(200, recordBody('workspaces', WORKSPACE_ID))

    const responses = await integration.testAction('groupWorkspace', {
      event: group(),
      auth,
      useDefaultMappings: true,
      mapping: { company_attributes: { name: { '@path': '$.traits.name' } } }
    })

    expect(linesOf(responses).filter((line) => !line.startsWith('GET'))).toEqual([
      'PUT /v2/objects/companies/records?matching_attribute=domains',
      'POST /v2/objects/users/records/query',
      'PUT /v2/objects/workspaces/records?matching_attribute=workspace_id',
      `PATCH /v2/objects/workspaces/records/${WORKSPACE_ID}`
    ])
    const [company, workspace, link] = writesOf(responses)
    expect(company.body).toEqual({
      data: { values: { domains: [{ domain: 'acme.com' }], name: [{ value: 'Acme' }] } }
    })
    expect(workspace.body).toEqual({
      data: {
        values: {
          workspace_id: [{ value: 'ws-7' }],
          company: [{ target_object: 'companies', target_record_id: COMPANY_ID }]
        }
      }
    })
    // The user link is an append update, so users already in the workspace stay.
    expect(link.method).toBe('PATCH')
    expect(link.body).toEqual({
      data: { values: { users: [{ target_object: 'users', target_record_id: USER_RECORD }] } }
    })
  })

  it('never creates a User: an unknown user id fails saying Identify User must run first', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API).post('/v2/objects/users/records/query').reply(200, { data: [] })
    nock(API).put('/v2/objects/companies/records').query(true).reply(200, recordBody('companies', COMPANY_ID))
    nock(API)
      .put('/v2/objects/workspaces/records')
      .query(true)
      .reply(200, recordBody('workspaces', WORKSPACE_ID))
    const error = await integration
      .testAction('groupWorkspace', { event: group(), auth, useDefaultMappings: true })
      .then(
        () => undefined,
        (thrown: unknown) => thrown as Error
      )
    expect(error?.message).toMatch(
      /^user_id: Attio has no User with user_id "user-42": run Identify User for this user first.*the Company and Workspace were written\.$/
    )
    // The error says what the event wrote, for the page and the CLI to show.
    expect(recordsWrittenBefore(error)).toEqual([
      { object: 'companies', label: 'Company', record_id: COMPANY_ID, result: 'asserted' },
      { object: 'workspaces', label: 'Workspace', record_id: WORKSPACE_ID, result: 'asserted' }
    ])
    expect(recordsWrittenBefore(new Error('another'))).toBeUndefined()
    // The Company and the Workspace are still written, without the link; no User is created.
    const writes = writesOf(integration.responses)
    expect(writes.map((r) => r.path)).toEqual([
      '/v2/objects/companies/records?matching_attribute=domains',
      '/v2/objects/workspaces/records?matching_attribute=workspace_id'
    ])
    expect(writes[1].body).toEqual({
      data: {
        values: {
          workspace_id: [{ value: 'ws-7' }],
          company: [{ target_object: 'companies', target_record_id: COMPANY_ID }]
        }
      }
    })
  })

  it('links no user when the event has none', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    mockWrites()
    const responses = await integration.testAction('groupWorkspace', {
      event: group({ userId: undefined }),
      auth,
      useDefaultMappings: true
    })
    expect(writesOf(responses).map((r) => r.method)).toEqual(['PUT', 'PUT'])
  })

  it('falls back to traits.domain when there is no website', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    mockWrites()
    const responses = await integration.testAction('groupWorkspace', {
      event: group({ userId: undefined, traits: { domain: 'ACME.io.' } }),
      auth,
      useDefaultMappings: true
    })
    expect(
      (writesOf(responses)[0].body as { data: { values: { domains: unknown } } }).data.values.domains
    ).toEqual([{ domain: 'acme.io' }])
  })

  it.each([
    ['a missing domain', { traits: {} }, /domain/],
    [
      'garbage as the domain',
      { traits: { website: 'not a domain' } },
      /domain: "not a domain" contains spaces/
    ],
    ['a mailto URL', { traits: { website: 'mailto:x@y.com' } }, /domain: "mailto:x@y.com"/],
    ['a missing group id', { groupId: undefined }, /workspace_id/]
  ])('refuses %s and sends nothing', async (_case, overrides, message) => {
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('groupWorkspace', { event: group(overrides), auth, useDefaultMappings: true })
    ).rejects.toThrow(message)
    expect(integration.responses).toHaveLength(0)
  })

  it('a failed Company assert sends no Workspace', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API)
      .post('/v2/objects/users/records/query')
      .reply(200, { data: [recordBody('users', USER_RECORD).data] })
    nock(API)
      .put('/v2/objects/companies/records')
      .query(true)
      .reply(503, errorBody(503, 'unavailable', 'Down'))
    await expect(
      integration.testAction('groupWorkspace', { event: group(), auth, useDefaultMappings: true })
    ).rejects.toMatchObject({
      status: 503,
      message: 'Attio failed on the Company (unavailable: Down); it is safe to retry.'
    })
    expect(writesOf(integration.responses)).toHaveLength(1)
  })
})
