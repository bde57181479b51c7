import nock from 'nock'
import { createTestIntegration } from '@segment/actions-core'
import destination from '../../src'
import { API, errorBody, mockSchema, useNock } from '../helpers/attio-fixtures'

const settings = { api_key: 'key-1' }

useNock()

describe('mapping pickers (dynamic fields)', () => {
  it('lists objects by singular noun, valued by slug, sorted', async () => {
    mockSchema()
    const result = await createTestIntegration(destination).testDynamicField('assertRecord', 'object', {
      settings,
      payload: {}
    })
    expect(result).toMatchObject({
      choices: [
        { label: 'Company', value: 'companies' },
        { label: 'Deal', value: 'deals' },
        { label: 'Person', value: 'people' },
        { label: 'User', value: 'users' },
        { label: 'Workspace', value: 'workspaces' }
      ]
    })
  })

  it('offers only the unique attributes of the chosen object for matching', async () => {
    mockSchema()
    const result = await createTestIntegration(destination).testDynamicField(
      'assertRecord',
      'matching_attribute',
      {
        settings,
        payload: { object: 'users' }
      }
    )
    expect(result && 'choices' in result ? result.choices.map((c) => c.value) : result).toEqual([
      'primary_email_address',
      'user_id'
    ])
  })

  it.each([
    ['identifyUser', 'person_attributes', 'people', 'twitter', 'twitter_follower_count'],
    ['identifyUser', 'user_attributes', 'users', 'plan', 'created_at'],
    ['groupWorkspace', 'company_attributes', 'companies', 'categories', 'record_id'],
    ['groupWorkspace', 'workspace_attributes', 'workspaces', 'avatar_url', 'created_by']
  ])('%s.%s keys are the writable attributes of %s', async (action, field, _object, present, absent) => {
    mockSchema()
    const result = await createTestIntegration(destination).testDynamicField(action, `${field}.__keys__`, {
      settings,
      payload: {}
    })
    const values = result && 'choices' in result ? result.choices.map((c) => c.value) : []
    expect(values).toContain(present)
    expect(values).not.toContain(absent)
    expect(values).not.toContain('old_score')
    expect(
      result && 'choices' in result ? result.choices.find((c) => c.value === present)?.label : ''
    ).toMatch(/\((text|select)\)$/)
  })

  it("lists the chosen object's attributes for Assert Record's attributes", async () => {
    mockSchema()
    const result = await createTestIntegration(destination).testDynamicField(
      'assertRecord',
      'attributes.__keys__',
      {
        settings,
        payload: { object: 'deals' }
      }
    )
    expect(result && 'choices' in result ? result.choices.map((c) => c.value).sort() : []).toEqual([
      'name',
      'owner',
      'stage',
      'value'
    ])
  })

  it("returns Attio's message as a dynamic-field error when listing fails", async () => {
    nock(API)
      .get('/v2/objects')
      .reply(401, errorBody(401, 'invalid_token', 'Token revoked', 'auth_error'))
    const result = await createTestIntegration(destination).testDynamicField('assertRecord', 'object', {
      settings,
      payload: {}
    })
    expect(result).toEqual({
      choices: [],
      error: { code: '403', message: expect.stringContaining('invalid_token: Token revoked') }
    })
  })

  it('returns an error when Attio is down', async () => {
    nock(API)
      .get('/v2/objects/people/attributes')
      .query(true)
      .reply(503, errorBody(503, 'unavailable', 'Down'))
    const result = await createTestIntegration(destination).testDynamicField(
      'identifyUser',
      'person_attributes.__keys__',
      {
        settings,
        payload: {}
      }
    )
    expect(result).toMatchObject({ choices: [], error: { code: '503' } })
  })
})
