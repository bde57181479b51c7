/**
 * The exact requests of a user deletion request (src/api/deletion.ts, the destination's onDelete).
 */
import nock from 'nock'
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { API, recordBody, useNock } from '../helpers/attio-fixtures'

const PERSON_ID = '11111111-1111-4111-8111-111111111111'
const USER_ID = '22222222-2222-4222-8222-222222222222'

useNock()

describe('user deletion request: exact requests', () => {
  it('user_and_person: query the User, read it and its Person, delete the Person, then the User', async () => {
    nock(API)
      .post('/v2/objects/users/records/query', { filter: { user_id: 'u/1?x' }, limit: 10 })
      .reply(200, { data: [recordBody('users', USER_ID).data] })
    const user = recordBody('users', USER_ID)
    user.data.values = {
      user_id: [{ value: 'u/1?x' }],
      person: [{ target_object: 'people', target_record_id: PERSON_ID }]
    } as never
    nock(API).get(`/v2/objects/users/records/${USER_ID}`).reply(200, user)
    const person = recordBody('people', PERSON_ID)
    person.data.values = {
      associated_users: [{ target_object: 'users', target_record_id: USER_ID }]
    } as never
    nock(API).get(`/v2/objects/people/records/${PERSON_ID}`).reply(200, person)
    const order: string[] = []
    nock(API)
      .delete(`/v2/objects/people/records/${PERSON_ID}`)
      .reply(200, () => (order.push('person'), {}))
    nock(API)
      .delete(`/v2/objects/users/records/${USER_ID}`)
      .reply(200, () => (order.push('user'), {}))
    const integration = createTestIntegration(destination)
    const result = await integration.onDelete?.(
      { type: 'delete', userId: 'u/1?x' } as unknown as SegmentEvent,
      {
        on_delete_request: 'user_and_person',
        api_key: 'key-123'
      }
    )
    expect(order).toEqual(['person', 'user'])
    expect(nock.isDone()).toBe(true)
    expect(JSON.stringify(result)).toContain(PERSON_ID)
  })
})
