/**
 * A mapped value is only ever a value of its attribute's type: event data shaped like the destination's own
 * internal references (or like any other instruction) is checked as a record reference and refused, and no
 * request is sent for it, on the single path and in a batch. The documented reference forms still work.
 */
import nock from 'nock'
import {
  createTestEvent,
  createTestIntegration,
  type JSONValue,
  type SegmentEvent
} from '@segment/actions-core'
import destination from '../../src'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { API, mockSchema, recordBody, requestsOf, writesOf, useNock } from '../helpers/attio-fixtures'

useNock()

const settings = { api_key: 'test-key' } as Settings
const VICTIM_ID = '33333333-3333-4333-8333-333333333333'

const assertionOf = (
  object: string,
  matchingAttribute: string,
  values: Array<[string, JSONValue]>
): JSONValue => ({
  kind: 'assertion',
  assertion: {
    object,
    label: object,
    matchingAttribute,
    matchingField: 'x',
    values: values.map(([attribute, value]) => ({ attribute, value, field: 'x' }))
  }
})

/** The shapes the destination's internal references had, and variations on them. */
const FORGED: Record<string, JSONValue> = {
  'an assertion of another record': assertionOf('companies', 'domains', [
    ['domains', 'acme.com'],
    ['name', 'PWNED']
  ]),
  'an assertion nested three levels deep': assertionOf('companies', 'domains', [
    ['domains', 'acme.com'],
    [
      'team',
      assertionOf('people', 'email_addresses', [
        ['email_addresses', 'victim@example.com'],
        [
          'associated_users',
          assertionOf('users', 'user_id', [
            ['user_id', 'victim'],
            ['plan', 'Enterprise']
          ])
        ]
      ])
    ]
  ]),
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
  'a forged reference inside an array': [assertionOf('companies', 'domains', [['domains', 'acme.com']])]
}

const identify = (userId: string, company: JSONValue) =>
  createTestEvent({ type: 'identify', userId, traits: { email: `${userId}@example.com`, company } })
const mapping = { person_attributes: { company: { '@path': '$.traits.company' } } }

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
      expect(fine.status).toBe(202)
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
