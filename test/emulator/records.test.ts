import { assertPath, useEmulator, vals, type Body } from './helpers'

const SEED = {
  members: [{ email_address: 'alice@example.com' }],
  attributes: {
    people: [
      { api_slug: 'tags', type: 'select' as const, is_multiselect: true, options: ['A', 'B', 'C'] },
      { api_slug: 'nickname', type: 'text' as const },
      { api_slug: 'old_field', type: 'text' as const, is_archived: true }
    ]
  }
}

describe('records: assert, create, get, patch, put, delete', () => {
  const { emu, call } = useEmulator({ seed: SEED })
  const assertPerson = (values: Record<string, unknown>): Promise<{ status: number; body: Body }> =>
    call()('PUT', assertPath('people', 'email_addresses'), { data: { values } })

  test('assert creates a record when nothing matches, then updates the same record', async () => {
    const a = await assertPerson({ email_addresses: ['ann@example.com'], job_title: 'CTO' })
    expect(a.status).toBe(200)
    const id = a.body.data.id.record_id
    expect(vals(a.body.data, 'job_title').map((v: Body) => v.value)).toEqual(['CTO'])
    const b = await assertPerson({ email_addresses: ['ann@example.com'], job_title: 'CEO' })
    expect(b.body.data.id.record_id).toBe(id)
    expect(vals(b.body.data, 'job_title').map((v: Body) => v.value)).toEqual(['CEO'])
    expect(emu().state().people).toHaveLength(1)
  })

  test('values carry active_from, active_until null and the writing token as created_by_actor', async () => {
    const a = await assertPerson({ email_addresses: ['ann@example.com'] })
    const self = await call()('GET', `/v2/objects/people/records/${a.body.data.id.record_id}`)
    const createdBy = vals(self.body.data, 'created_by')[0]
    expect(createdBy).toMatchObject({ attribute_type: 'actor-reference', referenced_actor_type: 'api-token' })
    const email = vals(self.body.data, 'email_addresses')[0]
    expect(email).toMatchObject({
      active_until: null,
      attribute_type: 'email-address',
      created_by_actor: { type: 'api-token', id: createdBy.referenced_actor_id }
    })
    expect(email.active_from).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/)
    expect(vals(self.body.data, 'record_id')[0].value).toBe(a.body.data.id.record_id)
    expect(vals(self.body.data, 'job_title')).toEqual([])
    expect(emu().state().people[0].values.email_addresses[0]).toEqual(email)
  })

  test('unknown object: 404 not_found', async () => {
    const r = await call()('PUT', assertPath('planets', 'name'), { data: { values: {} } })
    expect(r.status).toBe(404)
    expect(r.body.code).toBe('not_found')
  })

  test('unknown matching attribute: 400 value_not_found with Attio message', async () => {
    const r = await call()('PUT', assertPath('people', 'x'), {
      data: { values: { email_addresses: ['a@b.com'] } }
    })
    expect(r.status).toBe(400)
    expect(r.body).toEqual({
      status_code: 400,
      type: 'invalid_request_error',
      code: 'value_not_found',
      message: 'No attribute was found for matching_attribute slug/ID "x".'
    })
  })

  test('non-unique matching attribute: 400 matching_attribute_definition_not_unique', async () => {
    const r = await call()('PUT', assertPath('people', 'job_title'), { data: { values: { job_title: 'x' } } })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('matching_attribute_definition_not_unique')
    expect(r.body.message).toContain('job_title')
  })

  test('the body must carry a value for the matching attribute', async () => {
    for (const values of [{ job_title: 'x' }, { email_addresses: [] }]) {
      const r = await assertPerson(values)
      expect(r.status).toBe(400)
      expect(r.body.code).toBe('missing_value')
      expect(r.body.message).toContain('email_addresses')
    }
    const noBody = await call()('PUT', assertPath('people', 'email_addresses'), { values: {} })
    expect(noBody.status).toBe(400)
    expect(noBody.body.code).toBe('validation_type')
  })

  test('the record whose matching values intersect is found; the matching multiselect attribute gains values', async () => {
    const a = await assertPerson({ email_addresses: ['a@x.com', 'b@x.com'] })
    const b = await assertPerson({ email_addresses: ['B@x.com', 'c@x.com'] })
    expect(b.body.data.id.record_id).toBe(a.body.data.id.record_id)
    expect(vals(b.body.data, 'email_addresses').map((v: Body) => v.email_address)).toEqual([
      'a@x.com',
      'b@x.com',
      'c@x.com'
    ])
  })

  test('more than one match: 400 multiple_match_results, nothing written', async () => {
    await assertPerson({ email_addresses: ['a@x.com'] })
    await assertPerson({ email_addresses: ['b@x.com'] })
    const r = await assertPerson({ email_addresses: ['a@x.com', 'b@x.com'], job_title: 'x' })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('multiple_match_results')
    expect(
      emu()
        .state()
        .people.every((p) => p.values.job_title.length === 0)
    ).toBe(true)
  })

  test('creating without a required attribute: 400 missing_value naming it', async () => {
    const r = await call()('PUT', assertPath('users', 'user_id'), { data: { values: { user_id: 'u1' } } })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('missing_value')
    expect(r.body.message).toContain('primary_email_address')
    expect(emu().state().users).toHaveLength(0)
  })

  test('assert replaces every OTHER multiselect attribute by exactly the given list; single values replaced', async () => {
    await assertPerson({
      email_addresses: ['a@x.com'],
      tags: ['A', 'B'],
      phone_numbers: ['+15558675309'],
      nickname: 'n1'
    })
    const r = await assertPerson({ email_addresses: ['a@x.com'], tags: ['C'], nickname: 'n2' })
    expect(vals(r.body.data, 'tags').map((v: Body) => v.option.title)).toEqual(['C'])
    expect(vals(r.body.data, 'nickname').map((v: Body) => v.value)).toEqual(['n2'])
    // attributes not in the body are untouched
    expect(vals(r.body.data, 'phone_numbers')).toHaveLength(1)
  })

  test('PATCH appends multiselect values; adding a value already present changes nothing', async () => {
    const a = await assertPerson({ email_addresses: ['a@x.com'], tags: ['A'] })
    const path = `/v2/objects/people/records/${a.body.data.id.record_id}`
    const p1 = await call()('PATCH', path, { data: { values: { tags: ['B'] } } })
    expect(p1.status).toBe(200)
    expect(vals(p1.body.data, 'tags').map((v: Body) => v.option.title)).toEqual(['A', 'B'])
    const p2 = await call()('PATCH', path, { data: { values: { tags: ['A', 'B'] } } })
    expect(vals(p2.body.data, 'tags')).toEqual(vals(p1.body.data, 'tags'))
    const p3 = await call()('PATCH', path, { data: { values: { email_addresses: ['A@x.com'] } } })
    expect(vals(p3.body.data, 'email_addresses')).toHaveLength(1)
  })

  test('PUT by id overwrites multiselect values', async () => {
    const a = await assertPerson({ email_addresses: ['a@x.com'], tags: ['A', 'B'] })
    const path = `/v2/objects/people/records/${a.body.data.id.record_id}`
    const r = await call()('PUT', path, { data: { values: { tags: ['C'], email_addresses: ['z@x.com'] } } })
    expect(vals(r.body.data, 'tags').map((v: Body) => v.option.title)).toEqual(['C'])
    expect(vals(r.body.data, 'email_addresses').map((v: Body) => v.email_address)).toEqual(['z@x.com'])
  })

  test('null or [] unsets', async () => {
    const a = await assertPerson({ email_addresses: ['a@x.com'], tags: ['A'], nickname: 'n' })
    const path = `/v2/objects/people/records/${a.body.data.id.record_id}`
    const r = await call()('PATCH', path, { data: { values: { tags: [], nickname: null } } })
    expect(vals(r.body.data, 'tags')).toEqual([])
    expect(vals(r.body.data, 'nickname')).toEqual([])
    const r2 = await assertPerson({ email_addresses: ['a@x.com'], nickname: [] })
    expect(vals(r2.body.data, 'nickname')).toEqual([])
  })

  test('a required attribute cannot be unset', async () => {
    const u = await call()('PUT', assertPath('users', 'user_id'), {
      data: { values: { user_id: 'u1', primary_email_address: 'u1@x.com' } }
    })
    const r = await call()('PATCH', `/v2/objects/users/records/${u.body.data.id.record_id}`, {
      data: { values: { primary_email_address: null } }
    })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('missing_value')
  })

  test('values may be keyed by attribute id', async () => {
    const attrs = await call()('GET', '/v2/objects/people/attributes')
    const jobTitle = attrs.body.data.find((a: Body) => a.api_slug === 'job_title').id.attribute_id
    const email = attrs.body.data.find((a: Body) => a.api_slug === 'email_addresses').id.attribute_id
    const r = await call()('PUT', assertPath('people', email), {
      data: { values: { [email]: ['a@x.com'], [jobTitle]: 'CFO' } }
    })
    expect(r.status).toBe(200)
    expect(vals(r.body.data, 'job_title')[0].value).toBe('CFO')
    const twice = await assertPerson({ email_addresses: ['a@x.com'], job_title: 'x', [jobTitle]: 'y' })
    expect(twice.status).toBe(400)
  })

  test('a single value is allowed only for non-multiselect attributes; multiselect requires an array', async () => {
    const single = await assertPerson({ email_addresses: 'a@x.com' })
    expect(single.status).toBe(400)
    expect(single.body.code).toBe('validation_type')
    expect(single.body.message).toContain('email_addresses')
    const two = await assertPerson({ email_addresses: ['a@x.com'], job_title: ['a', 'b'] })
    expect(two.status).toBe(400)
    expect(two.body.message).toContain('job_title')
    const wrapped = await assertPerson({ email_addresses: ['a@x.com'], job_title: ['a'] })
    expect(wrapped.status).toBe(200)
  })

  test('unknown, non-writable and archived attributes are refused', async () => {
    const unknown = await assertPerson({ email_addresses: ['a@x.com'], shoe_size: 44 })
    expect(unknown.status).toBe(400)
    expect(unknown.body.code).toBe('value_not_found')
    expect(unknown.body.message).toContain('shoe_size')
    const enriched = await assertPerson({ email_addresses: ['a@x.com'], twitter_follower_count: 10 })
    expect(enriched.status).toBe(400)
    expect(enriched.body.code).toBe('system_edit_unauthorized')
    expect(enriched.body.message).toContain('twitter_follower_count')
    const system = await assertPerson({ email_addresses: ['a@x.com'], record_id: 'x' })
    expect(system.body.code).toBe('system_edit_unauthorized')
    const archived = await assertPerson({ email_addresses: ['a@x.com'], old_field: 'x' })
    expect(archived.status).toBe(400)
    expect(archived.body.code).toBe('validation_type')
    expect(archived.body.message).toContain('old_field')
    expect(emu().state().people).toHaveLength(0)
  })

  test('POST creates; a unique value already taken is a 409 uniqueness_conflict', async () => {
    const r = await call()('POST', '/v2/objects/people/records', {
      data: { values: { email_addresses: ['a@x.com'] } }
    })
    expect(r.status).toBe(200)
    const dup = await call()('POST', '/v2/objects/people/records', {
      data: { values: { email_addresses: ['A@x.com'] } }
    })
    expect(dup.status).toBe(409)
    expect(dup.body.code).toBe('uniqueness_conflict')
    const noUnique = await call()('POST', '/v2/objects/people/records', {
      data: { values: { job_title: 'x' } }
    })
    expect(noUnique.status).toBe(200)
    expect(emu().state().people).toHaveLength(2)
  })

  test('GET an unknown record id: 404; DELETE removes the record and references to it', async () => {
    expect(
      (await call()('GET', '/v2/objects/people/records/00000000-0000-4000-8000-000000000000')).status
    ).toBe(404)
    await call()('PUT', assertPath('companies', 'domains'), { data: { values: { domains: ['acme.com'] } } })
    const p = await assertPerson({ email_addresses: ['a@acme.com'], company: 'acme.com' })
    const id = p.body.data.id.record_id
    expect(emu().state().companies[0].values.team).toHaveLength(1)
    const del = await call()('DELETE', `/v2/objects/people/records/${id}`)
    expect(del.status).toBe(200)
    expect((await call()('GET', `/v2/objects/people/records/${id}`)).status).toBe(404)
    expect(emu().state().companies[0].values.team).toHaveLength(0)
  })

  test('DELETE: a second DELETE is a 404, the record leaves queries, links to it leave other objects, its unique values are free', async () => {
    const p = await assertPerson({ email_addresses: ['gone@example.com'] })
    const personId = p.body.data.id.record_id
    const u = await call()('PUT', assertPath('users', 'user_id'), {
      data: {
        values: {
          user_id: 'u-gone',
          primary_email_address: 'gone@example.com',
          person: [{ target_object: 'people', target_record_id: personId }]
        }
      }
    })
    expect(u.status).toBe(200)
    expect(vals(u.body.data, 'person')).toHaveLength(1)
    expect((await call()('DELETE', `/v2/objects/people/records/${personId}`)).status).toBe(200)
    const again = await call()('DELETE', `/v2/objects/people/records/${personId}`)
    expect(again.status).toBe(404)
    expect(again.body.code).toBe('not_found')
    const user = await call()('GET', `/v2/objects/users/records/${u.body.data.id.record_id}`)
    expect(vals(user.body.data, 'person')).toHaveLength(0)
    const query = await call()('POST', '/v2/objects/people/records/query', {
      filter: { email_addresses: 'gone@example.com' }
    })
    expect(query.body.data).toHaveLength(0)
    const back = await assertPerson({ email_addresses: ['gone@example.com'] })
    expect(back.status).toBe(200)
    expect(back.body.data.id.record_id).not.toBe(personId)
  })

  test('malformed JSON is a 400', async () => {
    const r = await call()('PUT', assertPath('people', 'email_addresses'), '{"data":')
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('validation_type')
  })
})
