/**
 * Sync List Entry in batches (src/api/lists/batch.ts), request by request: the events of one entry merged
 * into one write in received order, an invalid event left out with its own error, the later events held back
 * after a retryable failure, an outcome for every event.
 */
import nock from 'nock'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../../../src'
import { clearListCache } from '../../../../src/api'
import {
  API,
  errorBody,
  linesOf,
  mockSchema,
  recordBody,
  useNock,
  writesOf
} from '../../../helpers/attio-fixtures'
import { COMPANY_ID, ENTRY_ID, LIST_ID, entryBody, groupEvent, mockPipeline, settings } from './helpers'

useNock()
beforeEach(() => clearListCache())

describe('Sync List Entry', () => {
  it('in a batch, the events of one entry are merged into one write and share its fate; other entries are not held back', async () => {
    mockSchema()
    mockPipeline()
    const OTHER_ID = '77777777-7777-4777-8777-777777777777'
    nock(API)
      .persist()
      .put(
        '/v2/objects/companies/records',
        (body: { data: { values: { domains: Array<{ domain: string }> } } }) =>
          body.data.values.domains[0].domain === 'acme.com'
      )
      .query(true)
      .reply(200, recordBody('companies', COMPANY_ID))
    nock(API)
      .persist()
      .put(
        '/v2/objects/companies/records',
        (body: { data: { values: { domains: Array<{ domain: string }> } } }) =>
          body.data.values.domains[0].domain === 'other.com'
      )
      .query(true)
      .reply(200, recordBody('companies', OTHER_ID))
    nock(API)
      .put(
        `/v2/lists/${LIST_ID}/entries`,
        (body: { data: { parent_record_id: string } }) => body.data.parent_record_id === COMPANY_ID
      )
      .reply(503, errorBody(503, 'service_unavailable', 'Try again.', 'api_error'))
    nock(API)
      .put(
        `/v2/lists/${LIST_ID}/entries`,
        (body: { data: { parent_record_id: string } }) => body.data.parent_record_id === OTHER_ID
      )
      .reply(200, { data: entryBody('companies', OTHER_ID) })
    const other = createTestEvent({ type: 'group', groupId: 'g2', traits: { website: 'other.com' } })
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('syncListEntry', {
      events: [groupEvent, other, groupEvent],
      settings,
      useDefaultMappings: true,
      mapping: { list: 'sales_pipeline', membership: true }
    })
    const multistatus = (
      integration.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(multistatus.map((m) => m.status)).toEqual([503, 200, 503])
    expect(multistatus[2].errormessage).toBe(multistatus[0].errormessage)
    const entryWrites = writesOf(responses).filter((w) => w.path.includes('/entries'))
    expect(entryWrites).toHaveLength(2)
  })

  it("merges one entry's events in received order: the last membership wins, values since the last removal merged", async () => {
    mockSchema()
    mockPipeline()
    nock(API)
      .persist()
      .put('/v2/objects/companies/records')
      .query(true)
      .reply(200, recordBody('companies', COMPANY_ID))
    nock(API)
      .post(`/v2/lists/${LIST_ID}/entries/query`)
      .reply(200, { data: [entryBody('companies', COMPANY_ID)] })
    nock(API).delete(`/v2/lists/${LIST_ID}/entries/${ENTRY_ID}`).reply(200, {})
    nock(API)
      .put(`/v2/lists/${LIST_ID}/entries`)
      .reply(200, { data: entryBody('companies', COMPANY_ID) })
    const event = (member: boolean, stage?: string, value?: number) =>
      createTestEvent({
        type: 'group',
        groupId: 'g1',
        traits: {
          website: 'https://acme.com',
          member,
          ...(stage !== undefined ? { stage } : {}),
          ...(value !== undefined ? { value } : {})
        }
      })
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('syncListEntry', {
      events: [event(true, 'Lead', 10), event(false), event(true, 'Lead', 20), event(true, 'Won')],
      settings,
      useDefaultMappings: true,
      mapping: {
        list: 'sales_pipeline',
        membership: { '@path': '$.traits.member' },
        entry_attributes: { stage: { '@path': '$.traits.stage' }, deal_value: { '@path': '$.traits.value' } }
      }
    })
    const multistatus = (
      integration.results[0] as unknown as {
        multistatus: Array<{ status: number; body?: { result: string; merged_events?: number } }>
      }
    ).multistatus
    expect(multistatus.map((m) => [m.status, m.body?.result, m.body?.merged_events])).toEqual(
      Array(4).fill([200, 'added', 4])
    )
    const entryLines = linesOf(responses).filter((l) => l.includes('/entries'))
    // The removal in the middle removes the entry, then one assert adds it with the later events' values.
    expect(entryLines).toEqual([
      `POST /v2/lists/${LIST_ID}/entries/query`,
      `DELETE /v2/lists/${LIST_ID}/entries/${ENTRY_ID}`,
      `PUT /v2/lists/${LIST_ID}/entries`
    ])
    expect(writesOf(responses).at(-1)?.body).toMatchObject({
      data: { entry_values: { stage: [{ status: 'Won' }], deal_value: [{ currency_value: 20 }] } }
    })
    // The parent is asserted once for the four events.
    expect(linesOf(responses).filter((l) => l.startsWith('PUT /v2/objects'))).toHaveLength(1)
  })

  it('an event with a bad value gets its own error and is left out of the merged write', async () => {
    mockSchema()
    mockPipeline()
    nock(API)
      .persist()
      .put('/v2/objects/companies/records')
      .query(true)
      .reply(200, recordBody('companies', COMPANY_ID))
    nock(API)
      .put(`/v2/lists/${LIST_ID}/entries`)
      .reply(200, { data: entryBody('companies', COMPANY_ID) })
    const event = (stage: string) =>
      createTestEvent({ type: 'group', groupId: 'g1', traits: { website: 'acme.com', stage } })
    const integration = createTestIntegration(destination)
    const responses = await integration.testBatchAction('syncListEntry', {
      events: [event('Lead'), event('No such stage')],
      settings,
      useDefaultMappings: true,
      mapping: {
        list: 'sales_pipeline',
        membership: true,
        entry_attributes: { stage: { '@path': '$.traits.stage' } }
      }
    })
    const multistatus = (
      integration.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(multistatus.map((m) => m.status)).toEqual([200, 400])
    expect(multistatus[1].errormessage).toMatch(/^entry_attributes\.stage: /)
    expect(writesOf(responses).at(-1)?.body).toMatchObject({
      data: { entry_values: { stage: [{ status: 'Lead' }] } }
    })
  })

  it('in a batch, after an event whose check failed retryably (a list read), the later events are held back', async () => {
    mockSchema()
    nock(API)
      .get('/v2/lists/sales_pipeline')
      .reply(503, errorBody(503, 'service_unavailable', 'Try again.', 'api_error'))
    mockPipeline()
    nock(API)
      .persist()
      .put('/v2/objects/companies/records')
      .query(true)
      .reply(200, recordBody('companies', COMPANY_ID))
    nock(API)
      .persist()
      .put(`/v2/lists/${LIST_ID}/entries`)
      .reply(200, { data: entryBody('companies', COMPANY_ID) })
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('syncListEntry', {
      events: [groupEvent, groupEvent],
      settings,
      useDefaultMappings: true,
      mapping: { list: 'sales_pipeline', membership: true }
    })
    const multistatus = (
      integration.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(multistatus.map((m) => m.status)).toEqual([503, 503])
    expect(multistatus[1].errormessage).toMatch(/^Not sent: event 0 of this batch, received before this one/)
  })

  it('batches: every event its own outcome, in received order', async () => {
    mockSchema()
    mockPipeline()
    nock(API)
      .persist()
      .put('/v2/objects/companies/records')
      .query(true)
      .reply(200, recordBody('companies', COMPANY_ID))
    nock(API)
      .persist()
      .put(`/v2/lists/${LIST_ID}/entries`)
      .reply(200, { data: entryBody('companies', COMPANY_ID) })
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('syncListEntry', {
      events: [groupEvent, groupEvent, groupEvent],
      settings,
      useDefaultMappings: true,
      mapping: {
        list: 'sales_pipeline',
        membership: true,
        entry_attributes: { stage: { '@path': '$.traits.stage' } }
      }
    })
    const multistatus = (integration.results[0] as unknown as { multistatus: Array<{ status: number }> })
      .multistatus
    expect(multistatus.map((m) => m.status)).toEqual([200, 200, 200])
  })
})
