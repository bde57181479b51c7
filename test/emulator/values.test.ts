import {
  parseDate,
  parseDomain,
  parseEmail,
  parseLocationString,
  parsePhone,
  parseTimestamp
} from '../../src/emulator/formats'
import { assertPath, useEmulator, vals, type Body } from './helpers'

const SEED = {
  members: [{ email_address: 'alice@example.com', first_name: 'Alice' }],
  attributes: {
    people: [
      { api_slug: 't_text', type: 'text' as const },
      { api_slug: 't_number', type: 'number' as const },
      { api_slug: 't_rating', type: 'rating' as const },
      { api_slug: 't_currency', type: 'currency' as const, currency_code: 'EUR' },
      { api_slug: 't_checkbox', type: 'checkbox' as const },
      { api_slug: 't_date', type: 'date' as const },
      { api_slug: 't_timestamp', type: 'timestamp' as const },
      { api_slug: 't_select', type: 'select' as const, options: ['X', 'Y'] },
      { api_slug: 't_status', type: 'status' as const, statuses: ['Open', 'Closed'] },
      { api_slug: 't_actor', type: 'actor-reference' as const }
    ]
  }
}

type Case = [string, unknown, Record<string, unknown>]
type Bad = [string, unknown, string]

const ACCEPTED: Case[] = [
  ['t_text', 'hi', { value: 'hi', attribute_type: 'text' }],
  ['t_text', { value: 'hi' }, { value: 'hi' }],
  ['t_text', ['hi'], { value: 'hi' }],
  ['t_number', 3.14159, { value: 3.1416, attribute_type: 'number' }],
  ['t_number', [{ value: 2 }], { value: 2 }],
  ['t_rating', 4, { value: 4, attribute_type: 'rating' }],
  ['t_rating', { value: 0 }, { value: 0 }],
  ['t_currency', 4.99, { currency_value: 4.99, currency_code: 'EUR', attribute_type: 'currency' }],
  ['t_currency', '4.99', { currency_value: 4.99 }],
  ['t_currency', [{ currency_value: '399.00' }], { currency_value: 399 }],
  ['t_currency', 1.23456, { currency_value: 1.2346 }],
  ['t_checkbox', true, { value: true, attribute_type: 'checkbox' }],
  ['t_checkbox', 'false', { value: false }],
  ['t_checkbox', [{ value: true }], { value: true }],
  ['t_date', '2023', { value: '2023-01-01', attribute_type: 'date' }],
  ['t_date', '2023-01', { value: '2023-01-01' }],
  ['t_date', '2023-01-02T13:00', { value: '2023-01-02' }],
  ['t_date', '2023-01-02T15:00:00.000000000+02:00', { value: '2023-01-02' }],
  ['t_date', '2023-01-02T23:00:00-10:00', { value: '2023-01-03' }],
  ['t_date', [{ value: '2004-07-29' }], { value: '2004-07-29' }],
  ['t_timestamp', '2023', { value: '2023-01-01T00:00:00.000000000Z', attribute_type: 'timestamp' }],
  ['t_timestamp', '2023-01-02T13:00', { value: '2023-01-02T13:00:00.000000000Z' }],
  ['t_timestamp', '2023-01-02T15:00:00.000000000+02:00', { value: '2023-01-02T13:00:00.000000000Z' }],
  ['t_timestamp', { value: '2019-01-17T15:17:48.123Z' }, { value: '2019-01-17T15:17:48.123000000Z' }],
  ['name', 'Smith, John', { first_name: 'John', last_name: 'Smith', full_name: 'John Smith' }],
  ['name', 'John', { first_name: 'John', last_name: '', full_name: 'John' }],
  ['name', 'Smith, John, Jr', { first_name: 'John, Jr', last_name: 'Smith' }],
  [
    'name',
    { first_name: 'A', last_name: 'B', full_name: 'A B' },
    { first_name: 'A', last_name: 'B', full_name: 'A B' }
  ],
  [
    'phone_numbers',
    ['+44 7777 777777'],
    { original_phone_number: '+44 7777 777777', normalized_phone_number: '+447777777777', country_code: 'GB' }
  ],
  ['phone_numbers', ['+1 (555) 867-5309'], { normalized_phone_number: '+15558675309', country_code: 'US' }],
  ['phone_numbers', ['+1 416 555 0100'], { country_code: 'CA' }],
  [
    'phone_numbers',
    [{ original_phone_number: '07777 777777', country_code: 'GB' }],
    { normalized_phone_number: '+447777777777', country_code: 'GB' }
  ],
  [
    'phone_numbers',
    [{ original_phone_number: '+33 1 23 45 67 89', country_code: null }],
    { country_code: 'FR' }
  ],
  [
    'primary_location',
    '1 Infinite Loop, Cupertino, CA, 95014, US',
    {
      line_1: '1 Infinite Loop',
      locality: 'Cupertino',
      region: 'CA',
      postcode: '95014',
      country_code: 'US',
      latitude: null
    }
  ],
  [
    'primary_location',
    {
      line_1: '1 Infinite Loop',
      line_2: null,
      line_3: null,
      line_4: null,
      locality: 'Cupertino',
      region: 'CA',
      postcode: '95014',
      country_code: 'US',
      latitude: '37.331741',
      longitude: '-122.030333'
    },
    { latitude: '37.331741', longitude: '-122.030333', attribute_type: 'location' }
  ],
  [
    't_select',
    'X',
    { option: expect.objectContaining({ title: 'X', is_archived: false }), attribute_type: 'select' }
  ],
  ['t_select', { option: 'Y' }, { option: expect.objectContaining({ title: 'Y' }) }],
  ['t_status', 'Open', { status: expect.objectContaining({ title: 'Open', celebration_enabled: false }) }],
  ['t_status', [{ status: 'Closed' }], { status: expect.objectContaining({ title: 'Closed' }) }],
  [
    't_actor',
    'alice@example.com',
    { referenced_actor_type: 'workspace-member', attribute_type: 'actor-reference' }
  ],
  [
    't_actor',
    { workspace_member_email_address: 'ALICE@example.com' },
    { referenced_actor_type: 'workspace-member' }
  ]
]

const REJECTED: Bad[] = [
  ['t_text', 5, 'validation_type'],
  ['t_text', { value: 5 }, 'validation_type'],
  ['t_text', { val: 'x' }, 'validation_type'],
  ['t_number', '5', 'validation_type'],
  ['t_number', { value: 'x' }, 'validation_type'],
  ['t_rating', 6, 'validation_type'],
  ['t_rating', 2.5, 'validation_type'],
  ['t_rating', -1, 'validation_type'],
  ['t_rating', '3', 'validation_type'],
  ['t_currency', 'abc', 'validation_type'],
  ['t_currency', true, 'validation_type'],
  ['t_currency', { currency_code: 'USD' }, 'validation_type'],
  ['t_checkbox', 'yes', 'validation_type'],
  ['t_checkbox', 1, 'validation_type'],
  ['t_date', '2023-13-01', 'validation_type'],
  ['t_date', '2023-02-30', 'validation_type'],
  ['t_date', 'yesterday', 'validation_type'],
  ['t_date', 20230101, 'validation_type'],
  ['t_timestamp', 'not a date', 'validation_type'],
  ['t_timestamp', 1700000000, 'validation_type'],
  ['name', { first_name: 'J' }, 'validation_type'],
  ['name', 5, 'validation_type'],
  ['phone_numbers', ['07777777777'], 'validation_type'],
  ['phone_numbers', [{ original_phone_number: '0777 777777', country_code: null }], 'validation_type'],
  ['phone_numbers', ['+12'], 'validation_type'],
  ['phone_numbers', [{ original_phone_number: '+447777777777' }], 'validation_type'],
  ['phone_numbers', ['+44 abc 777'], 'validation_type'],
  ['phone_numbers', [{ original_phone_number: '0044 7777 777777', country_code: null }], 'validation_type'],
  ['primary_location', { line_1: 'x', locality: 'y', country_code: 'US' }, 'validation_type'],
  [
    'primary_location',
    {
      line_1: null,
      line_2: null,
      line_3: null,
      line_4: null,
      locality: null,
      region: null,
      postcode: null,
      country_code: 'usa',
      latitude: null,
      longitude: null
    },
    'validation_type'
  ],
  ['primary_location', 42, 'validation_type'],
  ['t_select', 'Z', 'value_not_found'],
  ['t_select', { option: 'Nope' }, 'value_not_found'],
  ['t_status', 'Nope', 'value_not_found'],
  ['t_actor', 'nobody@example.com', 'value_not_found'],
  ['t_actor', { referenced_actor_type: 'api-token', referenced_actor_id: 'x' }, 'validation_type'],
  ['last_email_interaction', { interaction_type: 'email' }, 'system_edit_unauthorized']
]

describe('values per attribute type', () => {
  const { call } = useEmulator({ seed: SEED })
  const write = (values: Record<string, unknown>): Promise<{ status: number; body: Body }> =>
    call()('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['v@x.com'], ...values } }
    })

  test.each(ACCEPTED)('%s accepts %j', async (slug, input, expected) => {
    const r = await write({ [slug]: input })
    expect(r.status).toBe(200)
    const list = vals(r.body.data, slug)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ active_until: null, ...expected })
  })

  test.each(REJECTED)('%s rejects %j with %s', async (slug, input, code) => {
    const r = await write({ [slug]: input })
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ status_code: 400, type: 'invalid_request_error', code })
    expect(r.body.message).toContain(slug)
  })

  test('select and status also accept the option / status id; unknown titles never create options', async () => {
    const opts = await call()('GET', '/v2/objects/people/attributes/t_select/options')
    const y = opts.body.data.find((o: Body) => o.title === 'Y').id.option_id
    const r = await write({ t_select: y })
    expect(vals(r.body.data, 't_select')[0].option.title).toBe('Y')
    await write({ t_select: 'New option' })
    expect((await call()('GET', '/v2/objects/people/attributes/t_select/options')).body.data).toHaveLength(2)
    const sts = await call()('GET', '/v2/objects/people/attributes/t_status/statuses')
    const closed = sts.body.data.find((s: Body) => s.title === 'Closed').id.status_id
    expect(vals((await write({ t_status: { status: closed } })).body.data, 't_status')[0].status.title).toBe(
      'Closed'
    )
  })

  test('actor-reference by workspace member id', async () => {
    const first = await write({ t_actor: 'alice@example.com' })
    const id = vals(first.body.data, 't_actor')[0].referenced_actor_id
    const r = await write({ t_actor: { referenced_actor_type: 'workspace-member', referenced_actor_id: id } })
    expect(vals(r.body.data, 't_actor')[0].referenced_actor_id).toBe(id)
  })

  test('email addresses: normalised, original kept, domain parts; strict validation', async () => {
    const r = await call()('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['Person@Mail.Company.co.uk', { email_address: 'x@y.io' }] } }
    })
    expect(vals(r.body.data, 'email_addresses')[0]).toMatchObject({
      email_address: 'person@mail.company.co.uk',
      original_email_address: 'Person@Mail.Company.co.uk',
      email_domain: 'mail.company.co.uk',
      email_root_domain: 'company.co.uk',
      email_local_specifier: 'person',
      attribute_type: 'email-address'
    })
    // An internationalised domain in punycode is a host name like any other.
    const idn = await call()('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['ada@xn--bcher-kva.de'] } }
    })
    expect(idn.status).toBe(200)
    expect(vals(idn.body.data, 'email_addresses')[0]).toMatchObject({ email_domain: 'xn--bcher-kva.de' })
    // Addresses are ASCII (the OpenAPI document's `format: email`): a non-ASCII local part or domain is refused.
    for (const bad of [
      'not-an-email',
      'a@b',
      ' a@b.com',
      'a..b@c.com',
      'a@b.c',
      'a b@c.com',
      'josé@example.com',
      'ada@bücher.de'
    ]) {
      const e = await call()('PUT', assertPath('people', 'email_addresses'), {
        data: { values: { email_addresses: [bad] } }
      })
      expect(e.status).toBe(400)
      expect(e.body.code).toBe('validation_type')
      expect(e.body.message).toContain('email_addresses')
    }
  })

  test('domains: string or {domain}; paths and query trimmed; root domain inferred', async () => {
    const r = await call()('PUT', assertPath('companies', 'domains'), {
      data: { values: { domains: ['https://app.attio.com/path?q=1', { domain: 'WWW.Example.CO.UK' }] } }
    })
    expect(r.status).toBe(200)
    expect(vals(r.body.data, 'domains').map((d: Body) => [d.domain, d.root_domain])).toEqual([
      ['app.attio.com', 'attio.com'],
      ['www.example.co.uk', 'example.co.uk']
    ])
    for (const bad of [['not a domain'], ['localhost'], [5], 'attio.com']) {
      const e = await call()('PUT', assertPath('companies', 'domains'), {
        data: { values: { domains: bad } }
      })
      expect(e.status).toBe(400)
      expect(e.body.message).toContain('domains')
    }
  })

  test('a location object with fewer than ten keys is a 400 naming the missing keys', async () => {
    const r = await write({ primary_location: { line_1: 'x', locality: 'y', country_code: 'US' } })
    expect(r.body.message).toMatch(/missing: line_2, line_3, line_4, region, postcode, latitude, longitude/)
  })
})

describe('format parsers', () => {
  test('dates and timestamps', () => {
    expect(parseDate(' 2023-01-02 ')).toEqual({ ok: true, value: '2023-01-02' })
    expect(parseDate('2023-01-02T01:00:00+02:00')).toEqual({ ok: true, value: '2023-01-01' })
    expect(parseTimestamp('2023-01-02T13:00:00.123456789Z')).toEqual({
      ok: true,
      value: '2023-01-02T13:00:00.123456789Z'
    })
    expect(parseTimestamp('2023-01-02T00:30:00-01:00')).toEqual({
      ok: true,
      value: '2023-01-02T01:30:00.000000000Z'
    })
    expect(parseTimestamp('2023-01-02T25:00').ok).toBe(false)
  })

  test('domains, emails, phones and location strings', () => {
    expect(parseDomain('http://user@shop.example.com:8080/x#y')).toEqual({
      ok: true,
      value: { domain: 'shop.example.com', root_domain: 'example.com' }
    })
    expect(parseEmail('First.Last+tag@Example.com')).toMatchObject({
      ok: true,
      value: { email_address: 'first.last+tag@example.com', email_local_specifier: 'first.last+tag' }
    })
    expect(parsePhone('+49 30 1234567', null)).toMatchObject({ ok: true, value: { country_code: 'DE' } })
    expect(parsePhone('030 1234567', 'DE')).toMatchObject({
      ok: true,
      value: { normalized_phone_number: '+49301234567' }
    })
    expect(parsePhone('+1 234', null).ok).toBe(false)
    expect(parseLocationString('Paris, France')).toMatchObject({
      ok: true,
      value: { locality: 'Paris', country_code: 'FR' }
    })
    expect(parseLocationString('221B Baker Street, London, NW1 6XE, United Kingdom')).toMatchObject({
      ok: true,
      value: { line_1: '221B Baker Street', locality: 'London', postcode: 'NW1 6XE', country_code: 'GB' }
    })
    expect(parseLocationString('Berlin')).toMatchObject({
      ok: true,
      value: { locality: 'Berlin', country_code: null }
    })
  })
})
