import { startEmulator } from '../../src/emulator'
import { caller, sleep, useEmulator, type Body } from './helpers'

const SEED = {
  attributes: {
    people: [{ api_slug: 'tags', type: 'select' as const, is_multiselect: true, options: ['A', 'B', 'C'] }]
  }
}

const person = (
  email: string,
  values: Record<string, unknown> = {},
  extra: Record<string, unknown> = {}
): Body => ({
  object: 'people',
  mode: 'create-or-update',
  matching_attribute: 'email_addresses',
  multiselect_values: 'append',
  values: { email_addresses: [email], ...values },
  received_at: '2024-01-01T00:00:00.000Z',
  ...extra
})

describe('bulk endpoint PUT /v2/batch/records', () => {
  const { emu, call } = useEmulator({ seed: SEED, bulkDelayMs: 30 })
  const bulk = (body: unknown): Promise<{ status: number; body: Body }> =>
    call()('PUT', '/v2/batch/records', body)

  test('answers 202 with an empty body at once and applies the assertions later, in order', async () => {
    const r = await bulk({
      assertions: [person('a@x.com', { job_title: 'one' }), person('a@x.com', { job_title: 'two' })]
    })
    expect(r.status).toBe(202)
    expect(r.body).toBeUndefined()
    expect(emu().state().people).toHaveLength(0)
    await emu().settle()
    const people = emu().state().people
    expect(people).toHaveLength(1)
    expect(people[0].values.job_title[0].value).toBe('two')
    expect(emu().stats().bulk).toMatchObject({ requests: 1, applied: 2, dropped: 0, pending: 0 })
  })

  test('nested assertions (single or arrays) are asserted first and replaced by references', async () => {
    const r = await bulk({
      assertions: [
        {
          object: 'workspaces',
          mode: 'create-or-update',
          matching_attribute: 'workspace_id',
          values: {
            workspace_id: ['w1'],
            company: {
              object: 'companies',
              mode: 'create-or-update',
              matching_attribute: 'domains',
              values: { domains: ['acme.com'] }
            },
            users: [
              {
                object: 'users',
                mode: 'create-or-update',
                matching_attribute: 'user_id',
                values: {
                  user_id: ['u1'],
                  primary_email_address: ['u1@acme.com'],
                  person: person('u1@acme.com')
                }
              }
            ]
          }
        }
      ]
    })
    expect(r.status).toBe(202)
    await emu().settle()
    const s = emu().state()
    const [w, c, u, p] = [s.workspaces[0], s.companies[0], s.users[0], s.people[0]]
    expect(w.values.company[0].target_record_id).toBe(c.record_id)
    expect(w.values.users[0].target_record_id).toBe(u.record_id)
    expect(u.values.person[0].target_record_id).toBe(p.record_id)
    expect(p.values.associated_users[0].target_record_id).toBe(u.record_id)
    expect(c.values.associated_workspaces[0].target_record_id).toBe(w.record_id)
  })

  test("multiselect_values 'append' adds values; 'replace' replaces them", async () => {
    await call()('PUT', '/v2/objects/people/records?matching_attribute=email_addresses', {
      data: { values: { email_addresses: ['a@x.com'], tags: ['A'] } }
    })
    await bulk({ assertions: [person('a@x.com', { tags: ['B'] })] })
    await emu().settle()
    expect(
      emu()
        .state()
        .people[0].values.tags.map((t) => (t.option as Body).title)
    ).toEqual(['A', 'B'])
    await bulk({ assertions: [person('a@x.com', { tags: ['C'] }, { multiselect_values: 'replace' })] })
    await emu().settle()
    expect(
      emu()
        .state()
        .people[0].values.tags.map((t) => (t.option as Body).title)
    ).toEqual(['C'])
  })

  test('assertions that cannot be applied are dropped silently and logged with index and reason', async () => {
    const r = await bulk({
      assertions: [
        person('ok1@x.com'),
        person('not an email'),
        person('ok2@x.com', { shoe_size: [44] }),
        { ...person('ok3@x.com'), object: 'planets' },
        person('ok4@x.com', { company: 'ghost.com' }),
        person('ok5@x.com')
      ]
    })
    expect(r.status).toBe(202)
    await emu().settle()
    expect(
      emu()
        .state()
        .people.map((p) => p.values.email_addresses[0].email_address)
    ).toEqual(['ok1@x.com', 'ok5@x.com'])
    const log = await fetch(`${emu().url}/_emulator/bulk-log`).then((x) => x.json() as Promise<Body>)
    expect(log.data.map((e: Body) => [e.index, e.code])).toEqual([
      [1, 'validation_type'],
      [2, 'value_not_found'],
      [3, 'not_found'],
      [4, 'value_not_found']
    ])
    expect(log.data[1].reason).toContain('shoe_size')
    expect(log.data[0].batch).toBe(log.data[3].batch)
    expect(emu().bulkLog()).toEqual(log.data)
    expect(emu().stats().bulk).toMatchObject({ applied: 2, dropped: 4 })
  })

  test('an invalid top-level body is a 400; more than 10,000 assertions is a 400', async () => {
    for (const body of [
      {},
      { assertions: 'x' },
      [],
      { assertions: [{ ...person('a@x.com'), mode: 'create' }] }
    ]) {
      const r = await bulk(body)
      expect(r.status).toBe(400)
      expect(r.body).toMatchObject({
        status_code: 400,
        type: 'invalid_request_error',
        code: 'validation_type'
      })
    }
    const big = await bulk({ assertions: Array.from({ length: 10_001 }, (_, i) => person(`p${i}@x.com`)) })
    expect(big.status).toBe(400)
    expect(big.body.validation_errors[0].code).toBe('too_big')
    const max = await bulk({ assertions: Array.from({ length: 10_000 }, (_, i) => person(`p${i}@x.com`)) })
    expect(max.status).toBe(202)
    await emu().settle()
    expect(emu().state().people).toHaveLength(10_000)
  })

  test('reset() drops bulk requests not applied yet', async () => {
    await bulk({ assertions: [person('late@x.com')] })
    emu().reset()
    await sleep(60)
    expect(emu().state().people).toHaveLength(0)
    expect(emu().stats().bulk.pending).toBe(0)
  })
})

describe('bulk endpoint options', () => {
  test('bulkEndpoint:false answers 404; bulkDelayMs delays application', async () => {
    const off = await startEmulator({ port: 0, bulkEndpoint: false })
    const slow = await startEmulator({ port: 0, bulkDelayMs: 250 })
    try {
      const r = await caller(off)('PUT', '/v2/batch/records', { assertions: [] })
      expect(r.status).toBe(404)
      expect(r.body.code).toBe('not_found')
      await caller(slow)('PUT', '/v2/batch/records', { assertions: [person('a@x.com')] })
      await sleep(100)
      expect(slow.state().people).toHaveLength(0)
      await slow.settle()
      expect(slow.state().people).toHaveLength(1)
    } finally {
      await off.close()
      await slow.close()
    }
  })
})
