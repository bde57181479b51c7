import nock from 'nock'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../../../src'
import {
  API,
  errorBody,
  linesOf,
  mockSchema,
  recordBody,
  requestsOf,
  writesOf,
  useNock
} from '../../../helpers/attio-fixtures'

const PERSON_ID = '11111111-1111-4111-8111-111111111111'
const USER_ID = '22222222-2222-4222-8222-222222222222'
const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'refresh-xyz' }

const identify = (overrides: Record<string, unknown> = {}) =>
  createTestEvent({
    type: 'identify',
    userId: 'user-42',
    traits: { email: ' Ada@Example.com ', name: 'Ada Lovelace' },
    ...overrides
  })

useNock()

describe('Identify User', () => {
  it('asserts the Person by email, then the User by id linked to it', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API)
      .put('/v2/objects/people/records')
      .query({ matching_attribute: 'email_addresses' })
      .reply(200, recordBody('people', PERSON_ID))
    nock(API)
      .put('/v2/objects/users/records')
      .query({ matching_attribute: 'user_id' })
      .reply(200, recordBody('users', USER_ID))

    const responses = await integration.testAction('identifyUser', {
      event: identify(),
      auth,
      useDefaultMappings: true,
      mapping: { person_attributes: { name: { '@path': '$.traits.name' } }, user_attributes: { plan: 'Pro' } }
    })

    expect(linesOf(responses)).toEqual([
      'GET /v2/objects/people/attributes?show_archived=true',
      'GET /v2/objects/users/attributes?show_archived=true',
      'GET /v2/objects/users/attributes/plan/options?show_archived=true',
      'PUT /v2/objects/people/records?matching_attribute=email_addresses',
      'PUT /v2/objects/users/records?matching_attribute=user_id'
    ])
    const [person, user] = writesOf(responses)
    expect(person.body).toEqual({
      data: {
        values: {
          email_addresses: [{ email_address: 'ada@example.com' }],
          name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }]
        }
      }
    })
    expect(user.body).toEqual({
      data: {
        values: {
          user_id: [{ value: 'user-42' }],
          primary_email_address: [{ email_address: 'ada@example.com' }],
          plan: [{ option: 'Pro' }],
          person: [{ target_object: 'people', target_record_id: PERSON_ID }]
        }
      }
    })
    expect(requestsOf(responses).every((r) => r.authorization === 'Bearer oauth-token-abc123')).toBe(true)
  })

  it('answers with the records written, in order', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API).put('/v2/objects/people/records').query(true).reply(200, recordBody('people', PERSON_ID))
    nock(API).put('/v2/objects/users/records').query(true).reply(200, recordBody('users', USER_ID))
    await integration.testAction('identifyUser', { event: identify(), auth, useDefaultMappings: true })
    expect(integration.results.at(-1)?.data).toEqual({
      records: [
        { object: 'people', label: 'Person', record_id: PERSON_ID, result: 'asserted' },
        { object: 'users', label: 'User', record_id: USER_ID, result: 'asserted' }
      ]
    })
  })

  it.each([
    ['traits.email', { traits: { email: 'a@b.co' } }],
    ['context.traits.email', { traits: {}, context: { traits: { email: 'a@b.co' } } }],
    ['properties.email', { traits: {}, properties: { email: 'a@b.co' } }]
  ])('default mapping reads the email from %s', async (_where, overrides) => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API).put('/v2/objects/people/records').query(true).reply(200, recordBody('people', PERSON_ID))
    nock(API).put('/v2/objects/users/records').query(true).reply(200, recordBody('users', USER_ID))
    const preset = destination.presets?.find((p) => p.name === 'Identify User')
    const responses = await integration.testAction('identifyUser', {
      event: identify(overrides),
      auth,
      mapping: preset?.mapping
    })
    expect(
      (writesOf(responses)[0].body as { data: { values: Record<string, unknown> } }).data.values
        .email_addresses
    ).toEqual([{ email_address: 'a@b.co' }])
  })

  it.each([
    ['a missing email', { traits: {} }, /email_address/],
    [
      'an invalid email',
      { traits: { email: 'ada@@example' } },
      /email_address: "ada@@example" is not a valid email address/
    ],
    ['an email of spaces', { traits: { email: '   ' } }, /email_address is missing/],
    ['a missing user id', { userId: undefined, traits: { email: 'a@b.co' } }, /user_id/]
  ])('refuses %s and sends nothing', async (_case, overrides, message) => {
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('identifyUser', { event: identify(overrides), auth, useDefaultMappings: true })
    ).rejects.toThrow(message)
    expect(integration.responses).toHaveLength(0)
  })

  it("surfaces Attio's 400 message naming the Person, and sends no User", async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API)
      .put('/v2/objects/people/records')
      .query(true)
      .reply(
        400,
        errorBody(
          400,
          'value_not_found',
          'No attribute was found for matching_attribute slug/ID "email_addresses".'
        )
      )
    await expect(
      integration.testAction('identifyUser', { event: identify(), auth, useDefaultMappings: true })
    ).rejects.toMatchObject({
      message:
        'Attio rejected the Person: value_not_found: No attribute was found for matching_attribute slug/ID "email_addresses".',
      status: 400
    })
    expect(writesOf(integration.responses)).toHaveLength(1)
  })

  it.each([429, 500, 503])('keeps a retryable status for %i', async (status) => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API)
      .put('/v2/objects/people/records')
      .query(true)
      .reply(
        status,
        errorBody(status, status === 429 ? 'rate_limit_exceeded' : 'internal_error', 'Try later'),
        {
          'Retry-After': 'Tue, 23 May 2023 14:42:01 GMT'
        }
      )
    const error = await integration
      .testAction('identifyUser', { event: identify(), auth, useDefaultMappings: true })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ status, retry: true })
    expect(writesOf(integration.responses)).toHaveLength(1)
  })

  it('makes a 401 an authentication error', async () => {
    const integration = createTestIntegration(destination)
    nock(API)
      .get(/\/v2\/objects\/\w+\/attributes/)
      .query(true)
      .reply(401, errorBody(401, 'invalid_token', 'Token invalid', 'auth_error'))
    const error = await integration
      .testAction('identifyUser', { event: identify(), auth, useDefaultMappings: true })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      name: 'CredentialRefusedError',
      code: 'INVALID_AUTHENTICATION',
      status: 403
    })
  })

  it('fails before sending when there is no credential at all', async () => {
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('identifyUser', { event: identify(), useDefaultMappings: true })
    ).rejects.toThrow(/No Attio credential/)
    expect(integration.responses).toHaveLength(0)
  })

  it('uses the API key setting instead of the OAuth token', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API).put('/v2/objects/people/records').query(true).reply(200, recordBody('people', PERSON_ID))
    nock(API).put('/v2/objects/users/records').query(true).reply(200, recordBody('users', USER_ID))
    const responses = await integration.testAction('identifyUser', {
      event: identify(),
      auth,
      settings: { api_key: 'workspace-key-777' },
      useDefaultMappings: true
    })
    expect(new Set(requestsOf(responses).map((r) => r.authorization))).toEqual(
      new Set(['Bearer workspace-key-777'])
    )
  })
})
