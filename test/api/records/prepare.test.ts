/**
 * Knowing the workspace (src/api/records/prepare.ts): every mapping mistake is refused before any write, with
 * a message naming the field, the attribute, its type, the accepted format and the value. The attribute
 * schema's cache is in test/api/schema.test.ts.
 */
import nock from 'nock'
import { createTestEvent, createTestIntegration, type JSONObject } from '@segment/actions-core'
import destination from '../../../src'
import type { Settings } from '../../../src/destinations/attio/generated-types'
import { clearSchemaCache } from '../../../src/api'
import {
  API,
  ATTRIBUTES,
  attribute,
  mockSchema,
  recordBody,
  writesOf,
  useNock
} from '../../helpers/attio-fixtures'

const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }
const identify = createTestEvent({
  type: 'identify',
  userId: 'u-1',
  traits: { email: 'ada@example.com', phone: '555 0100' }
})

useNock()

async function refused(mapping: JSONObject, action = 'identifyUser', settings: Settings = {}) {
  mockSchema()
  const integration = createTestIntegration(destination)
  const error = await integration
    .testAction(action, { event: identify, auth, settings, mapping, useDefaultMappings: true })
    .then(
      () => undefined,
      (e: unknown) => e as Error
    )
  expect(writesOf(integration.responses)).toEqual([])
  return error?.message
}

describe('validation before sending', () => {
  it('an unknown attribute, with the closest slugs as suggestions', async () => {
    expect(await refused({ person_attributes: { twiter: '@ada' } })).toBe(
      'person_attributes.twiter: Attio\'s people object has no attribute "twiter" (attributes are referenced by slug or id, and Attio never creates them). Did you mean "twitter"?'
    )
  })

  it('an archived attribute', async () => {
    expect(await refused({ person_attributes: { old_score: 3 } })).toBe(
      'person_attributes.old_score: Person attribute "old_score" (number) is archived in Attio: restore it or remove it from the mapping.'
    )
  })

  it('a non-writable (enriched) attribute', async () => {
    expect(await refused({ person_attributes: { twitter_follower_count: 3 } })).toBe(
      'person_attributes.twitter_follower_count: Person attribute "twitter_follower_count" (number) is not writable (Attio fills it itself, e.g. enriched data); remove it from the mapping.'
    )
  })

  it('a value that cannot be converted, naming type, accepted format and value', async () => {
    expect(await refused({ person_attributes: { phone_numbers: { '@path': '$.traits.phone' } } })).toBe(
      'person_attributes.phone_numbers: "555 0100" has no country code (start it with "+" or set the default phone country). Person attribute "phone_numbers" (phone-number) accepts an E.164 number starting with + (e.g. "+15558675309"), or a national number with the default phone country set.'
    )
  })

  it('a long offending value is shortened', async () => {
    const message = await refused({ user_attributes: { seats: 'x'.repeat(500) } })
    expect(message).toMatch(/^user_attributes\.seats: "x{56}…" is not a number or a numeric string\./)
  })

  it('a select title that does not exist', async () => {
    expect(await refused({ user_attributes: { plan: 'Gold' } })).toBe(
      'user_attributes.plan: "Gold" is not one of the options ("Free", "Pro", "Enterprise"); Attio never creates new ones. User attribute "plan" (select) accepts the title of an existing option.'
    )
  })

  it('a matching attribute that is not unique', async () => {
    expect(
      await refused(
        { object: 'people', matching_attribute: 'job_title', attributes: { job_title: 'CTO' } },
        'assertRecord'
      )
    ).toBe(
      'matching_attribute: "job_title" cannot be used to match a people record because it is not unique in Attio. Unique attributes of people: "record_id", "email_addresses".'
    )
  })

  it('an unknown matching attribute', async () => {
    expect(
      await refused(
        { object: 'companies', matching_attribute: 'domain', attributes: { domain: 'acme.com' } },
        'assertRecord'
      )
    ).toBe(
      'matching_attribute: Attio\'s companies object has no attribute "domain" to match on. Did you mean "domains"?'
    )
  })

  it('a required attribute missing where Attio requires it', async () => {
    expect(
      await refused(
        { object: 'deals', matching_attribute: 'name', attributes: { name: 'Big deal', stage: 'Lead' } },
        'assertRecord'
      )
    ).toMatch(/matching_attribute: "name" cannot be used to match a deals record/)
    nock.cleanAll()
    clearSchemaCache()
    ATTRIBUTES.deals.push(attribute('deals', { slug: 'external_id', type: 'text', unique: true }))
    try {
      expect(
        await refused(
          {
            object: 'deals',
            matching_attribute: 'external_id',
            attributes: { external_id: 'd-1', name: 'Big deal', stage: 'Lead' }
          },
          'assertRecord'
        )
      ).toBe(
        'attributes: Attio requires "owner" (actor-reference) when it creates a deals record; map a value to it.'
      )
      // Every missing required attribute in one message, not one per send.
      nock.cleanAll()
      clearSchemaCache()
      expect(
        await refused(
          { object: 'deals', matching_attribute: 'external_id', attributes: { external_id: 'd-1' } },
          'assertRecord'
        )
      ).toBe(
        'attributes: Attio requires "name" (text), "stage" (status) and "owner" (actor-reference) when it creates a deals record; map a value to each.'
      )
    } finally {
      ATTRIBUTES.deals.pop()
    }
  })

  it('an attribute mapped twice (slug and id)', async () => {
    const nameId = (ATTRIBUTES.people.find((a) => a.api_slug === 'name')?.id as { attribute_id: string })
      .attribute_id
    expect(await refused({ person_attributes: { name: 'Ada Lovelace', [nameId]: 'Lovelace, Ada' } })).toMatch(
      /is already mapped by person_attributes\.name; map it once\.$/
    )
  })

  it("an object that is not activated (one of Attio's standard objects a workspace admin activates)", async () => {
    nock(API).get('/v2/objects/deals/attributes').query(true).reply(404, {
      status_code: 404,
      type: 'invalid_request_error',
      code: 'not_found',
      message: 'Object with slug/ID "deals" not found.'
    })
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('assertRecord', {
        event: identify,
        auth,
        mapping: { object: 'deals', matching_attribute: 'name', attributes: { name: 'x' } }
      })
    ).rejects.toThrow(
      "Attio's Deals object is not activated in this workspace. A workspace admin can activate it in Attio under Settings > Data > Objects (https://app.attio.com/_/settings/data/objects)."
    )
  })

  it('the default phone country setting makes national numbers E.164', async () => {
    mockSchema()
    nock(API).put('/v2/objects/people/records').query(true).reply(200, recordBody('people'))
    nock(API)
      .patch(/\/v2\/objects\/people\/records\/.+/)
      .reply(200, recordBody('people'))
    nock(API).put('/v2/objects/users/records').query(true).reply(200, recordBody('users'))
    const integration = createTestIntegration(destination)
    const responses = await integration.testAction('identifyUser', {
      event: createTestEvent({
        type: 'identify',
        userId: 'u-1',
        traits: { email: 'a@b.co', phone: '(415) 555-2671' }
      }),
      auth,
      settings: { default_phone_country: 'US' },
      useDefaultMappings: true,
      mapping: { person_attributes: { phone_numbers: { '@path': '$.traits.phone' } } }
    })
    // phone_numbers is multiselect: appended after the assert, never replacing the numbers already there.
    const patch = writesOf(responses).find((r) => r.method === 'PATCH')
    expect(patch?.body).toEqual({
      data: { values: { phone_numbers: [{ original_phone_number: '+14155552671', country_code: 'US' }] } }
    })
  })

  it('multiselect mode "replace" sends multiselect values with the assert instead', async () => {
    mockSchema()
    nock(API).put('/v2/objects/companies/records').query(true).reply(200, recordBody('companies'))
    const integration = createTestIntegration(destination)
    const responses = await integration.testAction('assertRecord', {
      event: identify,
      auth,
      mapping: {
        object: 'companies',
        matching_attribute: 'domains',
        multiselect_mode: 'replace',
        attributes: { domains: 'acme.com', categories: ['SaaS', 'B2B'] }
      }
    })
    expect(writesOf(responses).map((r) => [r.method, r.body])).toEqual([
      [
        'PUT',
        {
          data: {
            values: { domains: [{ domain: 'acme.com' }], categories: [{ option: 'SaaS' }, { option: 'B2B' }] }
          }
        }
      ]
    ])
  })
})

describe('odd attribute keys', () => {
  it('names a key with spaces and control characters escaped, on one line', async () => {
    const message = await refused({ person_attributes: { 'bad key\n\u0000': 'x' } })
    expect(message).toBe(
      'person_attributes["bad key\\n\\u0000"]: Attio\'s people object has no attribute "bad key\\n\\u0000" (attributes are referenced by slug or id, and Attio never creates them). Writable attributes include "email_addresses", "name", "company", "description", "job_title", "phone_numbers", "primary_location", "twitter"; the nearest is "name".'
    )
    expect(message).not.toContain('\n')
    expect(message).not.toContain('\u0000')
  })
})
