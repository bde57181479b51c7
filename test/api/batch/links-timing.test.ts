/**
 * The batch path's links (src/api/batch/links.ts) while other writes of the same users are under way:
 * between the chunks of one group batch, within and after the minute in which Attio may not have applied a
 * bulk request (BULK_APPLY_WINDOW_MS), and while an identify batch awaits its answer.
 */
import nock from 'nock'
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../../src'
import { BULK_APPLY_WINDOW_MS } from '../../../src/api/suppression'
import { API, errorBody, mockSchema, useNock } from '../../helpers/attio-fixtures'
import {
  auth,
  bulkBodies,
  group,
  identify,
  identifyInBulk,
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
  describe('users this process sent through the bulk endpoint', () => {
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
  })
})
