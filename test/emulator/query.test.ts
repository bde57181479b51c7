import { assertPath, useEmulator, type Body } from './helpers'

const SEED = {
  attributes: { users: [{ api_slug: 'plan', type: 'select' as const, options: ['Free', 'Pro'] }] }
}

describe('records query', () => {
  const { call } = useEmulator({ seed: SEED })
  const query = (object: string, body: unknown): Promise<{ status: number; body: Body }> =>
    call()('POST', `/v2/objects/${object}/records/query`, body)
  const ids = (r: { body: Body }): string[] => r.body.data.map((x: Body) => x.values.user_id[0].value)

  beforeEach(async () => {
    for (let i = 1; i <= 5; i++)
      await call()('PUT', assertPath('users', 'user_id'), {
        data: {
          values: { user_id: `u${i}`, primary_email_address: `U${i}@x.com`, plan: i % 2 ? 'Free' : 'Pro' }
        }
      })
  })

  test('implicit equality on text, email (case-insensitive), select title', async () => {
    expect(ids(await query('users', { filter: { user_id: 'u3' } }))).toEqual(['u3'])
    expect(ids(await query('users', { filter: { primary_email_address: 'U2@x.com' } }))).toEqual(['u2'])
    expect(ids(await query('users', { filter: { plan: 'Pro' } }))).toEqual(['u2', 'u4'])
    expect(ids(await query('users', { filter: { plan: 'Pro', user_id: 'u4' } }))).toEqual(['u4'])
    expect(ids(await query('users', { filter: { user_id: 'nobody' } }))).toEqual([])
  })

  test('email_addresses implicit filter on people, explicit $eq, $in on text and record_id, properties', async () => {
    await call()('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: ['a@b.com'] } }
    })
    const p = await query('people', { filter: { email_addresses: 'a@b.com' } })
    expect(p.body.data).toHaveLength(1)
    expect(ids(await query('users', { filter: { user_id: { $eq: 'u1' } } }))).toEqual(['u1'])
    expect(ids(await query('users', { filter: { user_id: { $in: ['u1', 'u5', 'zz'] } } }))).toEqual([
      'u1',
      'u5'
    ])
    const all = await query('users', {})
    const rid = all.body.data[1].id.record_id
    expect(ids(await query('users', { filter: { record_id: { $in: [rid] } } }))).toEqual(['u2'])
    expect(
      ids(await query('users', { filter: { primary_email_address: { email_domain: 'x.com' } } }))
    ).toHaveLength(5)
    expect(ids(await query('users', { filter: { $or: [{ user_id: 'u1' }, { user_id: 'u2' }] } }))).toEqual([
      'u1',
      'u2'
    ])
  })

  test('limit (default 500) and offset', async () => {
    expect(ids(await query('users', {}))).toEqual(['u1', 'u2', 'u3', 'u4', 'u5'])
    expect(ids(await query('users', { limit: 2 }))).toEqual(['u1', 'u2'])
    expect(ids(await query('users', { limit: 2, offset: 2 }))).toEqual(['u3', 'u4'])
    expect(ids(await query('users', { offset: 4 }))).toEqual(['u5'])
    expect((await query('users', { limit: -1 })).status).toBe(400)
  })

  test('sorts by an attribute', async () => {
    expect(
      ids(await query('users', { sorts: [{ attribute: 'user_id', direction: 'desc' }], limit: 2 }))
    ).toEqual(['u5', 'u4'])
  })

  test('unknown attributes and unsupported operators are a 400 filter_error', async () => {
    const unknown = await query('users', { filter: { shoe: 'x' } })
    expect(unknown.status).toBe(400)
    expect(unknown.body).toMatchObject({ type: 'invalid_request_error', code: 'filter_error' })
    const op = await query('users', { filter: { user_id: { $contains: 'u' } } })
    expect(op.status).toBe(400)
    expect(op.body.code).toBe('filter_error')
  })
})
