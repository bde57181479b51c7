/**
 * How each action reports Attio's failures on its first write: a 400 with Attio's message naming the
 * record, 429 and 5xx kept retryable, a 401 as an authentication error, and an answer without a record id
 * as a retryable 502 rather than a crash. Every action goes through the same client, and each is checked.
 */
import nock from 'nock'
import {
  createTestEvent,
  createTestIntegration,
  type JSONObject,
  type SegmentEvent
} from '@segment/actions-core'
import destination from '../../../src'
import { API, errorBody, mockSchema, useNock, writesOf } from '../../helpers/attio-fixtures'

useNock()
const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }

interface Case {
  action: string
  event: SegmentEvent
  mapping?: JSONObject
  /** The object of the first record the action writes, and its label in messages. */
  object: string
  label: string
}

const cases: Case[] = [
  {
    action: 'identifyUser',
    event: createTestEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com' } }),
    object: 'people',
    label: 'Person'
  },
  {
    action: 'groupWorkspace',
    event: createTestEvent({
      type: 'group',
      groupId: 'ws-1',
      userId: 'u-1',
      traits: { website: 'acme.com' }
    }),
    object: 'companies',
    label: 'Company'
  },
  {
    action: 'assertRecord',
    event: createTestEvent({ type: 'track', properties: { domain: 'acme.com' } }),
    mapping: {
      object: 'companies',
      matching_attribute: 'domains',
      attributes: { domains: { '@path': '$.properties.domain' } }
    },
    object: 'companies',
    label: 'companies record'
  }
]

async function run(test: Case): Promise<{ error: unknown; writes: number }> {
  const integration = createTestIntegration(destination)
  const error = await integration
    .testAction(test.action, {
      event: test.event,
      auth,
      useDefaultMappings: true,
      ...(test.mapping ? { mapping: test.mapping } : {})
    })
    .then(
      () => undefined,
      (caught: unknown) => caught
    )
  return { error, writes: writesOf(integration.responses).length }
}

const firstWrite = (object: string) => nock(API).put(`/v2/objects/${object}/records`).query(true)

describe.each(cases)('$action: Attio failures on the first write', (test) => {
  it("surfaces Attio's 400 message naming the record, and sends nothing after it", async () => {
    mockSchema()
    firstWrite(test.object).reply(400, errorBody(400, 'validation_type', 'Body payload validation error.'))
    const { error, writes } = await run(test)
    expect(error).toMatchObject({
      message: `Attio rejected the ${test.label}: validation_type: Body payload validation error.`,
      status: 400
    })
    expect((error as { retry?: boolean }).retry).not.toBe(true)
    expect(writes).toBe(1)
  })

  it.each([429, 500, 503])('keeps %i retryable', async (status) => {
    mockSchema()
    firstWrite(test.object).reply(
      status,
      errorBody(status, status === 429 ? 'rate_limit_exceeded' : 'internal_error', 'Try later'),
      { 'Retry-After': 'Tue, 23 May 2023 14:42:01 GMT' }
    )
    const { error, writes } = await run(test)
    expect(error).toMatchObject({ status, retry: true })
    expect(writes).toBe(1)
  })

  it('makes a 401 an authentication error', async () => {
    mockSchema()
    firstWrite(test.object).reply(401, errorBody(401, 'invalid_token', 'Token invalid', 'auth_error'))
    const { error } = await run(test)
    expect(error).toMatchObject({
      name: 'CredentialRefusedError',
      code: 'INVALID_AUTHENTICATION',
      status: 403
    })
    expect(String((error as Error).message)).not.toContain(auth.accessToken)
  })

  it('makes an answer without a record id a retryable 502, not a crash', async () => {
    mockSchema()
    firstWrite(test.object).reply(200, { data: { values: {} } })
    const { error, writes } = await run(test)
    expect(error).toMatchObject({ status: 502, retry: true })
    expect(String((error as Error).message)).toMatch(new RegExp(`the ${test.label}`))
    expect(writes).toBe(1)
  })
})
