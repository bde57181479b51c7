/**
 * Conformance: every response the emulator gives to these calls is validated against the response schema of
 * Attio's OpenAPI document (JSON Schema 2020-12 via ajv): the project's structure-only copy in spec/, whose
 * timestamp value schema says date-time where Attio's document says date (see spec/attio-openapi.meta.json).
 */
import { readFileSync } from 'node:fs'

import Ajv2020 from 'ajv/dist/2020'
import addFormats from 'ajv-formats'

import { startEmulator, type RunningEmulator } from '../../src/emulator'
import { tolerantSchema } from '../../src/emulator/spec'
import { assertPath, caller, SPEC_PATH, type Body, type Call } from './helpers'

const BASE = 'https://attio-emulator.local/openapi.json'

const SEED = {
  members: [{ email_address: 'alice@example.com' }],
  attributes: {
    people: [
      { api_slug: 't_number', type: 'number' as const },
      { api_slug: 't_rating', type: 'rating' as const },
      { api_slug: 't_currency', type: 'currency' as const, currency_code: 'GBP' },
      { api_slug: 't_checkbox', type: 'checkbox' as const },
      { api_slug: 't_date', type: 'date' as const },
      { api_slug: 't_timestamp', type: 'timestamp' as const },
      { api_slug: 't_select', type: 'select' as const, options: ['X'] },
      { api_slug: 't_status', type: 'status' as const, statuses: ['Open'] },
      { api_slug: 't_actor', type: 'actor-reference' as const },
      { api_slug: 'old', type: 'text' as const, is_archived: true }
    ],
    deals: [{ api_slug: 'external_id', type: 'text' as const, is_unique: true }]
  }
}

describe('conformance of responses with the OpenAPI document', () => {
  let emu: RunningEmulator
  let call: Call
  let doc: Body
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)

  beforeAll(async () => {
    doc = JSON.parse(readFileSync(SPEC_PATH, 'utf8'))
    ajv.addSchema({ $id: BASE, components: tolerantSchema(doc.components) })
    emu = await startEmulator({
      port: 0,
      seed: SEED,
      tokens: [{ token: 'dead', scopes: [], active: false }]
    })
    call = caller(emu)
  })
  afterAll(() => emu.close())

  const schemaOf = (path: string, method: string, status: number): Body => {
    const response = doc.paths[path][method].responses[String(status)]
    if (!response)
      throw new Error(`the document has no ${status} response for ${method.toUpperCase()} ${path}`)
    return response.content['application/json'].schema
  }

  /** Validates a response; for error codes the document does not list on that operation, the shape only. */
  const conforms = (path: string, method: string, res: { status: number; body: Body }): void => {
    let schema = schemaOf(path, method, res.status)
    const codes: unknown = schema?.properties?.code?.enum
    if (Array.isArray(codes) && !codes.includes(res.body?.code)) {
      schema = { ...schema, properties: { ...schema.properties, code: { type: 'string' } } }
    }
    const validate = ajv.compile(tolerantSchema(schema) as object)
    const ok = validate(res.body)
    expect(ok ? [] : validate.errors).toEqual([])
  }

  const richPerson = {
    email_addresses: ['Ann@Example.com'],
    name: 'Smith, Ann',
    job_title: 'CTO',
    phone_numbers: ['+44 7777 777777'],
    primary_location: '1 Infinite Loop, Cupertino, CA, 95014, US',
    company: 'acme.com',
    t_number: 3.5,
    t_rating: 4,
    t_currency: '9.99',
    t_checkbox: true,
    t_date: '2023-01-02T23:00:00-10:00',
    t_timestamp: '2023-01-02T15:00:00+02:00',
    t_select: 'X',
    t_status: 'Open',
    t_actor: 'alice@example.com'
  }

  test('GET /v2/self (active and inactive tokens)', async () => {
    conforms('/v2/self', 'get', await call('GET', '/v2/self'))
    conforms('/v2/self', 'get', await caller(emu, 'dead')('GET', '/v2/self'))
  })

  test('GET /v2/objects and /v2/objects/{object} (200 and 404)', async () => {
    conforms('/v2/objects', 'get', await call('GET', '/v2/objects'))
    conforms('/v2/objects/{object}', 'get', await call('GET', '/v2/objects/people'))
    const missing = await call('GET', '/v2/objects/planets')
    expect(missing.status).toBe(404)
    conforms('/v2/objects/{object}', 'get', missing)
  })

  test('GET attributes of every object, archived ones included', async () => {
    for (const object of ['people', 'companies', 'deals', 'users', 'workspaces']) {
      const r = await call('GET', `/v2/objects/${object}/attributes?show_archived=true`)
      expect(r.status).toBe(200)
      conforms('/v2/{target}/{identifier}/attributes', 'get', r)
    }
  })

  test('POST attributes (text, currency, record-reference) and its 400 / 409 errors', async () => {
    const base = { description: null, is_required: false, is_unique: false, is_multiselect: false }
    const bodies = [
      { ...base, title: 'Nick', api_slug: 'nick', type: 'text', config: {} },
      {
        ...base,
        title: 'ARR',
        api_slug: 'arr',
        type: 'currency',
        config: { currency: { default_currency_code: 'EUR', display_type: 'code' } }
      },
      {
        ...base,
        title: 'Mentor',
        api_slug: 'mentor',
        type: 'record-reference',
        is_multiselect: true,
        config: { record_reference: { allowed_objects: ['people'] } }
      }
    ]
    for (const data of bodies) {
      const r = await call('POST', '/v2/objects/people/attributes', { data })
      expect(r.status).toBe(200)
      conforms('/v2/{target}/{identifier}/attributes', 'post', r)
    }
    const conflict = await call('POST', '/v2/objects/people/attributes', { data: bodies[0] })
    expect(conflict.status).toBe(409)
    conforms('/v2/{target}/{identifier}/attributes', 'post', conflict)
    const invalid = await call('POST', '/v2/objects/people/attributes', {
      data: { ...bodies[0], api_slug: 'x', type: 'nope' }
    })
    expect(invalid.status).toBe(400)
    conforms('/v2/{target}/{identifier}/attributes', 'post', invalid)
  })

  test('assert, create, get, patch, put, query, delete with every value type', async () => {
    const records = '/v2/objects/{object}/records'
    const record = '/v2/objects/{object}/records/{record_id}'
    conforms(
      records,
      'put',
      await call('PUT', assertPath('companies', 'domains'), { data: { values: { domains: ['acme.com'] } } })
    )
    const person = await call('PUT', assertPath('people', 'email_addresses'), {
      data: { values: richPerson }
    })
    expect(person.status).toBe(200)
    conforms(records, 'put', person)
    const id = person.body.data.id.record_id
    const user = await call('PUT', assertPath('users', 'user_id'), {
      data: { values: { user_id: 'u1', primary_email_address: 'u1@x.com', person: 'ann@example.com' } }
    })
    conforms(records, 'put', user)
    conforms(
      records,
      'put',
      await call('PUT', assertPath('workspaces', 'workspace_id'), {
        data: { values: { workspace_id: 'w1', users: ['u1'], company: 'acme.com' } }
      })
    )
    conforms(
      records,
      'put',
      await call('PUT', assertPath('deals', 'external_id'), {
        data: {
          values: { external_id: 'd1', name: 'D', stage: 'Lead', owner: 'alice@example.com', value: 5 }
        }
      })
    )
    conforms(
      records,
      'post',
      await call('POST', '/v2/objects/people/records', { data: { values: { job_title: 'x' } } })
    )
    conforms(record, 'get', await call('GET', `/v2/objects/people/records/${id}`))
    conforms(
      record,
      'patch',
      await call('PATCH', `/v2/objects/people/records/${id}`, {
        data: { values: { phone_numbers: ['+15558675309'] } }
      })
    )
    conforms(
      record,
      'put',
      await call('PUT', `/v2/objects/people/records/${id}`, { data: { values: { t_select: [] } } })
    )
    for (const object of ['people', 'companies', 'users', 'workspaces', 'deals'])
      conforms(`${records}/query`, 'post', await call('POST', `/v2/objects/${object}/records/query`, {}))
    const del = await call('DELETE', `/v2/objects/people/records/${id}`)
    expect(del.status).toBe(200)
    conforms(record, 'delete', del)
  })

  test('the check itself rejects bodies that do not conform', async () => {
    const person = await call('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['x@example.com'], t_currency: 1 } }
    })
    conforms('/v2/objects/{object}/records', 'put', person)
    const broken = structuredClone(person.body)
    broken.data.values.t_currency[0].currency_value = '1.00'
    expect(() => conforms('/v2/objects/{object}/records', 'put', { status: 200, body: broken })).toThrow()
    const noWebUrl = structuredClone(person.body)
    delete noWebUrl.data.web_url
    expect(() => conforms('/v2/objects/{object}/records', 'put', { status: 200, body: noWebUrl })).toThrow()
  })

  test('error bodies: 400s and 404s of the record endpoints', async () => {
    const records = '/v2/objects/{object}/records'
    const record = '/v2/objects/{object}/records/{record_id}'
    const cases: Array<[string, string, { status: number; body: Body }, number]> = [
      [records, 'put', await call('PUT', assertPath('people', 'nope'), { data: { values: {} } }), 400],
      [records, 'put', await call('PUT', assertPath('people', 'job_title'), { data: { values: {} } }), 400],
      [
        records,
        'put',
        await call('PUT', assertPath('people', 'email_addresses'), {
          data: { values: { job_title: 'x' } }
        }),
        400
      ],
      [
        records,
        'put',
        await call('PUT', assertPath('people', 'email_addresses'), {
          data: { values: { email_addresses: ['bad'] } }
        }),
        400
      ],
      [records, 'put', await call('PUT', assertPath('planets', 'x'), { data: { values: {} } }), 404],
      [
        records,
        'post',
        await call('POST', '/v2/objects/people/records', { data: { values: { shoe: 1 } } }),
        400
      ],
      [
        record,
        'get',
        await call('GET', '/v2/objects/people/records/00000000-0000-4000-8000-000000000000'),
        404
      ],
      [
        record,
        'patch',
        await call('PATCH', '/v2/objects/people/records/00000000-0000-4000-8000-000000000000', {
          data: { values: {} }
        }),
        404
      ],
      [
        `${records}/query`,
        'post',
        await call('POST', '/v2/objects/people/records/query', { filter: { nope: 1 } }),
        400
      ]
    ]
    for (const [path, method, res, status] of cases) {
      expect(res.status).toBe(status)
      conforms(path, method, res)
    }
    const u = await call('PUT', assertPath('users', 'user_id'), {
      data: { values: { user_id: 'u9', primary_email_address: 'u9@x.com' } }
    })
    const unset = await call('PATCH', `/v2/objects/users/records/${u.body.data.id.record_id}`, {
      data: { values: { user_id: null } }
    })
    expect(unset.body.code).toBe('missing_value')
    conforms(record, 'patch', unset)
  })
})
