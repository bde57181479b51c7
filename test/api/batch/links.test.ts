/**
 * The batch path with exact requests: nesting, append, coalescing, chunking, per-event errors, and the
 * status of a failed bulk call on every event it carried.
 */
import nock from 'nock'
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../../src'
import { BULK_APPLY_WINDOW_MS } from '../../../src/api/suppression'
import type { Settings } from '../../../src/destinations/attio/generated-types'
import {
  API,
  capture,
  errorBody,
  linesOf,
  mockSchema,
  recordBody,
  requestsOf,
  useNock,
  writesOf
} from '../../helpers/attio-fixtures'

useNock()
const USER_1 = '44444444-4444-4444-8444-444444444444'
const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }

const at = (second: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, second)).toISOString()
const identify = (
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
const group = (userId: string, second: number) =>
  ({
    type: 'group',
    groupId: 'ws-1',
    userId,
    receivedAt: at(second),
    traits: { website: 'acme.com' }
  }) as unknown as SegmentEvent

/** The schema reads answered, and no bulk endpoint (404): the batch goes through the queue. */
function noBulkEndpoint(): void {
  mockSchema()
  nock(API)
    .put('/v2/batch/records')
    .reply(404, errorBody(404, 'not_found', 'No route'))
}

interface Multistatus {
  status: number
  errormessage?: string
  errortype?: string
  body?: Record<string, unknown>
  sent?: Record<string, unknown>
}
const multistatus = (integration: ReturnType<typeof createTestIntegration<Settings>>) =>
  (integration.results[0] as unknown as { multistatus: Multistatus[] }).multistatus

type Assertion = { object: string; values: Record<string, unknown>; [key: string]: unknown }
function bulkBodies(responses: readonly unknown[]): Assertion[][] {
  return requestsOf(responses)
    .filter((r) => r.path === '/v2/batch/records')
    .map((r) => (r.body as { assertions: Assertion[] }).assertions)
}

/** The assertions of a request that link a record to others (a Workspace's users), by the linking record's key. */
function linksIn(assertions: Assertion[]): Assertion[] {
  return assertions.filter((a) => a.values.users !== undefined)
}

describe('batch path: bodies', () => {
  it('sends Identify User as a User assertion with the Person nested, multiselect values appended', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', ' Ada@Example.com ', 1, { plan: 'Pro' })],
      auth,
      useDefaultMappings: true,
      mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
    })
    expect(linesOf(responses).filter((l) => !l.startsWith('GET'))).toEqual(['PUT /v2/batch/records'])
    expect(bulkBodies(responses)).toEqual([
      [
        {
          object: 'users',
          mode: 'create-or-update',
          matching_attribute: 'user_id',
          multiselect_values: 'append',
          received_at: at(1),
          values: {
            user_id: [{ value: 'u-1' }],
            primary_email_address: [{ email_address: 'ada@example.com' }],
            plan: [{ option: 'Pro' }],
            person: {
              object: 'people',
              mode: 'create-or-update',
              matching_attribute: 'email_addresses',
              multiselect_values: 'append',
              received_at: at(1),
              values: { email_addresses: [{ email_address: 'ada@example.com' }] }
            }
          }
        }
      ]
    ])
    expect(multistatus(integration)).toEqual([
      expect.objectContaining({
        status: 202,
        body: expect.objectContaining({ accepted: true, message: expect.stringMatching(/asynchronously/) })
      })
    ])
  })

  it('coalesces the same record in received_at order: later single values win, multiselect values unite', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const mapping = {
      user_attributes: { plan: { '@path': '$.traits.plan' }, seats: { '@path': '$.traits.seats' } },
      person_attributes: { phone_numbers: { '@path': '$.traits.phone' } }
    }
    const responses = await integration.testBatchAction('identifyUser', {
      // Delivered out of order: the event received last (second 3) says Enterprise.
      events: [
        identify('u-1', 'ada@example.com', 3, { plan: 'Enterprise', phone: '+14155552671' }),
        identify('u-1', 'ADA@example.com', 1, { plan: 'Free', seats: 3, phone: '+442079460958' }),
        identify('u-2', 'grace@example.com', 2, { plan: 'Pro' })
      ],
      auth,
      useDefaultMappings: true,
      mapping
    })
    const [assertions] = bulkBodies(responses)
    expect(assertions).toHaveLength(2)
    const ada = assertions.find((a) => JSON.stringify(a.values.user_id) === '[{"value":"u-1"}]') as Assertion
    expect(ada.values.plan).toEqual([{ option: 'Enterprise' }])
    expect(ada.values.seats).toEqual([{ value: 3 }])
    expect(ada.received_at).toBe(at(3))
    expect((ada.values.person as Assertion).values.phone_numbers).toEqual([
      { original_phone_number: '+442079460958', country_code: 'GB' },
      { original_phone_number: '+14155552671', country_code: 'US' }
    ])
    expect(multistatus(integration).map((r) => r.status)).toEqual([202, 202, 202])
  })

  it('chunks at batch_size, never more assertions in one request', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').times(3).reply(202)
    const integration = createTestIntegration(destination)
    const events = Array.from({ length: 5 }, (_, i) => identify(`u-${i}`, `user${i}@example.com`, i))
    const responses = await integration.testBatchAction('identifyUser', {
      events,
      auth,
      useDefaultMappings: true,
      mapping: { batch_size: 2 }
    })
    expect(bulkBodies(responses).map((a) => a.length)).toEqual([2, 2, 1])
    expect(multistatus(integration).map((r) => r.status)).toEqual([202, 202, 202, 202, 202])
  })

  it("never sends more than Attio's 10,000 assertions in one request, nested ones included", async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').times(2).reply(202)
    const integration = createTestIntegration(destination)
    // 6,000 users: 6,000 User assertions, each with its Person nested, is 12,000 assertions in all.
    const events = Array.from({ length: 6000 }, (_, i) => identify(`u-${i}`, `user${i}@example.com`, i % 60))
    const responses = await integration.testBatchAction('identifyUser', {
      events,
      auth,
      useDefaultMappings: true,
      mapping: { batch_size: 10000 }
    })
    const bodies = bulkBodies(responses)
    expect(bodies.map((a) => a.length)).toEqual([5000, 1000])
    const total = (assertions: Assertion[]) =>
      assertions.reduce((count, a) => count + 1 + (a.values.person === undefined ? 0 : 1), 0)
    expect(bodies.map(total)).toEqual([10000, 2000])
    expect(multistatus(integration).every((r) => r.status === 202)).toBe(true)
  }, 30_000)

  describe('Group Workspace users, linked by record id (one lookup for all)', () => {
    const group = (userId: string, second: number) =>
      ({
        type: 'group',
        groupId: 'ws-1',
        userId,
        receivedAt: at(second),
        traits: { website: 'https://www.acme.com/x' }
      }) as unknown as SegmentEvent
    const mockLookup = () =>
      nock(API)
        .post('/v2/objects/users/records/query', { filter: { user_id: { $in: ['u-1', 'u-2'] } }, limit: 2 })
        .reply(200, {
          data: [
            {
              ...recordBody('users', '11111111-1111-4111-8111-111111111111').data,
              values: { user_id: [{ value: 'u-1' }] }
            },
            {
              ...recordBody('users', '22222222-2222-4222-8222-222222222222').data,
              values: { user_id: [{ value: 'u-2' }] }
            }
          ]
        })
    const workspaceAssertion = (mode: 'append' | 'replace') => ({
      object: 'workspaces',
      mode: 'create-or-update',
      matching_attribute: 'workspace_id',
      multiselect_values: mode,
      received_at: at(2),
      values: {
        workspace_id: [{ value: 'ws-1' }],
        company: {
          object: 'companies',
          mode: 'create-or-update',
          matching_attribute: 'domains',
          multiselect_values: mode,
          received_at: at(2),
          values: { domains: [{ domain: 'acme.com' }] }
        }
      }
    })
    const link = {
      object: 'workspaces',
      mode: 'create-or-update',
      matching_attribute: 'workspace_id',
      multiselect_values: 'append',
      received_at: at(2),
      values: {
        workspace_id: [{ value: 'ws-1' }],
        users: [
          { target_object: 'users', target_record_id: '11111111-1111-4111-8111-111111111111' },
          { target_object: 'users', target_record_id: '22222222-2222-4222-8222-222222222222' }
        ]
      }
    }

    it('sends the Workspace with its Company nested, then the links in an assertion of their own, appended', async () => {
      mockSchema()
      mockLookup()
      nock(API).put('/v2/batch/records').reply(202)
      const integration = createTestIntegration(destination)
      const responses = await integration.testBatchAction('groupWorkspace', {
        events: [group('u-1', 1), group('u-2', 2)],
        auth,
        useDefaultMappings: true
      })
      expect(bulkBodies(responses)).toEqual([[workspaceAssertion('append'), link]])
    })

    it("replaces the Workspace's multiselect values in replace mode, and still only adds users", async () => {
      mockSchema()
      mockLookup()
      nock(API).put('/v2/batch/records').reply(202)
      const integration = createTestIntegration(destination)
      const responses = await integration.testBatchAction('groupWorkspace', {
        events: [group('u-1', 1), group('u-2', 2)],
        auth,
        useDefaultMappings: true,
        mapping: { multiselect_mode: 'replace' }
      })
      expect(bulkBodies(responses)).toEqual([[workspaceAssertion('replace'), link]])
    })
  })

  describe('users this process sent through the bulk endpoint', () => {
    const userAssertion = (userId: string, email: string, second: number) => ({
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

    const U1 = '11111111-1111-4111-8111-111111111111'
    const idOfU1 = { target_object: 'users', target_record_id: U1 }
    const lookupOfU1 = () =>
      nock(API)
        .post('/v2/objects/users/records/query', { filter: { user_id: { $in: ['u-1'] } }, limit: 1 })
        .reply(200, { data: [{ ...recordBody('users', U1).data, values: { user_id: [{ value: 'u-1' }] } }] })

    /** Identify User for u-1 on the single path, with a new email. */
    async function identifyU1Singly(email: string, second: number) {
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
    async function identifyManyInBulk(
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

    async function identifyInBulk(
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

    it('links them by asserting them again inside the link, with their identity values only, and no lookup', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      await identifyInBulk(integration)
      nock(API).put('/v2/batch/records').reply(202)
      const responses = await integration.testBatchAction('groupWorkspace', {
        events: [group('u-1', 10), group('u-2', 11)],
        auth,
        useDefaultMappings: true
      })
      expect(linesOf(responses).filter((l) => !l.startsWith('GET'))).toEqual(['PUT /v2/batch/records'])
      const [[workspace, link]] = bulkBodies(responses)
      expect(workspace.values.users).toBeUndefined()
      // The links on their own, so a user Attio cannot apply costs the link and never the Workspace; the
      // latest email sent for u-1 (received at second 3), as sent; not its other values (plan).
      expect(link).toEqual({
        object: 'workspaces',
        mode: 'create-or-update',
        matching_attribute: 'workspace_id',
        multiselect_values: 'append',
        received_at: at(11),
        values: {
          workspace_id: [{ value: 'ws-1' }],
          users: [userAssertion('u-1', 'ada.l@example.com', 3), userAssertion('u-2', 'bob@example.com', 2)]
        }
      })
      expect(multistatus(integration).map((r) => r.status)).toEqual([202, 202])
    })

    it('counts the users asserted again against the 10,000 assertions of one request', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      const count = 3400
      await identifyManyInBulk(integration, count, 1)
      nock(API).put('/v2/batch/records').times(2).reply(202)
      // Each event: a Workspace of its own with its Company nested, and the link with its user asserted
      // again: 4 assertions, 2 of them top-level.
      const responses = await integration.testBatchAction('groupWorkspace', {
        events: Array.from(
          { length: count },
          (_, i) =>
            ({
              type: 'group',
              groupId: `ws-${i}`,
              userId: `u-${i}`,
              receivedAt: at(5),
              traits: { website: `company${i}.com` }
            }) as unknown as SegmentEvent
        ),
        auth,
        useDefaultMappings: true,
        mapping: { batch_size: 10_000 }
      })
      const bodies = bulkBodies(responses)
      expect(bodies.map((assertions) => assertions.length * 2)).toEqual([10_000, 3600])
      expect(linesOf(responses).some((l) => l.includes('/records/query'))).toBe(false)
    }, 30_000)

    it('does so with write memory off too, and looks up only the users this process did not send', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      const settings = { suppress_unchanged_writes: false } as Settings
      await identifyInBulk(integration, settings)
      const query = nock(API)
        .post('/v2/objects/users/records/query', {
          filter: { user_id: { $in: ['u-9', 'u-404'] } },
          limit: 2
        })
        .reply(200, {
          data: [
            {
              ...recordBody('users', '99999999-9999-4999-8999-999999999999').data,
              values: { user_id: [{ value: 'u-9' }] }
            }
          ]
        })
      nock(API).put('/v2/batch/records').reply(202)
      const responses = await integration.testBatchAction('groupWorkspace', {
        events: [group('u-1', 10), group('u-9', 11), group('u-404', 12)],
        auth,
        settings,
        useDefaultMappings: true
      })
      const [link] = linksIn(bulkBodies(responses)[0])
      expect(link.values.users).toEqual([
        userAssertion('u-1', 'ada.l@example.com', 3),
        { target_object: 'users', target_record_id: '99999999-9999-4999-8999-999999999999' }
      ])
      expect(multistatus(integration).map((r) => r.status)).toEqual([202, 202, 404])
      expect(query.isDone()).toBe(true)
    })

    it('looks a user up again once a later write of it went another way (single event, failed bulk request)', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      const settings = { suppress_unchanged_writes: false } as Settings
      const linkU1 = async () => {
        nock(API).put('/v2/batch/records').reply(202)
        const responses = await integration.testBatchAction('groupWorkspace', {
          events: [group('u-1', 10)],
          auth,
          settings,
          useDefaultMappings: true
        })
        return linksIn(bulkBodies(responses)[0])[0].values.users
      }
      // A single event changes u-1's email after the bulk request: asserting the bulk values again would undo it.
      await identifyInBulk(integration, settings)
      await identifyU1Singly('new@example.com', 5)
      let query = lookupOfU1()
      expect(await linkU1()).toEqual([idOfU1])
      expect(query.isDone()).toBe(true)

      // A bulk request that failed with a 503 may have been applied or not.
      await identifyInBulk(integration, settings)
      nock(API)
        .put('/v2/batch/records')
        .reply(503, errorBody(503, 'unavailable', 'Try later'))
      await integration.testBatchAction('identifyUser', {
        events: [identify('u-1', 'other@example.com', 6)],
        auth,
        settings,
        useDefaultMappings: true
      })
      query = lookupOfU1()
      expect(await linkU1()).toEqual([idOfU1])
      expect(query.isDone()).toBe(true)
    })

    describe('a single Group Workspace event that links one Attio has not applied yet', () => {
      const WORKSPACE = '44444444-4444-4444-8444-444444444444'

      it('writes the Company and the Workspace, creates no User, and answers a retryable 503 naming user_id', async () => {
        mockSchema()
        const integration = createTestIntegration(destination)
        await identifyInBulk(integration)
        nock(API)
          .put('/v2/objects/companies/records')
          .query({ matching_attribute: 'domains' })
          .reply(200, recordBody('companies', '55555555-5555-4555-8555-555555555555'))
        nock(API)
          .post('/v2/objects/users/records/query', { filter: { user_id: 'u-1' }, limit: 2 })
          .reply(200, { data: [] })
        const workspace = nock(API)
          .put('/v2/objects/workspaces/records')
          .query({ matching_attribute: 'workspace_id' })
          .reply(200, recordBody('workspaces', WORKSPACE))
        const { responses, error } = await capture(integration, (i) =>
          i.testAction('groupWorkspace', { event: group('u-1', 10), auth, useDefaultMappings: true })
        )
        expect(linesOf(responses).filter((l) => !l.startsWith('GET'))).toEqual([
          'PUT /v2/objects/companies/records?matching_attribute=domains',
          'POST /v2/objects/users/records/query',
          'PUT /v2/objects/workspaces/records?matching_attribute=workspace_id'
        ])
        expect(workspace.isDone()).toBe(true)
        expect((error as { status?: number } | undefined)?.status).toBe(503)
        expect(error?.message).toMatch(
          /^user_id: Attio has no User with user_id "u-1" yet: it was sent in a batch less than 10 s ago, which Attio may not have applied yet\. It is safe to retry/
        )
      })
    })

    it('looks them up instead with ATTIO_BULK_NESTED_LINKS=off', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      await identifyInBulk(integration)
      const query = lookupOfU1()
      nock(API).put('/v2/batch/records').reply(202)
      process.env.ATTIO_BULK_NESTED_LINKS = 'off'
      try {
        const responses = await integration.testBatchAction('groupWorkspace', {
          events: [group('u-1', 10)],
          auth,
          useDefaultMappings: true
        })
        expect(linksIn(bulkBodies(responses)[0])[0].values.users).toEqual([idOfU1])
        expect(query.isDone()).toBe(true)
      } finally {
        delete process.env.ATTIO_BULK_NESTED_LINKS
      }
    })

    describe('while the chunks of one group batch go out', () => {
      const twoWorkspaces = [
        { ...group('u-1', 10), groupId: 'ws-1' },
        { ...group('u-1', 11), groupId: 'ws-2' }
      ] as SegmentEvent[]
      /** The first group chunk's answer waits for `meanwhile`, as if another batch ran in between. */
      function firstChunkWaitsFor(meanwhile: () => Promise<unknown>) {
        nock(API)
          .put('/v2/batch/records')
          .reply(function (_uri, _body, callback) {
            meanwhile().then(
              () => callback(null, [202, '']),
              (error: Error) => callback(error, [500, ''])
            )
          })
      }

      it('asserts the values of a newer bulk request of the user, not those read when the batch began', async () => {
        mockSchema()
        const integration = createTestIntegration(destination)
        await identifyInBulk(integration)
        firstChunkWaitsFor(() =>
          createTestIntegration(destination).testBatchAction('identifyUser', {
            events: [identify('u-1', 'newer@example.com', 20)],
            auth,
            useDefaultMappings: true
          })
        )
        nock(API).put('/v2/batch/records').times(2).reply(202)
        const responses = await integration.testBatchAction('groupWorkspace', {
          events: twoWorkspaces,
          auth,
          useDefaultMappings: true,
          mapping: { batch_size: 1 }
        })
        const groupBodies = bulkBodies(responses)
        expect(groupBodies.map((body) => linksIn(body)[0].values.users)).toEqual([
          [userAssertion('u-1', 'ada.l@example.com', 3)],
          [userAssertion('u-1', 'newer@example.com', 20)]
        ])
      })

      it('looks the user up once a single write of it came in between', async () => {
        mockSchema()
        const integration = createTestIntegration(destination)
        await identifyInBulk(integration)
        firstChunkWaitsFor(() => identifyU1Singly('single@example.com', 20))
        const query = lookupOfU1()
        nock(API).put('/v2/batch/records').reply(202)
        const responses = await integration.testBatchAction('groupWorkspace', {
          events: twoWorkspaces,
          auth,
          useDefaultMappings: true,
          mapping: { batch_size: 1 }
        })
        expect(bulkBodies(responses).map((body) => linksIn(body)[0].values.users)).toEqual([
          [userAssertion('u-1', 'ada.l@example.com', 3)],
          [idOfU1]
        ])
        expect(query.isDone()).toBe(true)
      })
    })

    describe('the minute in which Attio may not have applied them (BULK_APPLY_WINDOW_MS)', () => {
      afterEach(() => jest.restoreAllMocks())
      const later = (ms: number) => {
        const now = Date.now()
        jest.spyOn(Date, 'now').mockReturnValue(now + ms)
      }

      it('a batch asserts them again within it, and looks them up after it', async () => {
        mockSchema()
        const integration = createTestIntegration(destination)
        await identifyInBulk(integration)
        later(BULK_APPLY_WINDOW_MS - 1000)
        nock(API).put('/v2/batch/records').reply(202)
        let responses = await integration.testBatchAction('groupWorkspace', {
          events: [group('u-1', 10)],
          auth,
          useDefaultMappings: true
        })
        expect(linksIn(bulkBodies(responses)[0])[0].values.users).toEqual([
          userAssertion('u-1', 'ada.l@example.com', 3)
        ])
        later(BULK_APPLY_WINDOW_MS + 1000)
        const query = lookupOfU1()
        nock(API).put('/v2/batch/records').reply(202)
        responses = await integration.testBatchAction('groupWorkspace', {
          events: [group('u-1', 11)],
          auth,
          useDefaultMappings: true
        })
        expect(query.isDone()).toBe(true)
        expect(linksIn(bulkBodies(responses)[0])[0].values.users).toEqual([idOfU1])
      })
    })

    it('a group batch built while an identify batch of the user awaits its answer asserts the newer values', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      await identifyInBulk(integration)
      let groupBodies: Assertion[][] = []
      nock(API)
        .put('/v2/batch/records')
        .reply(function (_uri, _body, callback) {
          // Attio has not answered the identify batch yet; a group batch runs meanwhile.
          nock(API).put('/v2/batch/records').reply(202)
          createTestIntegration(destination)
            .testBatchAction('groupWorkspace', { events: [group('u-1', 30)], auth, useDefaultMappings: true })
            .then(
              (responses) => {
                groupBodies = bulkBodies(responses)
                callback(null, [202, ''])
              },
              (error: Error) => callback(error, [500, ''])
            )
        })
      await integration.testBatchAction('identifyUser', {
        events: [identify('u-1', 'newer@example.com', 20)],
        auth,
        useDefaultMappings: true
      })
      expect(linksIn(groupBodies[0])[0].values.users).toEqual([userAssertion('u-1', 'newer@example.com', 20)])
    })

    it('splits the links of one Workspace with more users than one request holds over several requests', async () => {
      mockSchema()
      // 10,000 events through nock take longer than the apply window: the clock stands still meanwhile.
      const now = Date.now()
      jest.spyOn(Date, 'now').mockReturnValue(now)
      const integration = createTestIntegration(destination)
      const count = 10_000
      await identifyManyInBulk(integration, count, 2)
      nock(API).put('/v2/batch/records').times(2).reply(202)
      const responses = await integration.testBatchAction('groupWorkspace', {
        events: Array.from({ length: count }, (_, i) => group(`u-${i}`, 5)),
        auth,
        useDefaultMappings: true,
        mapping: { batch_size: 10_000 }
      })
      const bodies = bulkBodies(responses)
      const total = (assertions: Assertion[]) =>
        assertions.reduce(
          (sum, a) =>
            sum + 1 + (a.values.company ? 1 : 0) + ((a.values.users as unknown[] | undefined)?.length ?? 0),
          0
        )
      // The Workspace with its Company, then 10 link assertions of 1,000 users asserted again (1,001 each).
      expect(bodies.map((assertions) => assertions.length)).toEqual([10, 1])
      expect(bodies.map(total)).toEqual([2 + 9 * 1001, 1001])
      expect(bodies.flat().flatMap((a) => (a.values.users as unknown[] | undefined) ?? [])).toHaveLength(
        count
      )
      expect(multistatus(integration).every((r) => r.status === 202)).toBe(true)
      jest.restoreAllMocks()
    }, 60_000)

    it('reports a missing user only on the events whose link it cost', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      await identifyInBulk(integration)
      // The first Workspace's request goes out with u-1 asserted again; then a batch carrying u-1 fails with
      // a 503 (Attio may have applied it), so the second Workspace's request looks u-1 up, and Attio has no
      // such User yet: that event alone gets a retryable 503.
      nock(API)
        .put('/v2/batch/records')
        .reply(function (_uri, _body, callback) {
          nock(API)
            .put('/v2/batch/records')
            .reply(503, errorBody(503, 'unavailable', 'Try later'))
          nock(API).put('/v2/batch/records').reply(202) // then the second Workspace's request
          createTestIntegration(destination)
            .testBatchAction('identifyUser', {
              events: [identify('u-1', 'other@example.com', 20)],
              auth,
              useDefaultMappings: true
            })
            .then(
              () => callback(null, [202, '']),
              (error: Error) => callback(error, [500, ''])
            )
        })
      const query = nock(API)
        .post('/v2/objects/users/records/query', { filter: { user_id: { $in: ['u-1'] } }, limit: 1 })
        .reply(200, { data: [] })
      await integration.testBatchAction('groupWorkspace', {
        events: [
          { ...group('u-1', 10), groupId: 'ws-1' },
          { ...group('u-1', 11), groupId: 'ws-2' }
        ] as SegmentEvent[],
        auth,
        useDefaultMappings: true,
        mapping: { batch_size: 1 }
      })
      expect(query.isDone()).toBe(true)
      expect(multistatus(integration).map((r) => r.status)).toEqual([202, 503])
    })

    it('does not remember users of a bulk request Attio refused', async () => {
      mockSchema()
      const integration = createTestIntegration(destination)
      nock(API)
        .put('/v2/batch/records')
        .reply(400, errorBody(400, 'validation_type', 'Bad body'))
      await integration.testBatchAction('identifyUser', {
        events: [identify('u-1', 'ada@example.com', 1)],
        auth,
        useDefaultMappings: true
      })
      expect(multistatus(integration).map((r) => r.status)).toEqual([400])
      const query = nock(API)
        .post('/v2/objects/users/records/query', { filter: { user_id: { $in: ['u-1'] } }, limit: 1 })
        .reply(200, { data: [] })
      nock(API).put('/v2/batch/records').reply(202)
      await integration.testBatchAction('groupWorkspace', {
        events: [group('u-1', 10)],
        auth,
        useDefaultMappings: true
      })
      expect(multistatus(integration).map((r) => r.status)).toEqual([404])
      expect(query.isDone()).toBe(true)
    })
  })

  it('sends Assert Record as plain assertions', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('assertRecord', {
      events: [
        { type: 'track', properties: { domain: 'acme.com', name: 'Acme' } } as unknown as SegmentEvent
      ],
      auth,
      mapping: {
        object: 'companies',
        matching_attribute: 'domains',
        received_at: at(5),
        attributes: { domains: { '@path': '$.properties.domain' }, name: { '@path': '$.properties.name' } }
      }
    })
    expect(bulkBodies(responses)).toEqual([
      [
        {
          object: 'companies',
          mode: 'create-or-update',
          matching_attribute: 'domains',
          multiselect_values: 'append',
          received_at: at(5),
          values: { domains: [{ domain: 'acme.com' }], name: [{ value: 'Acme' }] }
        }
      ]
    ])
  })
})

describe('batch path: outcomes', () => {
  it('gives invalid events their own error at their index, the single path message, and does not send them', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: [
        identify('u-1', 'ada@example.com', 1),
        identify('u-2', 'not-an-email', 2),
        identify(undefined, 'grace@example.com', 3),
        identify('u-4', 'linus@example.com', 4, { plan: 'Gold' })
      ],
      auth,
      useDefaultMappings: true,
      mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
    })
    const results = multistatus(integration)
    expect(results.map((r) => r.status)).toEqual([202, 400, 400, 400])
    expect(results[1].errormessage).toBe(
      'email_address: "not-an-email" is not a valid email address. Expected a valid email address like "ada@example.com", with only ASCII before the @ (an internationalised domain is sent as punycode); it is trimmed and lower-cased.'
    )
    expect(results[2].errormessage).toMatch(/user_id/)
    expect(results[3].errormessage).toMatch(/^user_attributes\.plan: "Gold" is not one of the options/)
    expect(results[1].errortype).toBe('PAYLOAD_VALIDATION_FAILED')
    const [assertions] = bulkBodies(responses)
    expect(assertions.map((a) => a.values.user_id)).toEqual([[{ value: 'u-1' }]])

    // The single path gives the same message for the same event.
    const single = createTestIntegration(destination)
    await expect(
      single.testAction('identifyUser', {
        event: identify('u-2', 'not-an-email', 2),
        auth,
        useDefaultMappings: true
      })
    ).rejects.toThrow(results[1].errormessage as string)
  })

  it('holds back the events received after one whose schema read failed, so that the retry cannot write older values over newer ones', async () => {
    const options = '/v2/objects/users/attributes/plan/options'
    const titles = (list: string[]) => ({
      data: list.map((title, i) => ({
        id: { workspace_id: 'w', object_id: 'o', attribute_id: 'a', option_id: `opt-${i}` },
        title,
        is_archived: false
      }))
    })
    // The options are read once ("Team" is not among them), and the refresh "Team" causes fails (500).
    nock(API)
      .get(options)
      .query(true)
      .reply(200, titles(['Free', 'Pro']))
    nock(API)
      .get(options)
      .query(true)
      .reply(500, errorBody(500, 'internal_server_error', 'Try again'))
    mockSchema()
    nock(API).put('/v2/batch/records').reply(202)
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: [
        identify('u-1', 'ada@example.com', 3, { plan: 'Pro' }), // received after the failed one: held back
        identify('u-1', 'ada@example.com', 2, { plan: 'Team' }), // its refresh fails: retried by the host
        identify('u-2', 'grace@example.com', 1, { plan: 'Free' }) // received before it: sent
      ],
      auth,
      useDefaultMappings: true,
      mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
    })
    const results = multistatus(integration)
    expect(results.map((r) => r.status)).toEqual([503, 500, 202])
    expect(results[0].errormessage).toMatch(
      /^Not sent: event 1 of this batch, received before this one, failed/
    )
    const [assertions] = bulkBodies(responses)
    expect(assertions.map((a) => a.values.user_id)).toEqual([[{ value: 'u-2' }]])
  })

  it.each([
    [400, 'validation_type', false],
    [429, 'rate_limit_exceeded', true],
    [503, 'service_unavailable', true]
  ])(
    "a %i of the bulk call becomes that status on each event it carried, with Attio's message",
    async (status, code) => {
      mockSchema()
      nock(API)
        .put('/v2/batch/records')
        .reply(status, errorBody(status, code, 'Attio says no'))
      const integration = createTestIntegration(destination)
      await integration.testBatchAction('identifyUser', {
        events: [identify('u-1', 'a@b.co', 1), identify('u-2', 'c@d.co', 2)],
        auth,
        useDefaultMappings: true
      })
      const results = multistatus(integration)
      expect(results.map((r) => r.status)).toEqual([status, status])
      expect(results[0].errormessage).toContain(`${code}: Attio says no`)
    }
  )

  it('falls back to a queue of documented asserts when there is no bulk endpoint (404)', async () => {
    noBulkEndpoint()
    nock(API)
      .put('/v2/objects/people/records')
      .query(true)
      .times(2)
      .reply(200, () => recordBody('people'))
    nock(API)
      .put('/v2/objects/users/records')
      .query(true)
      .times(2)
      .reply(200, () => recordBody('users'))
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', 'a@b.co', 1), identify('u-2', 'c@d.co', 2), identify('u-1', 'a@b.co', 3)],
      auth,
      useDefaultMappings: true
    })
    const writes = writesOf(responses).map((r) => `${r.method} ${r.path.split('?')[0]}`)
    expect(writes[0]).toBe('PUT /v2/batch/records')
    // Each user once (coalesced), each Person before its User.
    expect(writes.slice(1).filter((w) => w.includes('/users/'))).toHaveLength(2)
    expect(writes.indexOf('PUT /v2/objects/people/records')).toBeLessThan(
      writes.indexOf('PUT /v2/objects/users/records')
    )
    expect(multistatus(integration).map((r) => r.status)).toEqual([200, 200, 200])
  })

  it("queue: one event's missing User fails that event alone, with its own message; the Workspace's other events succeed", async () => {
    noBulkEndpoint()
    // u-1 exists in Attio; u-9 does not.
    nock(API)
      .persist()
      .post('/v2/objects/users/records/query')
      .reply(200, (_uri, body) => {
        const wanted = JSON.stringify(body)
        return { data: wanted.includes('"u-1"') ? [recordBody('users', USER_1).data] : [] }
      })
    nock(API)
      .persist()
      .put(/\/v2\/objects\/\w+\/records/)
      .query(true)
      .reply(200, () => recordBody('workspaces'))
    nock(API)
      .persist()
      .patch(/\/v2\/objects\/workspaces\/records\/.*/)
      .reply(200, () => recordBody('workspaces'))
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('groupWorkspace', {
      events: [group('u-1', 1), group('u-9', 2), group('u-1', 3)],
      auth,
      useDefaultMappings: true
    })
    const results = multistatus(integration)
    expect(results.map((r) => r.status)).toEqual([200, 404, 200])
    expect(results[1].errormessage).toMatch(/^user_id: Attio has no User with user_id "u-9"/)
    expect(results[0].errormessage).toBeUndefined()
  })
})
