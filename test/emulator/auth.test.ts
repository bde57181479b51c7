import { caller, useEmulator } from './helpers'

describe('authentication and scopes', () => {
  const { emu, call } = useEmulator({
    tokens: [
      {
        token: 'full',
        scopes: ['record_permission:read-write', 'object_configuration:read-write', 'user_management:read']
      },
      { token: 'config-only', scopes: ['object_configuration:read'] },
      { token: 'read-only', scopes: ['record_permission:read', 'object_configuration:read'] },
      { token: 'dead', scopes: ['record_permission:read-write'], active: false }
    ]
  })

  test('a request without a token is a 401 in Attio error shape', async () => {
    const r = await caller(emu(), null)('GET', '/v2/objects')
    expect(r.status).toBe(401)
    expect(r.body).toMatchObject({ status_code: 401, type: 'auth_error', code: 'unauthorized' })
    expect(typeof r.body.message).toBe('string')
  })

  test('an unknown bearer token is a 401', async () => {
    const r = await caller(emu(), 'nope')('GET', '/v2/objects')
    expect(r.status).toBe(401)
    expect(r.body.code).toBe('unauthorized')
  })

  test('HTTP Basic with the token as user name works', async () => {
    const basic = Buffer.from('read-only:').toString('base64')
    const r = await caller(emu(), null)('GET', '/v2/objects', undefined, { authorization: `Basic ${basic}` })
    expect(r.status).toBe(200)
    const bad = Buffer.from('nope:').toString('base64')
    expect(
      (await caller(emu(), null)('GET', '/v2/objects', undefined, { authorization: `Basic ${bad}` })).status
    ).toBe(401)
  })

  test('a token lacking the scopes of an endpoint gets a 403 naming the missing scopes', async () => {
    const r = await caller(emu(), 'config-only')(
      'PUT',
      '/v2/objects/people/records?matching_attribute=email_addresses',
      {
        data: { values: { email_addresses: ['a@b.com'] } }
      }
    )
    expect(r.status).toBe(403)
    expect(r.body).toMatchObject({ status_code: 403, type: 'auth_error' })
    expect(r.body.message).toContain('record_permission:read-write')
    expect(r.body.message).not.toContain('object_configuration:read')
    expect(emu().state().people).toHaveLength(0)
  })

  test('listing attributes needs object_configuration:read; read-write satisfies read', async () => {
    expect((await caller(emu(), 'config-only')('GET', '/v2/objects/people/attributes')).status).toBe(200)
    expect((await caller(emu(), 'full')('GET', '/v2/objects/people/attributes')).status).toBe(200)
    const r = await caller(emu(), 'read-only')(
      'PUT',
      '/v2/objects/people/records?matching_attribute=email_addresses',
      {
        data: { values: { email_addresses: ['a@b.com'] } }
      }
    )
    expect(r.status).toBe(403)
    expect(r.body.message).toContain('record_permission:read-write')
  })

  test('GET /v2/self describes an active token', async () => {
    const r = await caller(emu(), 'config-only')('GET', '/v2/self')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      active: true,
      scope: 'object_configuration:read',
      token_type: 'Bearer',
      iss: 'attio.com',
      workspace_name: 'Emulated Workspace',
      workspace_slug: 'emulated-workspace',
      workspace_logo_url: null
    })
    expect(r.body.workspace_id).toBe(r.body.sub)
  })

  test('GET /v2/self answers {active:false} for an inactive token, which is refused elsewhere', async () => {
    const r = await caller(emu(), 'dead')('GET', '/v2/self')
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ active: false })
    expect((await caller(emu(), 'dead')('GET', '/v2/objects')).status).toBe(401)
  })

  test('apiKey is an extra token with all scopes when none of the given tokens has them', async () => {
    expect(['full', 'config-only', 'read-only', 'dead']).not.toContain(emu().apiKey)
    const r = await call()('GET', '/v2/self')
    expect(r.body.scope.split(' ')).toEqual(
      expect.arrayContaining(['record_permission:read-write', 'webhook:read-write'])
    )
  })

  test('unknown routes are a 404 in Attio error shape', async () => {
    const r = await call()('GET', '/v2/nothing-here')
    expect(r.status).toBe(404)
    expect(r.body).toMatchObject({ status_code: 404, type: 'invalid_request_error', code: 'not_found' })
  })
})
