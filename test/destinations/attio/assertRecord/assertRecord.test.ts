import nock from 'nock'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../../../src'
import {
  API,
  ATTRIBUTES,
  linesOf,
  mockSchema,
  recordBody,
  writesOf,
  useNock
} from '../../../helpers/attio-fixtures'

const auth = { accessToken: 'oauth-token-abc123', refreshToken: 'r' }
const COMPANY_ID = '33333333-3333-4333-8333-333333333333'

useNock()

const event = createTestEvent({
  type: 'identify',
  traits: { domain: 'app.attio.com', twitter_handle: '@attio' }
})

/** One Company assert matched on domains, answered with COMPANY_ID. */
const mockCompanyAssert = () =>
  nock(API)
    .put('/v2/objects/companies/records')
    .query({ matching_attribute: 'domains' })
    .reply(200, recordBody('companies', COMPANY_ID))

describe('Assert Record', () => {
  it('makes one assert with the mapped attributes', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    mockCompanyAssert()
    const responses = await integration.testAction('assertRecord', {
      event,
      auth,
      mapping: {
        object: 'companies',
        matching_attribute: 'domains',
        attributes: {
          domains: { '@path': '$.traits.domain' },
          twitter: { '@path': '$.traits.twitter_handle' }
        }
      }
    })
    expect(linesOf(responses)).toEqual([
      'GET /v2/objects/companies/attributes?show_archived=true',
      'PUT /v2/objects/companies/records?matching_attribute=domains'
    ])
    expect(writesOf(responses)[0].body).toEqual({
      data: { values: { domains: [{ domain: 'app.attio.com' }], twitter: [{ value: '@attio' }] } }
    })
  })

  it('fails before sending anything when the attributes lack the matching attribute', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    await expect(
      integration.testAction('assertRecord', {
        event,
        auth,
        mapping: { object: 'companies', matching_attribute: 'domains', attributes: { twitter: '@attio' } }
      })
    ).rejects.toThrow('attributes: the matching attribute "domains" has no value in Attributes')
    expect(writesOf(integration.responses)).toHaveLength(0)
  })

  it('finds the matching value when the attribute is mapped by its id and matched by its slug', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    mockCompanyAssert()
    const domainsId = (
      ATTRIBUTES.companies.find((a) => a.api_slug === 'domains') as { id: { attribute_id: string } }
    ).id.attribute_id
    const responses = await integration.testAction('assertRecord', {
      event,
      auth,
      mapping: {
        object: 'companies',
        matching_attribute: 'domains',
        attributes: { [domainsId]: { '@path': '$.traits.domain' } }
      }
    })
    expect(writesOf(responses)[0].body).toEqual({
      data: { values: { domains: [{ domain: 'app.attio.com' }] } }
    })
  })

  it.each(['../people', 'people?x=1', 'peo ple', 'people#frag', 'a&b'])(
    'refuses the object slug %j without a request',
    async (object) => {
      const integration = createTestIntegration(destination)
      await expect(
        integration.testAction('assertRecord', {
          event,
          auth,
          mapping: { object, matching_attribute: 'domains', attributes: { domains: 'acme.com' } }
        })
      ).rejects.toThrow(/^object: .* is not an Attio slug or id/)
      expect(integration.responses).toHaveLength(0)
    }
  )

  it('uses the default mapping (people by email_addresses)', async () => {
    const integration = createTestIntegration(destination)
    mockSchema()
    nock(API)
      .put('/v2/objects/people/records')
      .query({ matching_attribute: 'email_addresses' })
      .reply(200, recordBody('people'))
    const responses = await integration.testAction('assertRecord', {
      event: createTestEvent({ traits: { email: 'grace@example.com' } }),
      auth,
      useDefaultMappings: true
    })
    expect(writesOf(responses)[0].body).toEqual({
      data: { values: { email_addresses: [{ email_address: 'grace@example.com' }] } }
    })
  })
})
