/**
 * What the batch suites (test/api/batch/) share: the events they send, the bodies and outcomes they read,
 * and the users a test has this process send through the bulk endpoint first (which a later group batch
 * asserts again inside its links instead of looking them up).
 */
import nock from 'nock'
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../../src'
import type { Settings } from '../../../src/destinations/attio/generated-types'
import { API, recordBody, requestsOf } from '../../helpers/attio-fixtures'

export const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }

export const at = (second: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, second)).toISOString()
export const identify = (
  userId: string | undefined,
  email: unknown,
  second: number,
  traits: Record<string, unknown> = {}
) =>
  ({
    type: 'identify',
    userId,
    receivedAt: at(second),
    traits: { email, ...traits }
  }) as unknown as SegmentEvent

/** A group event of Workspace ws-1 (acme.com) naming a user. */
export const group = (userId: string, second: number) =>
  ({
    type: 'group',
    groupId: 'ws-1',
    userId,
    receivedAt: at(second),
    traits: { website: 'acme.com' }
  }) as unknown as SegmentEvent

export interface Multistatus {
  status: number
  errormessage?: string
  errortype?: string
  body?: Record<string, unknown>
  sent?: Record<string, unknown>
}
export const multistatus = (integration: ReturnType<typeof createTestIntegration<Settings>>) =>
  (integration.results[0] as unknown as { multistatus: Multistatus[] }).multistatus

export type Assertion = { object: string; values: Record<string, unknown>; [key: string]: unknown }
export function bulkBodies(responses: readonly unknown[]): Assertion[][] {
  return requestsOf(responses)
    .filter((r) => r.path === '/v2/batch/records')
    .map((r) => (r.body as { assertions: Assertion[] }).assertions)
}

/** The assertions of a request that link a record to others (a Workspace's users), by the linking record's key. */
export function linksIn(assertions: Assertion[]): Assertion[] {
  return assertions.filter((a) => a.values.users !== undefined)
}

// Users this process sent through the bulk endpoint.

export const userAssertion = (userId: string, email: string, second: number) => ({
  object: 'users',
  mode: 'create-or-update',
  matching_attribute: 'user_id',
  multiselect_values: 'append',
  received_at: at(second),
  values: {
    user_id: [{ value: userId }],
    primary_email_address: [{ email_address: email }]
  }
})

export const U1 = '11111111-1111-4111-8111-111111111111'
export const idOfU1 = { target_object: 'users', target_record_id: U1 }
export const lookupOfU1 = () =>
  nock(API)
    .post('/v2/objects/users/records/query', { filter: { user_id: { $in: ['u-1'] } }, limit: 1 })
    .reply(200, { data: [{ ...recordBody('users', U1).data, values: { user_id: [{ value: 'u-1' }] } }] })

/** Identify User for u-1 on the single path, with a new email. */
export async function identifyU1Singly(email: string, second: number) {
  nock(API)
    .put('/v2/objects/people/records')
    .query(true)
    .reply(200, recordBody('people', '33333333-3333-4333-8333-333333333333'))
  nock(API).put('/v2/objects/users/records').query(true).reply(200, recordBody('users', U1))
  await createTestIntegration(destination).testAction('identifyUser', {
    event: identify('u-1', email, second),
    auth,
    settings: { suppress_unchanged_writes: false } as Settings,
    useDefaultMappings: true
  })
}

/** Identify User for users u-0 … u-(count-1) in one batch, answered in `requests` bulk requests. */
export async function identifyManyInBulk(
  integration: ReturnType<typeof createTestIntegration<Settings>>,
  count: number,
  requests: number
) {
  nock(API).put('/v2/batch/records').times(requests).reply(202)
  await integration.testBatchAction('identifyUser', {
    events: Array.from({ length: count }, (_, i) => identify(`u-${i}`, `u${i}@example.com`, 1)),
    auth,
    useDefaultMappings: true,
    mapping: { batch_size: 10_000 }
  })
}

/** Identify User for u-1 (twice, the later email last received) and u-2 in one batch through the bulk endpoint. */
export async function identifyInBulk(
  integration: ReturnType<typeof createTestIntegration<Settings>>,
  settings: Partial<Settings> = {}
) {
  nock(API).put('/v2/batch/records').reply(202)
  await integration.testBatchAction('identifyUser', {
    events: [
      identify('u-1', 'ada@example.com', 1, { plan: 'Pro' }),
      identify('u-1', 'Ada.L@example.com', 3),
      identify('u-2', 'bob@example.com', 2)
    ],
    auth,
    settings: settings as Settings,
    useDefaultMappings: true,
    mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
  })
}
