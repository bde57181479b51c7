import { startEmulator } from '../../src/emulator'
import { caller, useEmulator, type Body } from './helpers'

describe('objects and attributes', () => {
  const { emu, call } = useEmulator({
    objects: { deals: false },
    seed: {
      attributes: {
        people: [
          { api_slug: 'legacy_score', type: 'number', is_archived: true },
          { api_slug: 'tier', type: 'select', options: ['Gold', 'Silver'] }
        ]
      },
      members: [{ email_address: 'alice@example.com' }]
    }
  })

  test('GET /v2/objects lists activated objects with ids and nouns', async () => {
    const r = await call()('GET', '/v2/objects')
    expect(r.status).toBe(200)
    const slugs = r.body.data.map((o: Body) => o.api_slug)
    expect(slugs).toEqual(['people', 'companies', 'users', 'workspaces'])
    const people = r.body.data[0]
    expect(people).toMatchObject({ api_slug: 'people', singular_noun: 'Person', plural_noun: 'People' })
    expect(people.id).toEqual({ workspace_id: expect.any(String), object_id: expect.any(String) })
  })

  test('GET /v2/objects/{object} by slug or id; deactivated objects are 404 not_found', async () => {
    const list = await call()('GET', '/v2/objects')
    const companies = list.body.data.find((o: Body) => o.api_slug === 'companies')
    expect((await call()('GET', `/v2/objects/${companies.id.object_id}`)).body.data.api_slug).toBe(
      'companies'
    )
    expect((await call()('GET', '/v2/objects/companies')).status).toBe(200)
    for (const path of ['/v2/objects/deals', '/v2/objects/deals/attributes', '/v2/objects/nothing']) {
      const r = await call()('GET', path)
      expect(r.status).toBe(404)
      expect(r.body).toMatchObject({ status_code: 404, type: 'invalid_request_error', code: 'not_found' })
    }
    const assert = await call()('PUT', '/v2/objects/deals/records?matching_attribute=name', {
      data: { values: {} }
    })
    expect(assert.status).toBe(404)
  })

  test('object path segments are URL-decoded', async () => {
    expect((await call()('GET', '/v2/objects/%70eople')).body.data.api_slug).toBe('people')
  })

  test('attributes: standard ones with flags, system attributes, relationships; deactivated targets hidden', async () => {
    const r = await call()('GET', '/v2/objects/people/attributes')
    expect(r.status).toBe(200)
    const by = Object.fromEntries(r.body.data.map((a: Body) => [a.api_slug, a]))
    expect(by.email_addresses).toMatchObject({
      type: 'email-address',
      is_unique: true,
      is_multiselect: true,
      is_writable: true,
      is_system_attribute: true,
      is_archived: false
    })
    expect(by.record_id).toMatchObject({ type: 'text', is_writable: false })
    expect(by.created_at).toMatchObject({ type: 'timestamp', is_writable: false })
    expect(by.created_by).toMatchObject({ type: 'actor-reference', is_writable: false })
    expect(by.twitter_follower_count).toMatchObject({ type: 'number', is_writable: false })
    expect(by.last_email_interaction).toMatchObject({ type: 'interaction', is_writable: false })
    expect(by.company.relationship).toMatchObject({
      object_slug: 'companies',
      api_slug: 'team',
      is_multiselect: true
    })
    expect(by.company.config.record_reference.allowed_object_ids).toHaveLength(1)
    expect(by.description.relationship).toBeNull()
    expect(by.description.config).toEqual({
      currency: { default_currency_code: null, display_type: null },
      record_reference: { allowed_object_ids: null }
    })
    // deals are deactivated: people.associated_deals is hidden, associated_users is not
    expect(by.associated_deals).toBeUndefined()
    expect(by.associated_users).toBeDefined()
    expect(by.tier.is_system_attribute).toBe(false)
    expect(by.legacy_score).toBeUndefined()
  })

  test('attributes: show_archived, limit and offset', async () => {
    const all = await call()('GET', '/v2/objects/people/attributes?show_archived=true')
    const archived = all.body.data.find((a: Body) => a.api_slug === 'legacy_score')
    expect(archived.is_archived).toBe(true)
    const page = await call()('GET', '/v2/objects/people/attributes?limit=2&offset=1')
    const full = await call()('GET', '/v2/objects/people/attributes')
    expect(page.body.data.map((a: Body) => a.api_slug)).toEqual(
      full.body.data.slice(1, 3).map((a: Body) => a.api_slug)
    )
  })

  test('single attribute, select options and statuses', async () => {
    expect((await call()('GET', '/v2/objects/companies/attributes/domains')).body.data.type).toBe('domain')
    expect((await call()('GET', '/v2/objects/companies/attributes/nope')).status).toBe(404)
    const opts = await call()('GET', '/v2/objects/people/attributes/tier/options')
    expect(opts.body.data.map((o: Body) => o.title)).toEqual(['Gold', 'Silver'])
  })

  test('POST …/options adds a select option that can be written at once; a title taken is a 409', async () => {
    const created = await call()('POST', '/v2/objects/people/attributes/tier/options', {
      data: { title: 'Bronze' }
    })
    expect(created.status).toBe(200)
    expect(created.body.data).toMatchObject({ title: 'Bronze', is_archived: false })
    const opts = await call()('GET', '/v2/objects/people/attributes/tier/options')
    expect(opts.body.data.map((o: Body) => o.title)).toEqual(['Gold', 'Silver', 'Bronze'])
    const written = await call()('PUT', '/v2/objects/people/records?matching_attribute=email_addresses', {
      data: { values: { email_addresses: ['ada@example.com'], tier: 'Bronze' } }
    })
    expect(written.status).toBe(200)
    const again = await call()('POST', '/v2/objects/people/attributes/tier/options', {
      data: { title: 'Bronze' }
    })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('slug_conflict')
    const notSelect = await call()('POST', '/v2/objects/people/attributes/legacy_score/options', {
      data: { title: 'x' }
    })
    expect(notSelect.status).toBe(400)
  })

  test('POST attributes creates a custom attribute (unique text allowed) that can be asserted by', async () => {
    const r = await call()('POST', '/v2/objects/workspaces/attributes', {
      data: {
        title: 'External ref',
        description: null,
        api_slug: 'external_ref',
        type: 'text',
        is_required: false,
        is_unique: true,
        is_multiselect: false,
        config: {}
      }
    })
    expect(r.status).toBe(200)
    expect(r.body.data).toMatchObject({
      api_slug: 'external_ref',
      is_unique: true,
      is_system_attribute: false
    })
    const a = await call()('PUT', '/v2/objects/workspaces/records?matching_attribute=external_ref', {
      data: { values: { external_ref: 'x1', workspace_id: 'w1' } }
    })
    expect(a.status).toBe(200)
    const again = await call()('POST', '/v2/objects/workspaces/attributes', {
      data: {
        title: 'Dup',
        api_slug: 'external_ref',
        type: 'text',
        is_required: false,
        is_unique: false,
        is_multiselect: false,
        config: {}
      }
    })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('slug_conflict')
  })

  test('POST attributes refuses unique selects, unique company attributes and multiselect text', async () => {
    const base = { title: 'T', description: null, is_required: false, is_multiselect: false, config: {} }
    const sel = await call()('POST', '/v2/objects/people/attributes', {
      data: { ...base, api_slug: 's1', type: 'select', is_unique: true }
    })
    expect(sel.status).toBe(400)
    expect(sel.body.code).toBe('validation_type')
    const comp = await call()('POST', '/v2/objects/companies/attributes', {
      data: { ...base, api_slug: 'c1', type: 'text', is_unique: true }
    })
    expect(comp.status).toBe(400)
    const multi = await call()('POST', '/v2/objects/people/attributes', {
      data: { ...base, api_slug: 'm1', type: 'text', is_unique: false, is_multiselect: true }
    })
    expect(multi.status).toBe(400)
    const missing = await call()('POST', '/v2/objects/people/attributes', { data: { title: 'x' } })
    expect(missing.status).toBe(400)
    expect(missing.body.validation_errors.map((e: Body) => e.path.join('.'))).toContain('data.api_slug')
  })

  test('reset() keeps definitions created through the API and empties records', async () => {
    await call()('POST', '/v2/objects/people/attributes', {
      data: {
        title: 'Kept',
        api_slug: 'kept',
        type: 'text',
        is_required: false,
        is_unique: false,
        is_multiselect: false,
        config: {}
      }
    })
    await call()('PUT', '/v2/objects/people/records?matching_attribute=email_addresses', {
      data: { values: { email_addresses: ['a@b.com'], kept: 'x' } }
    })
    expect(emu().state().people).toHaveLength(1)
    emu().reset()
    expect(emu().state().people).toHaveLength(0)
    const attrs = await call()('GET', '/v2/objects/people/attributes')
    expect(attrs.body.data.map((a: Body) => a.api_slug)).toContain('kept')
  })
})

describe('default seed', () => {
  test('startEmulator() without seed uses the bundled seed; an empty seed gives none of it', async () => {
    const withDefault = await startEmulator({ port: 0 })
    const empty = await startEmulator({ port: 0, seed: { attributes: {}, members: [] } })
    try {
      const slugs = async (e: typeof withDefault, object: string): Promise<string[]> =>
        (await caller(e)('GET', `/v2/objects/${object}/attributes`)).body.data.map((a: Body) => a.api_slug)
      expect(await slugs(withDefault, 'users')).toEqual(expect.arrayContaining(['plan', 'seats', 'is_admin']))
      expect(await slugs(withDefault, 'workspaces')).toEqual(expect.arrayContaining(['plan', 'mrr']))
      expect(await slugs(withDefault, 'people')).toEqual(
        expect.arrayContaining(['nps', 'signed_up_at', 'twitter'])
      )
      expect(await slugs(withDefault, 'companies')).toEqual(
        expect.arrayContaining(['founded', 'foundation_date'])
      )
      expect(await slugs(withDefault, 'deals')).toContain('external_id')
      expect(await slugs(empty, 'users')).not.toContain('plan')
      const deal = await caller(withDefault)(
        'PUT',
        '/v2/objects/deals/records?matching_attribute=external_id',
        {
          data: { values: { external_id: 'd1', name: 'Big deal', stage: 'Lead', owner: 'alice@example.com' } }
        }
      )
      expect(deal.status).toBe(200)
      const noMember = await caller(empty)('PUT', '/v2/objects/deals/records?matching_attribute=name', {
        data: { values: { name: 'x' } }
      })
      expect(noMember.body.code).toBe('matching_attribute_definition_not_unique')
    } finally {
      await withDefault.close()
      await empty.close()
    }
  })

  test('a seed file path is read; a malformed seed is refused at start', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'emu-seed-'))
    const file = join(dir, 'seed.json')
    writeFileSync(file, JSON.stringify({ attributes: { people: [{ api_slug: 'karma', type: 'number' }] } }))
    const e = await startEmulator({ port: 0, seed: file })
    try {
      const attrs = await caller(e)('GET', '/v2/objects/people/attributes')
      expect(attrs.body.data.map((a: Body) => a.api_slug)).toContain('karma')
    } finally {
      await e.close()
    }
    await expect(startEmulator({ port: 0, seed: { attributes: { planets: [] } } })).rejects.toThrow(
      /unknown object/
    )
    writeFileSync(file, '{nope')
    await expect(startEmulator({ port: 0, seed: file })).rejects.toThrow(/not valid JSON/)
  })
})

describe('custom objects of a seed', () => {
  const { emu, call } = useEmulator()

  test('the default seed has a custom object, Projects, with system attributes and its own', async () => {
    const objects = await call()('GET', '/v2/objects')
    expect(objects.body.data.map((o: Body) => o.api_slug)).toEqual([
      'people',
      'companies',
      'deals',
      'users',
      'workspaces',
      'projects'
    ])
    expect((await call()('GET', '/v2/objects/projects')).body.data).toMatchObject({
      api_slug: 'projects',
      singular_noun: 'Project',
      plural_noun: 'Projects'
    })
    const attributes = (await call()('GET', '/v2/objects/projects/attributes')).body.data
    const by = Object.fromEntries(attributes.map((a: Body) => [a.api_slug, a]))
    expect(Object.keys(by)).toEqual([
      'record_id',
      'created_at',
      'created_by',
      'project_id',
      'name',
      'stage',
      'budget'
    ])
    expect(by.project_id).toMatchObject({ type: 'text', is_unique: true, is_system_attribute: false })
    expect(by.record_id).toMatchObject({ is_system_attribute: true, is_writable: false })
  })

  test('a project is asserted by its unique attribute, and a second assert updates it', async () => {
    const path = '/v2/objects/projects/records?matching_attribute=project_id'
    const first = await call()('PUT', path, {
      data: { values: { project_id: 'p-1', name: 'Apollo', stage: 'Planned', budget: 1200 } }
    })
    expect(first.status).toBe(200)
    const again = await call()('PUT', path, { data: { values: { project_id: 'p-1', stage: 'Active' } } })
    expect(again.body.data.id.record_id).toBe(first.body.data.id.record_id)
    const [project] = emu().state().projects
    expect(project.values.stage[0]).toMatchObject({ option: { title: 'Active' } })
    expect(project.values.name[0]).toMatchObject({ value: 'Apollo' })
    expect(project.values.budget[0]).toMatchObject({ currency_value: 1200, currency_code: 'USD' })
  })

  test('a malformed or clashing custom object is refused at start', async () => {
    await expect(
      startEmulator({
        port: 0,
        seed: { objects: [{ api_slug: 'Bad Slug', singular_noun: 'x', plural_noun: 'x' }] }
      })
    ).rejects.toThrow(/objects\[0\]\.api_slug: expected a snake_case string/)
    await expect(
      startEmulator({
        port: 0,
        seed: { objects: [{ api_slug: 'people', singular_noun: 'P', plural_noun: 'Ps' }] }
      })
    ).rejects.toThrow(/object "people" already exists/)
    await expect(
      startEmulator({
        port: 0,
        seed: { objects: [{ api_slug: 'pets', singular_noun: '', plural_noun: 'Pets' }] }
      })
    ).rejects.toThrow(/objects\[0\]\.singular_noun: expected a non-empty string/)
  })
})
