import { startEmulator, type RunningEmulator } from '../../src/emulator'
import { tolerantSchema } from '../../src/emulator/spec'
import { assertPath, caller, SPEC_PATH, type Body } from './helpers'

test('tolerant schemas: null is allowed in enums of nullable fields, nullable:true, required-but-undeclared keys', () => {
  expect(tolerantSchema({ type: ['string', 'null'], enum: ['USD'] })).toEqual({
    type: ['string', 'null'],
    enum: ['USD', null]
  })
  expect(tolerantSchema({ type: 'string', nullable: true, enum: ['a'] })).toEqual({
    type: ['string', 'null'],
    enum: ['a', null]
  })
  expect(
    tolerantSchema({
      type: 'object',
      properties: { a: {} },
      required: ['a', 'b'],
      additionalProperties: false
    })
  ).toEqual({
    type: 'object',
    properties: { a: {}, b: {} },
    required: ['a', 'b'],
    additionalProperties: false
  })
  expect(tolerantSchema({ $ref: '#/components/schemas/x' })).toEqual({
    $ref: 'https://attio-emulator.local/openapi.json#/components/schemas/x'
  })
})

describe('spec validation against the OpenAPI document', () => {
  let emu: RunningEmulator
  beforeAll(async () => {
    emu = await startEmulator({
      port: 0,
      spec: SPEC_PATH,
      tokens: [{ token: 'no-config', scopes: ['record_permission:read-write'] }]
    })
  })
  afterAll(() => emu.close())

  test('a single non-array value is a 400 validation_type, as the document says values are arrays', async () => {
    const r = await caller(emu)('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['a@x.com'], job_title: 'CTO' } }
    })
    expect(r.status).toBe(400)
    expect(r.body).toEqual({
      status_code: 400,
      type: 'invalid_request_error',
      code: 'validation_type',
      message: 'Body payload validation error.',
      validation_errors: [
        {
          code: 'invalid_type',
          path: ['data', 'values', 'job_title'],
          message: 'Expected array, received string',
          expected: 'array',
          received: 'string'
        }
      ]
    })
    expect(emu.state().people).toHaveLength(0)
  })

  test('a conforming request passes; unknown keys and missing data are reported with paths', async () => {
    const ok = await caller(emu)('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['a@x.com'], job_title: ['CTO'] } }
    })
    expect(ok.status).toBe(200)
    const extra = await caller(emu)('PATCH', `/v2/objects/people/records/${ok.body.data.id.record_id}`, {
      data: { values: {}, extra: 1 }
    })
    expect(extra.status).toBe(400)
    expect(extra.body.validation_errors).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', path: ['data'] })
    ])
    const missing = await caller(emu)('POST', '/v2/objects/people/records', { nope: true })
    expect(missing.status).toBe(400)
    expect(missing.body.validation_errors[0]).toMatchObject({
      code: 'invalid_type',
      path: ['data'],
      received: 'undefined'
    })
    const query = await caller(emu)('POST', '/v2/objects/people/records/query', { limit: 'ten' })
    expect(query.status).toBe(400)
    expect(query.body.validation_errors[0].path).toEqual(['limit'])
  })

  test('path parameters are validated too (record_id is a uuid)', async () => {
    const r = await caller(emu)('GET', '/v2/objects/people/records/not-a-uuid')
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ code: 'validation_type', message: 'Path parameter validation error.' })
    expect(r.body.validation_errors[0].path).toEqual(['record_id'])
  })

  test('creating an attribute with a valid body passes despite the document listing description only in required', async () => {
    const r = await caller(emu)('POST', '/v2/objects/people/attributes', {
      data: {
        title: 'Score',
        description: null,
        api_slug: 'score',
        type: 'number',
        is_required: false,
        is_unique: false,
        is_multiselect: false,
        config: {}
      }
    })
    expect(r.status).toBe(200)
  })

  test('required scopes come from the operation security of the document', async () => {
    const r = await caller(emu, 'no-config')('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['b@x.com'] } }
    })
    expect(r.status).toBe(403)
    expect(r.body.message).toContain('object_configuration:read')
  })

  test('routes the document does not describe (the bulk endpoint) are not validated by it', async () => {
    const r = await caller(emu)('PUT', '/v2/batch/records', { assertions: [] })
    expect(r.status).toBe(202)
  })

  test('without the spec option, a single value for a single-select attribute is accepted', async () => {
    const plain = await startEmulator({ port: 0 })
    try {
      const r = await caller(plain)('PUT', assertPath('people', 'email_addresses'), {
        data: { values: { email_addresses: ['a@x.com'], job_title: 'CTO' } }
      })
      expect(r.status).toBe(200)
      expect(r.body.data.values.job_title.map((v: Body) => v.value)).toEqual(['CTO'])
    } finally {
      await plain.close()
    }
  })
})
