import { assertPath, useEmulator, vals, type Body } from './helpers'

const SEED = {
  members: [{ email_address: 'alice@example.com' }],
  attributes: {
    people: [
      { api_slug: 'referrer', type: 'record-reference' as const, allowed_objects: ['people'] },
      {
        api_slug: 'anything',
        type: 'record-reference' as const,
        allowed_objects: ['people', 'companies'],
        is_multiselect: true
      }
    ],
    deals: [{ api_slug: 'external_id', type: 'text' as const, is_unique: true }]
  }
}

describe('record references and relationship pairs', () => {
  const { emu, call } = useEmulator({ seed: SEED })
  const company = async (domain: string): Promise<string> =>
    (await call()('PUT', assertPath('companies', 'domains'), { data: { values: { domains: [domain] } } }))
      .body.data.id.record_id
  const person = async (
    email: string,
    values: Record<string, unknown> = {}
  ): Promise<{ status: number; body: Body }> =>
    call()('PUT', assertPath('people', 'email_addresses'), {
      data: { values: { email_addresses: [email], ...values } }
    })
  const user = async (
    id: string,
    values: Record<string, unknown> = {}
  ): Promise<{ status: number; body: Body }> =>
    call()('PUT', assertPath('users', 'user_id'), {
      data: { values: { user_id: id, primary_email_address: `${id}@x.com`, ...values } }
    })
  const workspace = async (
    id: string,
    values: Record<string, unknown> = {}
  ): Promise<{ status: number; body: Body }> =>
    call()('PUT', assertPath('workspaces', 'workspace_id'), {
      data: { values: { workspace_id: id, ...values } }
    })
  const read = async (object: string, id: string): Promise<Body> =>
    (await call()('GET', `/v2/objects/${object}/records/${id}`)).body.data
  const targets = (record: Body, slug: string): string[] =>
    vals(record, slug).map((v: Body) => v.target_record_id)

  test('all write forms: {target_object, target_record_id}, key form, plain string, object id', async () => {
    const acme = await company('acme.com')
    const objects = await call()('GET', '/v2/objects')
    const companiesId = objects.body.data.find((o: Body) => o.api_slug === 'companies').id.object_id
    const forms = [
      { target_object: 'companies', target_record_id: acme },
      { target_object: companiesId, target_record_id: acme },
      { target_object: 'companies', domains: [{ domain: 'acme.com' }] },
      { target_object: 'companies', domains: 'https://acme.com/about' },
      'acme.com',
      ['acme.com']
    ]
    for (const form of forms) {
      const r = await person('p@acme.com', { company: form })
      expect(r.status).toBe(200)
      expect(vals(r.body.data, 'company')[0]).toMatchObject({
        target_object: 'companies',
        target_record_id: acme,
        attribute_type: 'record-reference'
      })
    }
  })

  test('plain strings are read as the key of users (user_id) and workspaces (workspace_id)', async () => {
    const w = await workspace('w1')
    const u = await user('u1', { workspace: ['w1'] })
    expect(u.status).toBe(200)
    expect(targets(u.body.data, 'workspace')).toEqual([w.body.data.id.record_id])
    const w2 = await workspace('w2', { users: ['u1'] })
    expect(targets(w2.body.data, 'users')).toEqual([u.body.data.id.record_id])
    const p = await person('p@x.com', {
      associated_users: [{ target_object: 'users', user_id: [{ value: 'u1' }] }]
    })
    expect(targets(p.body.data, 'associated_users')).toEqual([u.body.data.id.record_id])
  })

  test('a target that does not exist is a 400 value_not_found and nothing is created', async () => {
    for (const company of [
      'ghost.com',
      { target_object: 'companies', target_record_id: '00000000-0000-4000-8000-000000000000' },
      { target_object: 'companies', domains: ['ghost.com'] }
    ]) {
      const r = await person('p@x.com', { company })
      expect(r.status).toBe(400)
      expect(r.body.code).toBe('value_not_found')
      expect(r.body.message).toContain('company')
    }
    expect(emu().state().people).toHaveLength(0)
    expect(emu().state().companies).toHaveLength(0)
  })

  test('references to objects the attribute does not allow, and ambiguous plain strings, are refused', async () => {
    const p = await person('a@x.com')
    const wrong = await person('b@x.com', {
      company: { target_object: 'people', target_record_id: p.body.data.id.record_id }
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body.code).toBe('validation_type')
    const ambiguous = await person('b@x.com', { anything: ['a@x.com'] })
    expect(ambiguous.status).toBe(400)
    expect(ambiguous.body.message).toContain('anything')
    const nonUniqueKey = await person('b@x.com', { company: { target_object: 'companies', name: 'Acme' } })
    expect(nonUniqueKey.status).toBe(400)
  })

  test('person.company / company.team update each other; single-valued sides move the inverse', async () => {
    const acme = await company('acme.com')
    const beta = await company('beta.com')
    const p = (await person('p@x.com', { company: 'acme.com' })).body.data.id.record_id
    expect(targets(await read('companies', acme), 'team')).toEqual([p])
    await person('p@x.com', { company: 'beta.com' })
    expect(targets(await read('companies', acme), 'team')).toEqual([])
    expect(targets(await read('companies', beta), 'team')).toEqual([p])
    // writing the other side: acme.team = [p] moves p back to acme
    await call()('PUT', assertPath('companies', 'domains'), {
      data: { values: { domains: ['acme.com'], team: ['p@x.com'] } }
    })
    expect(targets(await read('people', p), 'company')).toEqual([acme])
    expect(targets(await read('companies', beta), 'team')).toEqual([])
    // unsetting one side removes the other
    await person('p@x.com', { company: null })
    expect(targets(await read('companies', acme), 'team')).toEqual([])
  })

  test('asserting a user with person=P adds the user to P.associated_users; moving it updates both people', async () => {
    const p1 = (await person('p1@x.com')).body.data.id.record_id
    const p2 = (await person('p2@x.com')).body.data.id.record_id
    const u = (await user('u1', { person: 'p1@x.com' })).body.data.id.record_id
    expect(targets(await read('people', p1), 'associated_users')).toEqual([u])
    await user('u1', { person: 'p2@x.com' })
    expect(targets(await read('people', p1), 'associated_users')).toEqual([])
    expect(targets(await read('people', p2), 'associated_users')).toEqual([u])
    const inverse = vals(await read('people', p2), 'associated_users')[0]
    expect(inverse).toMatchObject({ active_until: null, created_by_actor: { type: 'api-token' } })
  })

  test('user.workspace / workspace.users: sending users:[one] to a workspace unlinks its other users', async () => {
    const w = (await workspace('w1')).body.data.id.record_id
    const u1 = (await user('u1', { workspace: ['w1'] })).body.data.id.record_id
    const u2 = (await user('u2', { workspace: ['w1'] })).body.data.id.record_id
    expect(targets(await read('workspaces', w), 'users')).toEqual([u1, u2])
    await workspace('w1', { users: ['u2'] })
    expect(targets(await read('workspaces', w), 'users')).toEqual([u2])
    expect(targets(await read('users', u1), 'workspace')).toEqual([])
    expect(targets(await read('users', u2), 'workspace')).toEqual([w])
  })

  test('workspace.company / company.associated_workspaces, and the deal pairs', async () => {
    const acme = await company('acme.com')
    const w = (await workspace('w1', { company: 'acme.com' })).body.data.id.record_id
    expect(targets(await read('companies', acme), 'associated_workspaces')).toEqual([w])
    const p = (await person('p@x.com')).body.data.id.record_id
    const d = await call()('PUT', assertPath('deals', 'external_id'), {
      data: {
        values: {
          external_id: 'd1',
          name: 'Deal',
          stage: 'Won 🎉',
          owner: 'alice@example.com',
          value: 1000,
          associated_company: 'acme.com',
          associated_people: ['p@x.com']
        }
      }
    })
    expect(d.status).toBe(200)
    const deal = d.body.data.id.record_id
    expect(targets(await read('companies', acme), 'associated_deals')).toEqual([deal])
    expect(targets(await read('people', p), 'associated_deals')).toEqual([deal])
    expect(vals(d.body.data, 'stage')[0].status.celebration_enabled).toBe(true)
  })

  test('a plain (non-relationship) reference has no inverse', async () => {
    const a = (await person('a@x.com')).body.data.id.record_id
    await person('b@x.com', { referrer: 'a@x.com' })
    const rec = await read('people', a)
    expect(
      Object.values(rec.values)
        .flat()
        .filter((v: Body) => v.attribute_type === 'record-reference')
    ).toEqual([])
  })
})
