/**
 * Knowing the workspace: every mapping mistake is refused before any write, with a message naming the
 * field, the attribute, its type, the accepted format and the value; the attribute schema is cached.
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
  OBJECTS,
  capture,
  linesOf,
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

describe('the attribute schema cache', () => {
  const seen: unknown[] = []
  beforeEach(() => {
    seen.length = 0
  })
  const run = async (
    integration: ReturnType<typeof createTestIntegration<Settings>>,
    settings: Settings,
    options: { email?: string; mapping?: JSONObject } = {}
  ) => {
    const { responses, error } = await capture(integration, (i) =>
      i.testAction('identifyUser', {
        event: createTestEvent({
          type: 'identify',
          userId: 'u-1',
          traits: { email: options.email ?? 'a@b.co' }
        }),
        auth,
        settings,
        mapping: options.mapping,
        useDefaultMappings: true
      })
    )
    seen.push(...responses)
    return error
  }

  it('reads the attributes once for many events', async () => {
    mockSchema()
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('people'))
    const integration = createTestIntegration(destination)
    for (let i = 0; i < 20; i++)
      expect(await run(integration, {}, { email: `user${i}@example.com` })).toBeUndefined()
    const reads = linesOf(seen).filter((line) => line.startsWith('GET'))
    expect(reads).toEqual([
      'GET /v2/objects/people/attributes?show_archived=true',
      'GET /v2/objects/users/attributes?show_archived=true'
    ])
    expect(writesOf(seen)).toHaveLength(40)
  })

  it('refreshes once on an unknown slug (it may have just been created), then knows it', async () => {
    nock(API).get('/v2/objects/users/attributes').query(true).reply(200, { data: ATTRIBUTES.users })
    nock(API)
      .get('/v2/objects/users/attributes')
      .query(true)
      .reply(200, { data: [...ATTRIBUTES.users, attribute('users', { slug: 'fresh', type: 'text' })] })
    mockSchema(['people'])
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('users'))
    const integration = createTestIntegration(destination)
    expect(await run(integration, {}, { mapping: { user_attributes: { fresh: 'yes' } } })).toBeUndefined()
    expect(linesOf(seen).filter((l) => l.includes('/users/attributes'))).toHaveLength(2)
    expect(
      (writesOf(seen)[1].body as { data: { values: Record<string, unknown> } }).data.values.fresh
    ).toEqual([{ value: 'yes' }])
  })

  it('declares an unknown slug unknown after one refresh, without a read per event', async () => {
    mockSchema()
    const integration = createTestIntegration(destination)
    for (let i = 0; i < 5; i++) {
      expect((await run(integration, {}, { mapping: { user_attributes: { nope: 1 } } }))?.message).toMatch(
        /has no attribute "nope"/
      )
    }
    expect(linesOf(seen).filter((l) => l.includes('/users/attributes'))).toHaveLength(2)
  })

  it('keeps two credentials (workspaces) apart', async () => {
    const withPlan = ATTRIBUTES.users
    const withoutPlan = ATTRIBUTES.users.filter((a) => a.api_slug !== 'plan')
    nock(API, { reqheaders: { authorization: 'Bearer key-A' } })
      .persist()
      .get('/v2/objects/users/attributes')
      .query(true)
      .reply(200, { data: withPlan })
    nock(API, { reqheaders: { authorization: 'Bearer key-B' } })
      .persist()
      .get('/v2/objects/users/attributes')
      .query(true)
      .reply(200, { data: withoutPlan })
    nock(API)
      .persist()
      .get('/v2/objects/people/attributes')
      .query(true)
      .reply(200, { data: ATTRIBUTES.people })
    nock(API)
      .persist()
      .get('/v2/objects/users/attributes/plan/options')
      .query(true)
      .reply(200, { data: [{ title: 'Pro' }] })
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('users'))
    const integration = createTestIntegration(destination)
    const mapping = { user_attributes: { plan: 'Pro' } }
    await integration.testAction('identifyUser', {
      event: identify,
      auth,
      settings: { api_key: 'key-A' },
      mapping,
      useDefaultMappings: true
    })
    await expect(
      integration.testAction('identifyUser', {
        event: identify,
        auth,
        settings: { api_key: 'key-B' },
        mapping,
        useDefaultMappings: true
      })
    ).rejects.toThrow(/has no attribute "plan"/)
  })

  it('evicts the least recently used workspace at the bound', async () => {
    clearSchemaCache({ max: 2 })
    nock(API)
      .persist()
      .get(/\/v2\/objects\/\w+\/attributes/)
      .query(true)
      .reply(200, (uri) => ({
        data: ATTRIBUTES[uri.split('/')[3]]
      }))
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('people'))
    const integration = createTestIntegration(destination)
    await run(integration, { api_key: 'key-1' }) // people + users for key-1 (2 entries)
    await run(integration, { api_key: 'key-1' }) // cached
    expect(linesOf(seen).filter((l) => l.startsWith('GET'))).toHaveLength(2)
    await run(integration, { api_key: 'key-2' }) // evicts both of key-1's entries
    await run(integration, { api_key: 'key-1' }) // reads again
    expect(linesOf(seen).filter((l) => l.startsWith('GET'))).toHaveLength(6)
  })
})

describe('large responses', () => {
  it('reads an attribute list of over 64 KB (node-fetch stalls on large cloned bodies)', async () => {
    const many = [
      ...ATTRIBUTES.people,
      ...Array.from({ length: 300 }, (_, i) =>
        attribute('people', { slug: `custom_${i}`, type: 'text', title: `Custom field ${i}` })
      )
    ]
    expect(JSON.stringify(many).length).toBeGreaterThan(64 * 1024)
    nock(API).get('/v2/objects/people/attributes').query(true).reply(200, { data: many })
    mockSchema(['users'])
    nock(API).put(/.*/).query(true).times(2).reply(200, recordBody('people'))
    const integration = createTestIntegration(destination)
    const responses = await integration.testAction('identifyUser', {
      event: identify,
      auth,
      useDefaultMappings: true,
      mapping: { person_attributes: { custom_299: 'x' } }
    })
    expect(writesOf(responses)).toHaveLength(2)
  }, 15_000)
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

describe('schema drift: a refresh that fails does not count', () => {
  it('a value naming a new option is retryable while the refresh fails, and accepted once it succeeds', async () => {
    // Everything but the plan options, which are read first as the seed has them, then fail, then hold "Team".
    const base = ['Free', 'Pro', 'Enterprise']
    const options = (titles: string[]) => ({
      data: titles.map((title, i) => ({ id: { option_id: `opt-${i}` }, title, is_archived: false }))
    })
    nock(API).persist().get('/v2/objects').reply(200, { data: OBJECTS })
    for (const object of ['people', 'users'])
      nock(API)
        .persist()
        .get(`/v2/objects/${object}/attributes`)
        .query(true)
        .reply(200, { data: ATTRIBUTES[object] })
    const plan = '/v2/objects/users/attributes/plan/options'
    nock(API).get(plan).query(true).reply(200, options(base))
    nock(API)
      .get(plan)
      .query(true)
      .reply(503, { status_code: 503, type: 'api_error', code: 'x', message: 'Down' })
    nock(API)
      .get(plan)
      .query(true)
      .reply(200, options([...base, 'Team']))
    nock(API)
      .persist()
      .put(/\/v2\/objects\/\w+\/records/)
      .query(true)
      .reply(200, recordBody('users'))
    const send = (planTitle: string) =>
      createTestIntegration(destination)
        .testAction('identifyUser', {
          event: createTestEvent({
            type: 'identify',
            userId: 'u-1',
            traits: { email: 'ada@example.com', plan: planTitle }
          }),
          auth,
          mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } },
          useDefaultMappings: true
        })
        .then(
          () => 'delivered',
          (error: { status?: number }) => error.status
        )
    expect(await send('Pro')).toBe('delivered')
    expect(await send('Team')).toBe(503)
    expect(await send('Team')).toBe('delivered')
  })
})
