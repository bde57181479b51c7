import type { ErrorObject } from 'ajv'

import { parseCliArgs } from '../../src/emulator/cli-args'
import { toIssues } from '../../src/emulator/spec'
import { assertPath, useEmulator } from './helpers'

/**
 * Edges of the request pipeline, the route table and the checks that had no test of their own when the
 * emulator's server was split into modules (issue 14): each pins an answer the split had to keep.
 */
describe('request bodies and paths', () => {
  const { emu, call } = useEmulator()

  test('a body that is not JSON is a 400 naming invalid_json, and nothing is written', async () => {
    const r = await call()('PUT', assertPath('people', 'email_addresses'), '{"data": {')
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ status_code: 400, type: 'invalid_request_error', code: 'validation_type' })
    expect(r.body.validation_errors).toEqual([
      { code: 'invalid_json', path: [], message: expect.stringMatching(/^Invalid JSON: /) }
    ])
    expect(emu().state().people).toHaveLength(0)
  })

  test('a record write without data, or without data.values, is a 400 "Required" at that path', async () => {
    const noData = await call()('POST', '/v2/objects/people/records', { values: {} })
    expect(noData.status).toBe(400)
    expect(noData.body.validation_errors).toEqual([
      { code: 'invalid_type', path: ['data'], message: 'Required', expected: 'object', received: 'undefined' }
    ])
    const noValues = await call()('POST', '/v2/objects/people/records', { data: {} })
    expect(noValues.body.validation_errors[0].path).toEqual(['data', 'values'])
  })

  test('a path parameter that does not URL-decode matches no route: a 404 counted as an unknown route', async () => {
    const r = await call()('GET', '/v2/objects/%E0%A4%A')
    expect(r.status).toBe(404)
    expect(r.body).toMatchObject({
      code: 'not_found',
      message: 'Route GET /v2/objects/%E0%A4%A does not exist.'
    })
    expect(emu().stats().requests).toMatchObject({ 'GET (unknown route)': 1 })
  })

  test('a record query without a body reads as an empty query', async () => {
    await call()('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['q@example.com'] } }
    })
    const r = await call()('POST', '/v2/objects/people/records/query')
    expect(r.status).toBe(200)
    expect(r.body.data).toHaveLength(1)
  })
})

describe('options and statuses of the wrong kind of attribute', () => {
  const { call } = useEmulator()

  test('options of a non-select and statuses of a non-status attribute are 404, on objects and lists', async () => {
    const objectOptions = await call()('GET', '/v2/objects/people/attributes/name/options')
    expect(objectOptions.status).toBe(404)
    expect(objectOptions.body.message).toBe('Attribute "name" is not a select attribute.')
    const objectStatuses = await call()('GET', '/v2/objects/people/attributes/name/statuses')
    expect(objectStatuses.body.message).toBe('Attribute "name" is not a status attribute.')
    const listOptions = await call()('GET', '/v2/lists/onboarding/attributes/entry_id/options')
    expect(listOptions.status).toBe(404)
    expect(listOptions.body.message).toBe('Attribute "entry_id" is not a select attribute.')
    const listStatuses = await call()('GET', '/v2/lists/onboarding/attributes/entry_id/statuses')
    expect(listStatuses.body.message).toBe('Attribute "entry_id" is not a status attribute.')
  })

  test('the standard deal stages, "Won 🎉" the one celebrated', async () => {
    const r = await call()('GET', '/v2/objects/deals/attributes/stage/statuses?show_archived=true')
    expect(r.status).toBe(200)
    expect(r.body.data.map((s: { title: string }) => s.title)).toEqual([
      'Lead',
      'In Progress',
      'Won 🎉',
      'Lost'
    ])
    expect(r.body.data.find((s: { title: string }) => s.title === 'Won 🎉').celebration_enabled).toBe(true)
    expect(r.body.data.find((s: { title: string }) => s.title === 'Lead').celebration_enabled).toBe(false)
  })
})

describe('creating attributes: types and config', () => {
  const { call } = useEmulator()
  const create = (data: Record<string, unknown>) =>
    call()('POST', '/v2/objects/people/attributes', {
      data: { title: 'X', is_required: false, is_unique: false, is_multiselect: false, ...data }
    })

  test("Attio's own types (interaction, personal-name) cannot be created", async () => {
    for (const type of ['interaction', 'personal-name']) {
      const r = await create({ api_slug: `own_${type.replace('-', '_')}`, type })
      expect(r.status).toBe(400)
      expect(r.body.message).toContain(`Attributes of type "${type}" cannot be created.`)
    }
  })

  test('a record reference needs allowed_objects, each an existing object', async () => {
    const none = await create({ api_slug: 'ref_none', type: 'record-reference' })
    expect(none.status).toBe(400)
    expect(none.body.message).toContain('config.record_reference.allowed_objects')
    const unknown = await create({
      api_slug: 'ref_unknown',
      type: 'record-reference',
      config: { record_reference: { allowed_objects: ['nope'] } }
    })
    expect(unknown.body.message).toContain('object "nope" was not found')
    const ok = await create({
      api_slug: 'ref_ok',
      type: 'record-reference',
      config: { record_reference: { allowed_objects: ['companies'] } }
    })
    expect(ok.status).toBe(200)
    const companies = (await call()('GET', '/v2/objects/companies')).body.data.id.object_id
    expect(ok.body.data.config.record_reference.allowed_object_ids).toEqual([companies])
  })

  test('a currency defaults to USD shown as a symbol; a code that is not ISO 4217 is refused', async () => {
    const plain = await create({ api_slug: 'price', type: 'currency' })
    expect(plain.body.data.config.currency).toEqual({ default_currency_code: 'USD', display_type: 'symbol' })
    const eur = await create({
      api_slug: 'price_eur',
      type: 'currency',
      config: { currency: { default_currency_code: 'EUR', display_type: 'code' } }
    })
    expect(eur.body.data.config.currency).toEqual({ default_currency_code: 'EUR', display_type: 'code' })
    const bad = await create({
      api_slug: 'price_bad',
      type: 'currency',
      config: { currency: { default_currency_code: 'usd' } }
    })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain('ISO 4217')
    const text = await create({ api_slug: 'plain_text', type: 'text' })
    expect(text.body.data.config.currency).toEqual({ default_currency_code: null, display_type: null })
    expect(text.body.data.config.record_reference.allowed_object_ids).toBeNull()
  })
})

describe("ajv's errors as Attio's validation issues", () => {
  const error = (e: Partial<ErrorObject>): ErrorObject =>
    ({ instancePath: '', schemaPath: '#', params: {}, ...e }) as ErrorObject

  test('each keyword family has its code; paths unescape JSON pointers and number array indexes', () => {
    const data = { data: { 'a/b': ['c'], n: 3, s: 'x' } }
    const issues = toIssues(
      [
        error({ keyword: 'enum', instancePath: '/data/a~1b/0', params: { allowedValues: ['a', 'b'] } }),
        error({ keyword: 'const', instancePath: '/data/s', params: { allowedValue: 'y' } }),
        error({ keyword: 'minimum', instancePath: '/data/n', message: 'must be >= 5' }),
        error({ keyword: 'maxLength', instancePath: '/data/s' }),
        error({ keyword: 'pattern', instancePath: '/data/s' }),
        error({ keyword: 'format', instancePath: '/data/n', params: { format: 'uuid' } }),
        error({ keyword: 'dependentRequired', instancePath: '/data', message: 'odd' }),
        error({ keyword: 'constructor', instancePath: '/data/n' })
      ],
      data,
      ['body']
    )
    expect(issues).toEqual([
      {
        code: 'invalid_enum_value',
        path: ['body', 'data', 'a/b', 0],
        message: 'Invalid enum value. Expected "a" | "b", received "c"',
        expected: '"a" | "b"',
        received: '"c"'
      },
      {
        code: 'invalid_enum_value',
        path: ['body', 'data', 's'],
        message: 'Invalid enum value. Expected "y", received "x"',
        expected: '"y"',
        received: '"x"'
      },
      { code: 'too_small', path: ['body', 'data', 'n'], message: 'must be >= 5' },
      { code: 'too_big', path: ['body', 'data', 's'], message: 'Too big' },
      { code: 'invalid_string', path: ['body', 'data', 's'], message: 'Invalid string' },
      { code: 'invalid_string', path: ['body', 'data', 'n'], message: 'Invalid uuid' },
      { code: 'custom', path: ['body', 'data'], message: 'odd' },
      { code: 'custom', path: ['body', 'data', 'n'], message: 'Invalid input' }
    ])
  })

  test("a union's branch errors give way to the union's own; one issue per code and path", () => {
    const issues = toIssues(
      [
        error({
          keyword: 'type',
          instancePath: '/v',
          schemaPath: '#/anyOf/0/type',
          params: { type: 'string' }
        }),
        error({
          keyword: 'type',
          instancePath: '/v',
          schemaPath: '#/anyOf/1/type',
          params: { type: 'number' }
        }),
        error({ keyword: 'anyOf', instancePath: '/v', schemaPath: '#/anyOf' }),
        error({
          keyword: 'type',
          instancePath: '/w',
          schemaPath: '#/w/type',
          params: { type: ['string', 'null'] }
        }),
        error({ keyword: 'type', instancePath: '/w', schemaPath: '#/w/type', params: { type: 'string' } })
      ],
      { v: true, w: 1 }
    )
    expect(issues).toEqual([
      { code: 'invalid_union', path: ['v'], message: 'Invalid input' },
      {
        code: 'invalid_type',
        path: ['w'],
        message: 'Expected string | null, received number',
        expected: 'string | null',
        received: 'number'
      }
    ])
  })
})

describe('CLI flag forms', () => {
  test('--flag=value, -h, and fault flags without a rate (or with rate 0) give no faults', () => {
    expect(parseCliArgs(['--port=4011', '-h'])).toEqual({
      options: { rateLimits: true, port: 4011 },
      quiet: false,
      help: true
    })
    expect(parseCliArgs(['--fault-seed', '3', '--hang-ms', '5']).options.faults).toBeUndefined()
    expect(parseCliArgs(['--faults', '0']).options.faults).toBeUndefined()
    expect(() => parseCliArgs(['--port', '-1'])).toThrow(/not an integer >= 0/)
    expect(() => parseCliArgs(['constructor'])).toThrow(/unknown flag "constructor"/)
  })
})
