/**
 * Sync List Entry, request by request: the list read, the parent asserted first, the entry asserted by
 * parent with its values in Attio's write form; removal found by the parent's path filter then deleted; the
 * specific errors (multiple entries, missing scopes, bad input) with nothing written; the write memory kept
 * per entry. Batches are in batch.test.ts.
 */
import nock from 'nock'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../../../src'
import { clearListCache } from '../../../../src/api'
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
} from '../../../helpers/attio-fixtures'
import {
  COMPANY_ID,
  ENTRY_ID,
  LIST_ID,
  PERSON_ID,
  entryBody,
  groupEvent,
  listAttribute,
  listBody,
  mockPipeline,
  settings
} from './helpers'

useNock()
beforeEach(() => clearListCache())

describe('Sync List Entry', () => {
  it('asserts the company by domain, then the entry by parent with the stage and deal value', async () => {
    mockSchema()
    mockPipeline()
    nock(API)
      .put('/v2/objects/companies/records')
      .query({ matching_attribute: 'domains' })
      .reply(200, recordBody('companies', COMPANY_ID))
    nock(API)
      .put(`/v2/lists/${LIST_ID}/entries`)
      .reply(200, { data: entryBody('companies', COMPANY_ID) })
    const integration = createTestIntegration(destination)
    const responses = await integration.testAction('syncListEntry', {
      event: groupEvent,
      settings,
      useDefaultMappings: true,
      mapping: {
        list: 'sales_pipeline',
        membership: true,
        entry_attributes: { stage: 'Won', deal_value: 1200 }
      }
    })
    expect(linesOf(responses)).toEqual([
      'GET /v2/lists/sales_pipeline',
      `GET /v2/lists/${LIST_ID}/attributes?show_archived=true`,
      `GET /v2/lists/${LIST_ID}/attributes/stage/statuses?show_archived=true`,
      'GET /v2/objects/companies/attributes?show_archived=true',
      'PUT /v2/objects/companies/records?matching_attribute=domains',
      `PUT /v2/lists/${LIST_ID}/entries`
    ])
    const writes = writesOf(responses)
    expect(writes[0].body).toEqual({ data: { values: { domains: [{ domain: 'acme.com' }] } } })
    expect(writes[1].body).toEqual({
      data: {
        parent_record_id: COMPANY_ID,
        parent_object: 'companies',
        entry_values: { stage: [{ status: 'Won' }], deal_value: [{ currency_value: 1200 }] }
      }
    })
    expect(requestsOf(responses).every((r) => r.authorization === 'Bearer key-123')).toBe(true)
  })

  it('removes: finds the parent entry with the path filter, deletes it; an absent entry is a success', async () => {
    mockSchema()
    nock(API).persist().get('/v2/lists/onboarding').reply(200, listBody('onboarding', 'people'))
    nock(API)
      .persist()
      .put('/v2/objects/people/records')
      .query({ matching_attribute: 'email_addresses' })
      .reply(200, recordBody('people', PERSON_ID))
    nock(API)
      .post(`/v2/lists/${LIST_ID}/entries/query`)
      .reply(200, { data: [entryBody('people', PERSON_ID)] })
    nock(API).delete(`/v2/lists/${LIST_ID}/entries/${ENTRY_ID}`).reply(200, {})
    const event = createTestEvent({
      type: 'track',
      event: 'Audience Exited',
      properties: { email: 'a@b.com' }
    })
    const integration = createTestIntegration(destination)
    const responses = await integration.testAction('syncListEntry', {
      event,
      settings,
      useDefaultMappings: true,
      mapping: { list: 'onboarding' }
    })
    expect(linesOf(responses).slice(-2)).toEqual([
      `POST /v2/lists/${LIST_ID}/entries/query`,
      `DELETE /v2/lists/${LIST_ID}/entries/${ENTRY_ID}`
    ])
    expect(requestsOf(responses).find((r) => r.path.endsWith('/entries/query'))?.body).toEqual({
      filter: {
        path: [
          ['onboarding', 'parent_record'],
          ['people', 'record_id']
        ],
        constraints: { value: PERSON_ID }
      },
      limit: 2
    })

    nock(API).post(`/v2/lists/${LIST_ID}/entries/query`).reply(200, { data: [] })
    const again = createTestIntegration(destination)
    const second = await again.testAction('syncListEntry', {
      event,
      settings,
      useDefaultMappings: true,
      mapping: { list: 'onboarding' }
    })
    expect(linesOf(second).some((l) => l.startsWith('DELETE'))).toBe(false)
  })

  it('MULTIPLE_MATCH_RESULTS on the entry assert becomes an error naming the list and the record', async () => {
    mockSchema()
    mockPipeline()
    nock(API).put('/v2/objects/companies/records').query(true).reply(200, recordBody('companies', COMPANY_ID))
    nock(API)
      .put(`/v2/lists/${LIST_ID}/entries`)
      .reply(400, errorBody(400, 'multiple_match_results', 'Multiple entries match.'))
    const { error } = await capture(createTestIntegration(destination), (t) =>
      t.testAction('syncListEntry', {
        event: groupEvent,
        settings,
        useDefaultMappings: true,
        mapping: { list: 'sales_pipeline', membership: true }
      })
    )
    expect(error?.message).toMatch(
      new RegExp(`^list: the companies record ${COMPANY_ID} has several entries in the list "sales_pipeline"`)
    )
  })

  it('a 403 names the scopes the action needs', async () => {
    nock(API)
      .get('/v2/lists/sales_pipeline')
      .reply(
        403,
        errorBody(
          403,
          'forbidden',
          'The access token is missing the required scope(s): list_configuration:read.',
          'auth_error'
        )
      )
    await expect(
      createTestIntegration(destination).testAction('syncListEntry', {
        event: groupEvent,
        settings,
        useDefaultMappings: true,
        mapping: { list: 'sales_pipeline', membership: true }
      })
    ).rejects.toThrow(/Sync List Entry needs the scopes .*list_entry:read-write, list_configuration:read/)
  })

  it.each([
    [{ list: 'nope' }, /^list: Attio has no list "nope" in this workspace.*"sales_pipeline"/],
    [
      { entry_attributes: { colour: 'red' } },
      /^entry_attributes\.colour: the list "sales_pipeline" has no attribute "colour"/
    ],
    [
      { entry_attributes: { stage: 'Negotiating' } },
      /^entry_attributes\.stage: "Negotiating" .*"stage" \(status\)/
    ],
    [
      { entry_attributes: { deal_value: 'lots' } },
      /^entry_attributes\.deal_value: "lots" .*\(currency\) accepts/
    ],
    [{ entry_attributes: { created_at: '2024-01-01' } }, /^entry_attributes\.created_at: .*"created_at"/],
    [{ membership: 'no-membership' }, /^membership: map In the list to true or false/]
  ])('refuses %j before any write', async (mapping, message) => {
    mockSchema()
    mockPipeline()
    nock(API)
      .get('/v2/lists/nope')
      .reply(404, errorBody(404, 'not_found', 'List not found.'))
    nock(API)
      .get('/v2/lists')
      .reply(200, { data: [listBody('sales_pipeline', 'companies').data] })
    const { responses, error } = await capture(createTestIntegration(destination), (t) =>
      t.testAction('syncListEntry', {
        event: groupEvent,
        settings,
        useDefaultMappings: true,
        // 'no-membership': the mapping leaves In the list empty (and the event is no audience event).
        mapping:
          'membership' in mapping
            ? { list: 'sales_pipeline' }
            : { list: 'sales_pipeline', membership: true, ...mapping }
      })
    )
    expect(error?.message).toMatch(message)
    expect(writesOf(responses)).toEqual([])
  })

  it('a stage created in Attio since the statuses were read is found by reading them once more', async () => {
    mockSchema()
    const scope = nock(API).persist()
    scope.get('/v2/lists/sales_pipeline').reply(200, listBody('sales_pipeline', 'companies'))
    scope
      .get(`/v2/lists/${LIST_ID}/attributes`)
      .query(true)
      .reply(200, { data: [listAttribute('stage', 'status')] })
    const statuses = (titles: string[]) => ({
      data: titles.map((title, i) => ({ id: { status_id: `s-${i}` }, title, is_archived: false }))
    })
    nock(API)
      .get(`/v2/lists/${LIST_ID}/attributes/stage/statuses`)
      .query(true)
      .reply(200, statuses(['Lead']))
    nock(API)
      .get(`/v2/lists/${LIST_ID}/attributes/stage/statuses`)
      .query(true)
      .reply(200, statuses(['Lead', 'Demo']))
    scope.put('/v2/objects/companies/records').query(true).reply(200, recordBody('companies', COMPANY_ID))
    scope.put(`/v2/lists/${LIST_ID}/entries`).reply(200, { data: entryBody('companies', COMPANY_ID) })
    const send = (stage: string) =>
      createTestIntegration(destination).testAction('syncListEntry', {
        event: groupEvent,
        settings,
        useDefaultMappings: true,
        mapping: { list: 'sales_pipeline', membership: true, entry_attributes: { stage } }
      })
    await send('Lead')
    const responses = await send('Demo')
    expect(linesOf(responses).filter((l) => l.includes('/statuses'))).toEqual([
      `GET /v2/lists/${LIST_ID}/attributes/stage/statuses?show_archived=true`
    ])
    expect(writesOf(responses).at(-1)?.body).toMatchObject({
      data: { entry_values: { stage: [{ status: 'Demo' }] } }
    })
  })

  it('the write memory keys entries by credential, list and parent: only the same entry again is skipped', async () => {
    mockSchema()
    mockPipeline()
    const OTHER_LIST = '88888888-8888-4888-8888-888888888888'
    nock(API)
      .persist()
      .get('/v2/lists/partners')
      .reply(200, { data: { ...listBody('partners', 'companies').data, id: { list_id: OTHER_LIST } } })
    nock(API)
      .persist()
      .put('/v2/objects/companies/records')
      .query(true)
      .reply(200, recordBody('companies', COMPANY_ID))
    for (const list of [LIST_ID, OTHER_LIST]) {
      nock(API)
        .persist()
        .put(`/v2/lists/${list}/entries`)
        .reply(200, { data: entryBody('companies', COMPANY_ID) })
    }
    const integration = createTestIntegration(destination)
    const send = async (list: string, apiKey = 'key-123') =>
      linesOf(
        await integration.testAction('syncListEntry', {
          event: groupEvent,
          settings: { api_key: apiKey },
          useDefaultMappings: true,
          mapping: { list, membership: true }
        })
      ).filter((line) => line.startsWith('PUT /v2/lists/'))
    expect(await send('sales_pipeline')).toHaveLength(1)
    expect(await send('sales_pipeline')).toEqual([])
    // The same parent (and the same entry id in Attio's answer) in another list, and in another workspace.
    expect(await send('partners')).toEqual([`PUT /v2/lists/${OTHER_LIST}/entries`])
    expect(await send('sales_pipeline', 'key-456')).toEqual([`PUT /v2/lists/${LIST_ID}/entries`])
    expect(await send('partners')).toEqual([])
  })
})
