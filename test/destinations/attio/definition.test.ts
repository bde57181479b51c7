import nock from 'nock'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  createRequestClient,
  createTestEvent,
  createTestIntegration,
  Destination
} from '@segment/actions-core'
import destination from '../../../src'
import * as entry from '../../../src'
import { API, errorBody, mockSchema, useNock } from '../../helpers/attio-fixtures'

const selfActive = (scope: string) => ({
  active: true,
  scope,
  client_id: 'app',
  token_type: 'Bearer',
  exp: null,
  iat: 1700000000,
  sub: '14beef7a-99f7-4534-a87e-70b564330a4c',
  aud: 'app',
  iss: 'attio.com',
  authorized_by_workspace_member_id: '50cf242c-7fa3-4cad-87d0-75b1af71c57b',
  workspace_id: '14beef7a-99f7-4534-a87e-70b564330a4c',
  workspace_name: 'Acme',
  workspace_slug: 'acme',
  workspace_logo_url: null
})

useNock()

describe('the destination definition', () => {
  it('loads in actions-core with four actions and four presets', () => {
    const loaded = new Destination(destination)
    expect(loaded.name).toBe('Attio (Actions)')
    expect(destination.slug).toBe('actions-attio')
    expect(destination.mode).toBe('cloud')
    expect(Object.keys(loaded.actions).sort()).toEqual([
      'assertRecord',
      'groupWorkspace',
      'identifyUser',
      'syncListEntry'
    ])
    expect(
      destination.presets?.map((p) => [p.name, p.partnerAction, 'subscribe' in p ? p.subscribe : ''])
    ).toEqual([
      ['Identify User', 'identifyUser', 'type = "identify"'],
      ['Group Workspace', 'groupWorkspace', 'type = "group"'],
      [
        'Sync Audience to List (identify)',
        'syncListEntry',
        'type = "identify" and context.personas.computation_class = "audience"'
      ],
      [
        'Sync Audience to List (track)',
        'syncListEntry',
        'type = "track" and (event = "Audience Entered" or event = "Audience Exited")'
      ]
    ])
    expect(destination.authentication?.scheme).toBe('oauth2')
    expect(destination.authentication?.fields.api_key.type).toBe('password')
  })

  it('is the default export of the package entry', () => {
    // package.json's main points at dist/index.js, built from src/index.ts with the same default export.
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
      main: string
    }
    expect(pkg.main).toBe('dist/index.js')
    expect(entry.default).toBe(destination)
  })
})

describe('testAuthentication (GET /v2/self)', () => {
  it('passes for an active token with the scopes', async () => {
    nock(API)
      .get('/v2/self')
      .reply(200, selfActive('record_permission:read-write object_configuration:read user_management:read'))
    await expect(
      createTestIntegration(destination).testAuthentication({ api_key: 'key-1' })
    ).resolves.not.toThrow()
  })

  it('accepts read-write where read is needed', async () => {
    nock(API)
      .get('/v2/self')
      .reply(200, selfActive('record_permission:read-write object_configuration:read-write'))
    await expect(
      createTestIntegration(destination).testAuthentication({ api_key: 'key-1' })
    ).resolves.not.toThrow()
  })

  it('fails for an inactive token with a message a person can act on', async () => {
    nock(API).get('/v2/self').reply(200, { active: false })
    await expect(createTestIntegration(destination).testAuthentication({ api_key: 'key-1' })).rejects.toThrow(
      /token is inactive .*reconnect the destination to Attio, or create a new API key/
    )
  })

  it("names Sync List Entry's list scopes when they are missing, without failing the test (the actions used are not known)", async () => {
    nock(API).get('/v2/self').reply(200, selfActive('record_permission:read-write object_configuration:read'))
    const test = destination.authentication?.testAuthentication
    if (!test) throw new Error('no testAuthentication')
    const answer = (await test(createRequestClient({ headers: { Authorization: 'Bearer key-1' } }), {
      settings: { api_key: 'key-1' },
      auth: { accessToken: '', refreshToken: '' }
    })) as { notes?: string[] }
    expect(answer.notes).toEqual([
      expect.stringMatching(
        /^Sync List Entry needs the scopes list_entry:read-write and list_configuration:read, which the token lacks: .*before using Sync List Entry/
      )
    ])
    nock(API)
      .get('/v2/self')
      .reply(
        200,
        selfActive(
          'record_permission:read-write object_configuration:read list_entry:read-write list_configuration:read'
        )
      )
    const granted = (await test(createRequestClient({}), {
      settings: { api_key: 'key-1' },
      auth: { accessToken: '', refreshToken: '' }
    })) as {
      notes?: string[]
    }
    expect(granted.notes).toBeUndefined()
  })

  it('names the list scopes too when the record scopes fail the test', async () => {
    nock(API).get('/v2/self').reply(200, selfActive('record_permission:read-write'))
    await expect(createTestIntegration(destination).testAuthentication({ api_key: 'key-1' })).rejects.toThrow(
      /missing the scope object_configuration:read: .* Also: Sync List Entry needs the scopes list_entry:read-write and list_configuration:read/
    )
  })

  it('names each missing scope', async () => {
    nock(API).get('/v2/self').reply(200, selfActive('record_permission:read'))
    await expect(createTestIntegration(destination).testAuthentication({ api_key: 'key-1' })).rejects.toThrow(
      'missing the scopes record_permission:read-write and object_configuration:read'
    )
  })

  it('names a single missing scope', async () => {
    nock(API).get('/v2/self').reply(200, selfActive('record_permission:read-write'))
    await expect(createTestIntegration(destination).testAuthentication({ api_key: 'key-1' })).rejects.toThrow(
      /missing the scope object_configuration:read:/
    )
  })

  it('fails without any credential, before sending', async () => {
    const scope = nock(API).get('/v2/self').reply(200, selfActive(''))
    await expect(createTestIntegration(destination).testAuthentication({})).rejects.toThrow(
      /No Attio credential/
    )
    expect(scope.isDone()).toBe(false)
  })

  it('uses the API key rather than the OAuth token', async () => {
    nock(API, { reqheaders: { authorization: 'Bearer the-api-key' } })
      .get('/v2/self')
      .reply(200, selfActive('record_permission:read-write object_configuration:read'))
    await expect(
      createTestIntegration(destination).testAuthentication({
        api_key: 'the-api-key',
        oauth: { access_token: 'the-oauth-token', refresh_token: 'r' }
      } as never)
    ).resolves.not.toThrow()
  })

  it('uses the OAuth token when there is no API key', async () => {
    nock(API, { reqheaders: { authorization: 'Bearer the-oauth-token' } })
      .get('/v2/self')
      .reply(200, selfActive('record_permission:read-write object_configuration:read'))
    await expect(
      createTestIntegration(destination).testAuthentication({
        oauth: { access_token: 'the-oauth-token', refresh_token: 'r' }
      } as never)
    ).resolves.not.toThrow()
  })

  it.each([
    [
      'Narnia',
      /default_phone_country: "Narnia" is not a two-letter ISO 3166-1 country code; use one such as "US"/
    ],
    [
      'USA',
      /"USA" is not a two-letter ISO 3166-1 country code \(it has three letters: use the two-letter code/
    ]
  ])('refuses the default phone country %s, naming the setting, before sending', async (country, message) => {
    const scope = nock(API)
      .get('/v2/self')
      .reply(200, selfActive('record_permission:read-write object_configuration:read'))
    await expect(
      createTestIntegration(destination).testAuthentication({
        api_key: 'key-1',
        default_phone_country: country
      })
    ).rejects.toThrow(message)
    expect(scope.isDone()).toBe(false)
  })

  it('accepts a two-letter country in any case', async () => {
    nock(API).get('/v2/self').reply(200, selfActive('record_permission:read-write object_configuration:read'))
    await expect(
      createTestIntegration(destination).testAuthentication({ api_key: 'key-1', default_phone_country: 'gb' })
    ).resolves.not.toThrow()
  })

  it('reports a 401 as bad credentials', async () => {
    nock(API)
      .get('/v2/self')
      .reply(401, errorBody(401, 'invalid_token', 'Unknown token', 'auth_error'))
    await expect(createTestIntegration(destination).testAuthentication({ api_key: 'key-1' })).rejects.toThrow(
      /Attio did not accept the credential/
    )
  })
})

describe('credentials never appear in errors', () => {
  const API_KEY = 'SECRET-API-KEY-0123456789'
  const TOKEN = 'SECRET-OAUTH-TOKEN-9876543210'

  // Attio echoing the credential back is the worst case: the destination must still not repeat it.
  const echo = `token ${API_KEY} / ${TOKEN} rejected`

  const cases: Array<[string, () => void]> = [
    [
      '401',
      () =>
        nock(API)
          .get(/.*/)
          .query(true)
          .reply(401, errorBody(401, 'invalid_token', echo, 'auth_error'))
    ],
    [
      '403',
      () =>
        nock(API)
          .get(/.*/)
          .query(true)
          .reply(403, errorBody(403, 'forbidden', echo, 'auth_error'))
    ],
    [
      '400 on a write',
      () => {
        mockSchema()
        nock(API)
          .put(/.*/)
          .query(true)
          .reply(400, errorBody(400, 'validation_type', echo))
      }
    ],
    [
      '429',
      () => {
        mockSchema()
        nock(API)
          .put(/.*/)
          .query(true)
          .reply(429, errorBody(429, 'rate_limit_exceeded', echo, 'rate_limit_error'))
      }
    ],
    [
      'a connection failure',
      () => {
        mockSchema()
        nock(API).put(/.*/).query(true).replyWithError(`socket hang up while sending ${API_KEY} ${TOKEN}`)
      }
    ],
    ['an unmatched request', () => undefined]
  ]

  it.each(cases)('%s', async (_name, setup) => {
    setup()
    const integration = createTestIntegration(destination)
    const settings = { api_key: API_KEY }
    const auth = { accessToken: TOKEN, refreshToken: 'r' }
    const errors: unknown[] = []
    for (const run of [
      () =>
        integration.testAction('identifyUser', {
          event: createTestEvent({ type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } }),
          settings,
          auth,
          useDefaultMappings: true
        }),
      () =>
        integration.testAction('identifyUser', {
          event: createTestEvent({ traits: { email: 'a@b.co' } }),
          auth,
          useDefaultMappings: true
        }),
      () => integration.testAuthentication({ api_key: API_KEY } as never)
    ]) {
      errors.push(
        await run().then(
          () => 'no error',
          (error: unknown) => error
        )
      )
    }
    for (const error of errors) {
      const text = `${String(error)} ${JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}))}`
      expect(text).not.toContain(API_KEY)
      expect(text).not.toContain(TOKEN)
    }
    expect(errors.some((error) => error instanceof Error)).toBe(true)
  })
})
