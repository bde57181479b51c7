/**
 * Lists and entries: the default seed's lists, assert by parent (create, update, replace of multiselect values),
 * MULTIPLE_MATCH_RESULTS, query by parent, delete, scopes; every response checked against the OpenAPI document.
 */
import { readFileSync } from 'node:fs'

import Ajv2020 from 'ajv/dist/2020'
import addFormats from 'ajv-formats'

import { startEmulator } from '../../src/emulator'
import { tolerantSchema } from '../../src/emulator/spec'
import { assertPath, caller, SPEC_PATH, useEmulator, type Body } from './helpers'

const doc: Body = JSON.parse(readFileSync(SPEC_PATH, 'utf8'))
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
ajv.addSchema({
  $id: 'https://attio-emulator.local/openapi.json',
  components: tolerantSchema(doc.components)
})

const conforms = (path: string, method: string, res: { status: number; body: Body }): void => {
  const schema = doc.paths[path][method].responses[String(res.status)].content['application/json'].schema
  const validate = ajv.compile(tolerantSchema(schema) as object)
  expect(validate(res.body) ? [] : validate.errors).toEqual([])
}

describe('lists', () => {
  const { emu, call } = useEmulator()

  const person = async (email: string): Promise<string> => {
    const r = await call()('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: [email] } }
    })
    return r.body.data.id.record_id
  }
  const company = async (domain: string): Promise<string> => {
    const r = await call()('PUT', assertPath('companies', 'domains'), {
      data: { values: { domains: [domain] } }
    })
    return r.body.data.id.record_id
  }
  const byParent = (list: string, object: string, id: string) => ({
    filter: {
      path: [
        [list, 'parent_record'],
        [object, 'record_id']
      ],
      constraints: { value: id }
    }
  })

  test('the default seed has a People list and a Companies pipeline with stages', async () => {
    const lists = await call()('GET', '/v2/lists')
    conforms('/v2/lists', 'get', lists)
    expect(lists.body.data.map((l: Body) => [l.api_slug, l.parent_object])).toEqual([
      ['onboarding', ['people']],
      ['sales_pipeline', ['companies']]
    ])
    const one = await call()('GET', '/v2/lists/sales_pipeline')
    conforms('/v2/lists/{list}', 'get', one)
    const byId = await call()('GET', `/v2/lists/${one.body.data.id.list_id}`)
    expect(byId.body.data.api_slug).toBe('sales_pipeline')
    const missing = await call()('GET', '/v2/lists/nope')
    expect(missing.status).toBe(404)
    conforms('/v2/lists/{list}', 'get', missing)
    const attrs = await call()('GET', '/v2/lists/sales_pipeline/attributes')
    conforms('/v2/{target}/{identifier}/attributes', 'get', attrs)
    expect(attrs.body.data.map((a: Body) => a.api_slug)).toEqual(
      expect.arrayContaining(['stage', 'deal_value', 'owner', 'created_at'])
    )
    const stages = await call()('GET', '/v2/lists/sales_pipeline/attributes/stage/statuses')
    expect(stages.body.data.map((s: Body) => s.title)).toEqual([
      'Lead',
      'Qualified',
      'Proposal',
      'Won',
      'Lost'
    ])
  })

  test('assert by parent creates the entry once, then updates it; values are written like record values', async () => {
    const id = await company('acme.com')
    const put = (values: Record<string, unknown>) =>
      call()('PUT', '/v2/lists/sales_pipeline/entries', {
        data: { parent_record_id: id, parent_object: 'companies', entry_values: values }
      })
    const first = await put({ stage: 'Lead', deal_value: 1200 })
    expect(first.status).toBe(200)
    conforms('/v2/lists/{list}/entries', 'put', first)
    expect(first.body.data.entry_values.stage[0].status.title).toBe('Lead')
    expect(first.body.data.entry_values.deal_value[0].currency_value).toBe(1200)
    const second = await put({ stage: 'Won' })
    expect(second.body.data.id.entry_id).toBe(first.body.data.id.entry_id)
    expect(second.body.data.entry_values.stage[0].status.title).toBe('Won')
    expect(second.body.data.entry_values.deal_value[0].currency_value).toBe(1200)
    expect(emu().entries('sales_pipeline')).toHaveLength(1)

    const badStage = await put({ stage: 'Nope' })
    expect(badStage.status).toBe(400)
    expect(badStage.body.message).toContain('Nope')
    const unknown = await put({ colour: 'red' })
    expect([unknown.status, unknown.body.code]).toEqual([400, 'value_not_found'])
    const badType = await put({ deal_value: 'lots' })
    expect([badType.status, badType.body.code]).toEqual([400, 'validation_type'])
  })

  test('multiselect entry values are replaced by an assert', async () => {
    const id = await person('ann@example.com')
    const put = (tags: string[]) =>
      call()('PUT', '/v2/lists/onboarding/entries', {
        data: { parent_record_id: id, parent_object: 'people', entry_values: { tags } }
      })
    await put(['Trial', 'Beta'])
    const r = await put(['VIP'])
    expect(r.body.data.entry_values.tags.map((v: Body) => v.option.title)).toEqual(['VIP'])
  })

  test('a parent of another object, or one that does not exist, is refused', async () => {
    const id = await person('bob@example.com')
    const wrong = await call()('PUT', '/v2/lists/sales_pipeline/entries', {
      data: { parent_record_id: id, parent_object: 'people', entry_values: {} }
    })
    expect([wrong.status, wrong.body.code]).toEqual([400, 'validation_type'])
    const absent = await call()('PUT', '/v2/lists/onboarding/entries', {
      data: {
        parent_record_id: '00000000-0000-4000-8000-000000000000',
        parent_object: 'people',
        entry_values: {}
      }
    })
    expect(absent.status).toBe(404)
    conforms('/v2/lists/{list}/entries', 'put', absent)
  })

  test('two entries for one parent: assert answers MULTIPLE_MATCH_RESULTS; query finds both; delete removes one', async () => {
    const id = await person('cat@example.com')
    const body = { data: { parent_record_id: id, parent_object: 'people', entry_values: {} } }
    await call()('POST', '/v2/lists/onboarding/entries', body)
    await call()('POST', '/v2/lists/onboarding/entries', body)
    const multiple = await call()('PUT', '/v2/lists/onboarding/entries', body)
    expect([multiple.status, multiple.body.code]).toEqual([400, 'multiple_match_results'])
    conforms('/v2/lists/{list}/entries', 'put', multiple)

    const other = await person('dan@example.com')
    await call()('PUT', '/v2/lists/onboarding/entries', { data: { ...body.data, parent_record_id: other } })
    const found = await call()(
      'POST',
      '/v2/lists/onboarding/entries/query',
      byParent('onboarding', 'people', id)
    )
    conforms('/v2/lists/{list}/entries/query', 'post', found)
    expect(found.body.data).toHaveLength(2)
    expect(found.body.data.every((e: Body) => e.parent_record_id === id)).toBe(true)

    const entryId = found.body.data[0].id.entry_id
    const del = await call()('DELETE', `/v2/lists/onboarding/entries/${entryId}`)
    expect(del.status).toBe(200)
    conforms('/v2/lists/{list}/entries/{entry_id}', 'delete', del)
    const again = await call()('DELETE', `/v2/lists/onboarding/entries/${entryId}`)
    expect(again.status).toBe(404)
    conforms('/v2/lists/{list}/entries/{entry_id}', 'delete', again)
    const get = await call()('GET', `/v2/lists/onboarding/entries/${found.body.data[1].id.entry_id}`)
    expect(get.body.data.parent_record_id).toBe(id)
  })

  test('deleting the parent record deletes its entries', async () => {
    const id = await person('eve@example.com')
    await call()('PUT', '/v2/lists/onboarding/entries', {
      data: { parent_record_id: id, parent_object: 'people', entry_values: {} }
    })
    await call()('DELETE', `/v2/objects/people/records/${id}`)
    expect(emu().entries('onboarding')).toEqual([])
  })

  test('an unsupported entry filter is a filter_error, not a silent match-all', async () => {
    const r = await call()('POST', '/v2/lists/onboarding/entries/query', { filter: { score: 3 } })
    expect([r.status, r.body.code]).toEqual([400, 'filter_error'])
  })
})

describe('list scopes', () => {
  test('entries need list_entry:read-write and list_configuration:read; lists need list_configuration:read', async () => {
    const emu = await startEmulator({
      port: 0,
      tokens: [
        { token: 'records-only', scopes: ['record_permission:read-write', 'object_configuration:read'] }
      ]
    })
    try {
      const call = caller(emu, 'records-only')
      const lists = await call('GET', '/v2/lists')
      expect(lists.status).toBe(403)
      expect(lists.body.message).toContain('list_configuration:read')
      const put = await call('PUT', '/v2/lists/onboarding/entries', { data: {} })
      expect(put.status).toBe(403)
      expect(put.body.message).toContain('list_entry:read-write')
    } finally {
      await emu.close()
    }
  })
})
