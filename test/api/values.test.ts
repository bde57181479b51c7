import {
  writeAttributeValue,
  ValueProblem,
  type AttributeType,
  type WriteContext
} from '../../src/api/values'

const attr = (type: AttributeType, isMultiselect = false) => ({ slug: 'x', type, isMultiselect })
const write = (type: AttributeType, input: unknown, context: WriteContext = {}, multi = false) =>
  writeAttributeValue(attr(type, multi), input, context)
const problem = (type: AttributeType, input: unknown, context: WriteContext = {}, multi = false) => {
  try {
    write(type, input, context, multi)
  } catch (error) {
    if (error instanceof ValueProblem) return error.problem
    throw error
  }
  throw new Error(`expected a problem for ${JSON.stringify(input)}`)
}

const statusOptions = [
  { id: 'st-1', title: 'Lead' },
  { id: 'st-2', title: 'In Progress' },
  { id: 'st-3', title: 'Old', isArchived: true }
]

describe('write forms per attribute type', () => {
  it.each<[AttributeType, unknown, unknown, WriteContext?, boolean?]>([
    ['text', 'hello', [{ value: 'hello' }]],
    ['text', 42, [{ value: '42' }]],
    ['text', true, [{ value: 'true' }]],
    ['text', { value: 'wrapped' }, [{ value: 'wrapped' }]],
    ['text', '', [{ value: '' }]],
    ['number', 42.123456, [{ value: 42.1235 }]],
    ['number', ' 17 ', [{ value: 17 }]],
    ['number', '-1.5e3', [{ value: -1500 }]],
    ['currency', '99.99', [{ currency_value: 99.99 }]],
    ['currency', 29.99999, [{ currency_value: 30 }]],
    ['rating', '4', [{ value: 4 }]],
    ['rating', 0, [{ value: 0 }]],
    ['checkbox', true, [{ value: true }]],
    ['checkbox', 'FALSE', [{ value: false }]],
    ['checkbox', 1, [{ value: true }]],
    ['checkbox', 0, [{ value: false }]],
    ['date', '2023-09-28', [{ value: '2023-09-28' }]],
    ['date', '2023', [{ value: '2023-01-01' }]],
    ['date', '2023-01-02T23:00:00-10:00', [{ value: '2023-01-03' }]],
    ['date', 1695859200000, [{ value: '2023-09-28' }]],
    ['timestamp', '2023-01-02T13:00', [{ value: '2023-01-02T13:00:00.000Z' }]],
    ['timestamp', '2023-01-02T15:00:00.000000000+02:00', [{ value: '2023-01-02T13:00:00.000Z' }]],
    ['timestamp', 1672664400000, [{ value: '2023-01-02T13:00:00.000Z' }]],
    ['timestamp', 1672664400, [{ value: '2023-01-02T13:00:00.000Z' }]],
    ['timestamp', '1672664400', [{ value: '2023-01-02T13:00:00.000Z' }]],
    ['timestamp', '1672664400000', [{ value: '2023-01-02T13:00:00.000Z' }]],
    ['date', 1695859200, [{ value: '2023-09-28' }]],
    ['timestamp', '2023-09-28 04:39:17.000', [{ value: '2023-09-28T04:39:17.000Z' }]],
    ['domain', 'https://www.Acme.com:8080/pricing?x=1#top', [{ domain: 'acme.com' }], {}, true],
    [
      'domain',
      ['app.attio.com', 'attio.com.'],
      [{ domain: 'app.attio.com' }, { domain: 'attio.com' }],
      {},
      true
    ],
    ['domain', 'bücher.de', [{ domain: 'xn--bcher-kva.de' }], {}, true],
    ['email-address', ' Ada@Example.COM ', [{ email_address: 'ada@example.com' }], {}, true],
    ['email-address', ['a@b.co', 'A@B.co'], [{ email_address: 'a@b.co' }], {}, true],
    [
      'personal-name',
      'Lovelace, Ada',
      [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }]
    ],
    [
      'personal-name',
      'Ada Lovelace',
      [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }]
    ],
    ['personal-name', 'Cher', [{ first_name: 'Cher', last_name: '', full_name: 'Cher' }]],
    [
      'personal-name',
      ' Ada  King\tLovelace ',
      [{ first_name: 'Ada King', last_name: 'Lovelace', full_name: 'Ada King Lovelace' }]
    ],
    [
      'personal-name',
      { full_name: 'Ada  Lovelace' },
      [{ first_name: 'Ada ', last_name: 'Lovelace', full_name: 'Ada  Lovelace' }]
    ],
    [
      'personal-name',
      { first_name: 'Grace', last_name: 'Hopper' },
      [{ first_name: 'Grace', last_name: 'Hopper', full_name: 'Grace Hopper' }]
    ],
    [
      'phone-number',
      '+1 (415) 555-2671',
      [{ original_phone_number: '+14155552671', country_code: 'US' }],
      {},
      true
    ],
    [
      'phone-number',
      '+1 555 867 5309',
      [{ original_phone_number: '+15558675309', country_code: null }],
      {},
      true
    ],
    [
      'phone-number',
      '020 7946 0958',
      [{ original_phone_number: '+442079460958', country_code: 'GB' }],
      { defaultCountry: 'gb' },
      true
    ],
    [
      'phone-number',
      '0044 20 7946 0958',
      [{ original_phone_number: '+442079460958', country_code: 'GB' }],
      {},
      true
    ],
    [
      'location',
      { line_1: '1 Infinite Loop', locality: 'Cupertino', country_code: 'us' },
      [
        {
          line_1: '1 Infinite Loop',
          line_2: null,
          line_3: null,
          line_4: null,
          locality: 'Cupertino',
          region: null,
          postcode: null,
          country_code: 'US',
          latitude: null,
          longitude: null
        }
      ]
    ],
    ['location', '1 Infinite Loop, Cupertino, CA, US', ['1 Infinite Loop, Cupertino, CA, US']],
    ['select', 'lead', [{ status: 'Lead' }], { options: statusOptions }],
    ['status', 'st-2', [{ status: 'In Progress' }], { options: statusOptions }],
    [
      'select',
      ['SaaS', 'B2B'],
      [{ option: 'SaaS' }, { option: 'B2B' }],
      {
        options: [
          { id: 'a', title: 'SaaS' },
          { id: 'b', title: 'B2B' }
        ]
      },
      true
    ],
    [
      'record-reference',
      'Ada@Example.com',
      [{ target_object: 'people', email_addresses: [{ email_address: 'ada@example.com' }] }],
      { allowedObjects: ['people'] }
    ],
    [
      'record-reference',
      'https://acme.com',
      [{ target_object: 'companies', domains: [{ domain: 'acme.com' }] }],
      { allowedObjects: ['companies'] }
    ],
    [
      'record-reference',
      'u-1',
      [{ target_object: 'users', user_id: [{ value: 'u-1' }] }],
      { allowedObjects: ['users'] }
    ],
    [
      'record-reference',
      { target_object: 'deals', target_record_id: '11111111-1111-4111-8111-111111111111' },
      [{ target_object: 'deals', target_record_id: '11111111-1111-4111-8111-111111111111' }],
      { allowedObjects: ['deals'] }
    ],
    ['actor-reference', 'Alice@Attio.com', [{ workspace_member_email_address: 'alice@attio.com' }]],
    ['text', null, []],
    ['email-address', null, [], {}, true]
  ])('%s: %j → %j', (type, input, expected, context = {}, multi = false) => {
    // 'select' with status options is written as the title it matched, under the attribute type's key
    const actualType = type === 'select' && context.options === statusOptions ? 'status' : type
    expect(write(actualType, input, context, multi)).toEqual(expected)
  })
})

describe('rejected values and their problems', () => {
  it.each<[AttributeType, unknown, string, WriteContext?, boolean?]>([
    ['text', { a: 1 }, 'is an object, not a string'],
    ['text', ['a', 'b'], 'has 2 values, but this attribute holds one'],
    ['number', 'twelve', 'is not a number or a numeric string'],
    ['number', Number.NaN, 'is not a finite number'],
    ['number', { value: [] }, 'is an array, not a number'],
    ['number', { amount: 1 }, 'is an object, not a number'],
    ['currency', '1,000', 'is not a number or a numeric string'],
    ['rating', 6, 'is not a whole number from 0 to 5'],
    ['rating', 2.5, 'is not a whole number from 0 to 5'],
    ['checkbox', 'yes', 'is not a boolean'],
    ['date', '28/09/2023', 'is not an ISO 8601 date or time'],
    ['date', '2023-02-30', 'is not a real calendar date or time'],
    ['timestamp', { when: 1 }, 'is an object, not an ISO 8601 string'],
    ['domain', 'not a domain', 'contains spaces, which no domain has', {}, true],
    ['domain', 'localhost', 'is not a domain name', {}, true],
    ['domain', 'ftp://files.acme.com', 'is a "ftp:" URL, which has no domain', {}, true],
    ['email-address', 'ada@@example.com', 'is not a valid email address', {}, true],
    ['email-address', 'ada', 'is not a valid email address', {}, true],
    [
      'email-address',
      'ada\u200b@example.com',
      'contains an invisible or Unicode space character, which no email address has',
      {},
      true
    ],
    [
      'email-address',
      '\u200fada@example.com',
      'contains an invisible or Unicode space character, which no email address has',
      {},
      true
    ],
    [
      'email-address',
      'ada\u3000@example.com',
      'contains an invisible or Unicode space character, which no email address has',
      {},
      true
    ],
    [
      'email-address',
      'ada\ud800@example.com',
      'contains a broken character (a lone UTF-16 surrogate)',
      {},
      true
    ],
    ['email-address', 12, 'is a number, not an email address', {}, true],
    ['personal-name', { first: 'Ada' }, 'has unknown name key "first"'],
    ['personal-name', '  ', 'is empty'],
    [
      'phone-number',
      '555 867 5309',
      'has no country code (start it with "+" or set the default phone country)',
      {},
      true
    ],
    ['phone-number', '+1 12', 'is not a possible phone number', {}, true],
    [
      'phone-number',
      '555 867 5309',
      'cannot be read: the Default phone country setting "Narnia" is not a two-letter ISO 3166-1 country code; use one such as "US", "GB" or "DE"',
      { defaultCountry: 'Narnia' },
      true
    ],
    [
      'phone-number',
      { original_phone_number: '020 7946 0958', country_code: 'GBR' },
      'cannot be read: its country_code "GBR" is not a two-letter ISO 3166-1 country code (it has three letters: use the two-letter code, e.g. "US" for the United States); use one such as "US", "GB" or "DE"',
      { defaultCountry: 'US' },
      true
    ],
    ['location', { city: 'Paris' }, 'has unknown location key "city"'],
    ['location', { latitude: 91 }, 'has a latitude outside -90..90'],
    [
      'location',
      { country_code: 'France' },
      'has a country_code that is not an ISO 3166-1 alpha-2 code like "US"'
    ],
    [
      'select',
      'Gold',
      'is not one of the options ("Free", "Pro"); Attio never creates new ones',
      {
        options: [
          { id: '1', title: 'Free' },
          { id: '2', title: 'Pro' }
        ]
      }
    ],
    [
      'status',
      'Old',
      'is not one of the statuses ("Lead", "In Progress"); Attio never creates new ones',
      { options: statusOptions }
    ],
    [
      'record-reference',
      'x',
      'is ambiguous: this attribute may point to people, companies, so give {target_object, target_record_id}',
      { allowedObjects: ['people', 'companies'] }
    ],
    ['record-reference', 'not-an-email', 'is not a valid email address', { allowedObjects: ['people'] }],
    [
      'record-reference',
      'abc',
      'is not a record id, and "deals" records can only be referenced by record id',
      { allowedObjects: ['deals'] }
    ],
    ['actor-reference', 'bob', 'is not a valid email address'],
    ['interaction', 'x', 'cannot be written: Attio records interactions itself'],
    [
      'email-address',
      ['a@b.co', 'nope'],
      'has an item (index 1) that is not a valid email address',
      {},
      true
    ],
    [
      'email-address',
      ['a@b.co', null],
      'has an item (index 1) that contains null (null unsets only as the whole value)',
      {},
      true
    ]
  ])('%s: %j → %s', (type, input, expected, context = {}, multi = false) => {
    expect(problem(type, input, context, multi)).toBe(expected)
  })
})
