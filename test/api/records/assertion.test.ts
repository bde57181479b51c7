/**
 * A mapped value is only ever a value of its attribute's type: event data shaped like the destination's own
 * internal references (or like any other instruction) is checked as a record reference and refused, and no
 * request is sent for it, on the single path and in a batch; the documented reference forms still work. And
 * an over-deep value (below the depth at which actions-core itself fails, see test/local/depth.test.ts) is
 * refused with a 400 naming the field: no Attio value form nests more than four levels.
 */
import nock from 'nock'
import {
  createTestEvent,
  createTestIntegration,
  type JSONValue,
  type SegmentEvent
} from '@segment/actions-core'
import destination from '../../../src'
import type { Settings } from '../../../src/destinations/attio/generated-types'
import { API, mockSchema, recordBody, requestsOf, writesOf, useNock } from '../../helpers/attio-fixtures'
import { assertionOf, RENAME_AND_UPGRADE } from '../../helpers/forged'

useNock()

const settings = { api_key: 'test-key' } as Settings
const VICTIM_ID = '33333333-3333-4333-8333-333333333333'

/** The shapes the destination's internal references had, and variations on them. */
const FORGED: Record<string, JSONValue> = {
  'an assertion of another record': assertionOf('companies', 'domains', [
    ['domains', 'acme.com'],
    ['name', 'PWNED']
  ]),
  'an assertion nested three levels deep': RENAME_AND_UPGRADE,
  'a link to an existing record': {
    kind: 'existing',
    object: 'users',
    label: 'User',
    attribute: 'user_id',
    value: 'victim',
    field: 'x',
    whenMissing: 'x'
  },
  'a record id of an object the attribute does not allow': {
    kind: 'record-id',
    object: 'users',
    recordId: VICTIM_ID
  },
  'a documented form with an extra key': {
    target_object: 'companies',
    target_record_id: VICTIM_ID,
    kind: 'assertion'
  },
  'a bulk-endpoint nested assertion': {
    object: 'companies',
    mode: 'create-or-update',
    matching_attribute: 'domains',
    multiselect_values: 'append',
    values: { domains: ['acme.com'], name: 'PWNED' }
  },
  'a forged reference inside an array': [assertionOf('companies', 'domains', [['domains', 'acme.com']])],
  // JSON makes `__proto__` an own key, never a prototype: the value stays a plain object.
  'an assertion with a __proto__ key': JSON.parse(
    `{"__proto__":${JSON.stringify(assertionOf('companies', 'domains', [['domains', 'acme.com']]))},"constructor":{"name":"Issued"}}`
  ) as JSONValue
}

const identify = (userId: string, company: JSONValue) =>
  createTestEvent({ type: 'identify', userId, traits: { email: `${userId}@example.com`, company } })
const mapping = { person_attributes: { company: { '@path': '$.traits.company' } } }

/**
 * The documented asserts a batch event takes when its values name a record by its key (the Person, then
 * the User), answered as Attio would; their bodies go to `bodies`.
 */
function documentedWrites(bodies: unknown[] = []): void {
  for (const object of ['people', 'users']) {
    nock(API)
      .persist()
      .put(`/v2/objects/${object}/records`)
      .query(true)
      .reply(200, (_uri, body) => {
        bodies.push(body)
        return recordBody(object)
      })
  }
}

describe('a forged internal reference mapped to a record-reference attribute', () => {
  it.each(Object.entries(FORGED))('%s: refused on the single path, no write sent', async (_name, forged) => {
    mockSchema()
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('identifyUser', {
        event: identify('attacker', forged),
        settings,
        useDefaultMappings: true,
        mapping
      })
    ).rejects.toThrow(
      /^person_attributes\.company: .*Person attribute "company" \(record-reference\) accepts/
    )
    expect(writesOf(integration.responses)).toEqual([])
  })

  it.each(Object.entries(FORGED))(
    '%s: in a batch, that event alone gets a 400 and nothing of it is sent',
    async (_name, forged) => {
      mockSchema()
      const bodies: unknown[] = []
      nock(API)
        .put('/v2/batch/records')
        .reply(202, (_uri, body) => {
          bodies.push(body)
          return ''
        })
      documentedWrites(bodies)
      const integration = createTestIntegration(destination)
      await integration.testBatchAction('identifyUser', {
        events: [identify('attacker', forged) as SegmentEvent, identify('u-2', 'acme.com') as SegmentEvent],
        settings,
        useDefaultMappings: true,
        mapping
      })
      const [forgedOutcome, fine] = (
        integration.results[0] as unknown as {
          multistatus: Array<{ status: number; errormessage?: string }>
        }
      ).multistatus
      expect(forgedOutcome.status).toBe(400)
      expect(forgedOutcome.errormessage).toMatch(/^person_attributes\.company: /)
      // A reference by key goes through documented asserts (the bulk endpoint would drop it unreported).
      expect(fine.status).toBe(200)
      const sent = JSON.stringify(bodies)
      expect(sent).not.toContain('attacker')
      expect(sent).not.toContain('PWNED')
      expect(sent).not.toContain('victim')
      expect(sent).not.toContain(VICTIM_ID)
    }
  )
})

describe('the documented record-reference forms', () => {
  it.each([
    ['a domain string', 'Acme.com', { target_object: 'companies', domains: [{ domain: 'acme.com' }] }],
    [
      '{target_object, domains}',
      { target_object: 'companies', domains: [{ domain: 'acme.com' }] },
      { target_object: 'companies', domains: [{ domain: 'acme.com' }] }
    ],
    [
      '{target_object, target_record_id}',
      { target_object: 'companies', target_record_id: VICTIM_ID },
      { target_object: 'companies', target_record_id: VICTIM_ID }
    ]
  ])('%s is written as Attio documents it', async (_name, company, expected) => {
    mockSchema()
    nock(API).put('/v2/objects/people/records').query(true).reply(200, recordBody('people'))
    nock(API).put('/v2/objects/users/records').query(true).reply(200, recordBody('users'))
    const integration = createTestIntegration(destination)
    const responses = await integration.testAction('identifyUser', {
      event: identify('u-1', company),
      settings,
      useDefaultMappings: true,
      mapping
    })
    const [person] = requestsOf(responses).filter((r) => r.path.startsWith('/v2/objects/people/records'))
    expect((person.body as { data: { values: Record<string, unknown> } }).data.values.company).toEqual([
      expected
    ])
  })
})

function nested(levels: number): JSONValue {
  let value: JSONValue = 'x'
  for (let level = 0; level < levels; level++) value = level % 2 ? [value] : { a: value }
  return value
}

describe.each([33, 2000])('a mapped value nested %i levels deep', (levels) => {
  it('single path: a 400 naming the field and the bound, no write sent', async () => {
    mockSchema()
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('identifyUser', {
        event: identify('deep', nested(levels)),
        settings,
        useDefaultMappings: true,
        mapping
      })
    ).rejects.toThrow(
      /^person_attributes\.company: the value is nested more than 32 levels deep\. Person attribute "company"/
    )
    expect(writesOf(integration.responses)).toEqual([])
  })

  it('batch path: that event alone gets the 400, the other is sent', async () => {
    mockSchema()
    documentedWrites()
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: [identify('deep', nested(levels)), identify('u-2', 'acme.com')],
      settings,
      useDefaultMappings: true,
      mapping
    })
    const [deep, fine] = (
      integration.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(deep.status).toBe(400)
    expect(deep.errormessage).toMatch(
      /^person_attributes\.company: the value is nested more than 32 levels deep/
    )
    expect(fine.status).toBe(200)
  })
})

it('the deepest documented form (a record reference by key, in an array) is not refused', async () => {
  mockSchema()
  documentedWrites()
  const integration = createTestIntegration(destination)
  await integration.testBatchAction('identifyUser', {
    events: [identify('u-1', [{ target_object: 'companies', domains: [{ domain: 'acme.com' }] }])],
    settings,
    useDefaultMappings: true,
    mapping: { person_attributes: { company: { '@path': '$.traits.company' } } }
  })
  const [outcome] = (integration.results[0] as unknown as { multistatus: Array<{ status: number }> })
    .multistatus
  expect(outcome.status).toBe(200)
})
