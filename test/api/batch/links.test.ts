/**
 * The batch path's links (src/api/batch/links.ts), exact requests: a Workspace's users linked by record id
 * after one lookup for all, or, when this process sent them through the bulk endpoint, asserted again inside
 * the link; what happens when such a user is missing. The timing cases are in links-timing.test.ts.
 */
import nock from 'nock'
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../../src'
import type { Settings } from '../../../src/destinations/attio/generated-types'
import {
  API,
  capture,
  errorBody,
  linesOf,
  mockSchema,
  recordBody,
  useNock
} from '../../helpers/attio-fixtures'
import {
  at,
  auth,
  bulkBodies,
  group,
  identify,
  identifyInBulk,
  identifyManyInBulk,
  identifyU1Singly,
  idOfU1,
  linksIn,
  lookupOfU1,
  multistatus,
  userAssertion,
  type Assertion
} from './helpers'

useNock()

describe('batch path: bodies', () => {
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
})
