/**
 * The local destination server's routes, in-process, against an in-process emulator with Attio's rate
 * limits on. npm start itself is in start.test.ts.
 */
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'
import { group, http, identify, useLocalServer } from './helpers'

const ctx = useEmulator({ rateLimits: true })
const server = useLocalServer(ctx)

interface Answer {
  ok: boolean
  action: string
  batch: boolean
  exchanges: Array<{
    method: string
    url: string
    status: number
    request: { headers: Record<string, string>; body?: unknown }
    response: { body?: unknown }
  }>
  result?: { records: Array<{ object: string; label: string; record_id: string; result: string }> }
  multistatus?: Array<{ status: number; errormessage?: string; field?: string }>
  error?: { message: string; status: number; code?: string; field?: string; retry: boolean }
}

const post = async (path: string, body: unknown) => http(`${server().url}${path}`, { body })

describe('the server', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(server().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server().server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' })
  })

  it('serves the page with a strict content security policy', async () => {
    const page = await http(`${server().url}/`)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.text).toContain('<script type="module" src="/main.js"></script>')
    expect((await http(`${server().url}/main.js`)).headers['content-type']).toMatch(/javascript/)
    expect((await http(`${server().url}/base.css`)).status).toBe(200)
    // The page's modules only: not its type declarations or configuration, nothing outside it.
    for (const path of ['/types.d.ts', '/tsconfig.json', '/nope.js', '/..%2Fserver.ts', '/Main.js']) {
      expect((await http(`${server().url}${path}`)).status).toBe(404)
    }
  })

  it('serves, from the build, every module the page imports', async () => {
    const { execFileSync } = await import('node:child_process')
    const { mkdtempSync, readFileSync, readdirSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const built = mkdtempSync(`${tmpdir()}/local-page-build-`)
    try {
      // What `npm run build` does for the page, into a directory of the test's own.
      execFileSync(process.execPath, ['scripts/copy-page.mjs', built], { cwd: `${__dirname}/../..` })
      const files = readdirSync(built).sort()
      expect(files).toContain('index.html')
      expect(files.filter((name) => name.endsWith('.d.ts') || name.endsWith('.json'))).toEqual([])
      // Every import of every module resolves to a file of the build.
      const wanted = new Set(['main.js'])
      for (const name of files.filter((file) => file.endsWith('.js'))) {
        for (const match of readFileSync(`${built}/${name}`, 'utf8').matchAll(/from '\.\/([a-z-]+\.js)'/g)) {
          wanted.add(match[1])
        }
      }
      for (const name of wanted) expect(files).toContain(name)
    } finally {
      rmSync(built, { recursive: true, force: true })
    }
  })

  it("tells whether an event matches a trigger, and reads a mapping file with the CLI's parser", async () => {
    const matches = (
      await post('/_local/trigger', { subscribe: 'type = "identify"', payload: identify('u', 'a@b.co') })
    ).json
    expect(matches).toEqual({ matches: true, unmatched: 0 })
    const batch = await post('/_local/trigger', {
      subscribe: 'type = "identify"',
      payload: [identify('u', 'a@b.co'), { type: 'track', event: 'x' }]
    })
    expect(batch.json).toEqual({ matches: false, unmatched: 1 })
    const broken = (await post('/_local/trigger', { subscribe: 'typo = 1', payload: {} })).json as {
      problem: string
    }
    expect(broken.problem).toContain('is not a condition actions-core can evaluate')

    const file = await post('/_local/mapping-file', {
      text: JSON.stringify([{ action: 'identifyUser', subscribe: 'type = "identify"' }])
    })
    expect(file.json).toMatchObject({
      subscriptions: [{ partnerAction: 'identifyUser', name: 'Identify User' }]
    })
    const bad = await post('/_local/mapping-file', {
      text: '[{"partnerAction": "nope", "subscribe": "type = \\"x\\""}]'
    })
    expect(bad.status).toBe(400)
    expect((bad.json as { error: { problems: string[] } }).error.problems).toEqual([
      expect.stringContaining('[0].partnerAction: "nope" is not an action of this destination')
    ])
  })

  it('refuses requests from other origins', async () => {
    const answer = await http(`${server().url}/identifyUser`, {
      body: { payload: identify('u1', 'ada@example.com') },
      headers: { origin: 'https://evil.example' }
    })
    expect(answer.status).toBe(403)
    expect(ctx.emulator.stats().writes).toBe(0)
  })
})

describe('GET /manifest', () => {
  it('describes the destination: settings, actions with their fields, presets; JSON only', async () => {
    const answer = await http(`${server().url}/manifest`)
    expect(answer.status).toBe(200)
    const manifest = answer.json as {
      name: string
      slug: string
      settings: Record<string, { label: string; type: string }>
      actions: Record<
        string,
        {
          title: string
          fields: Record<string, { label: string; default?: unknown }>
          dynamicFields: string[]
        }
      >
      presets: Array<{
        name: string
        partnerAction: string
        subscribe: string
        mapping: Record<string, unknown>
      }>
    }
    expect(manifest.name).toBe('Attio (Actions)')
    expect(manifest.slug).toBe('actions-attio')
    expect(manifest.settings.api_key).toMatchObject({ label: 'Workspace API key', type: 'password' })
    expect(Object.keys(manifest.actions)).toEqual([
      'identifyUser',
      'groupWorkspace',
      'assertRecord',
      'syncListEntry'
    ])
    expect(manifest.actions.identifyUser.fields.user_id.default).toEqual({ '@path': '$.userId' })
    expect(manifest.actions.identifyUser.dynamicFields).toEqual([
      'person_attributes.__keys__',
      'user_attributes.__keys__'
    ])
    expect(manifest.actions.assertRecord.dynamicFields).toEqual([
      'object',
      'matching_attribute',
      'attributes.__keys__'
    ])
    expect(manifest.presets.map((preset) => [preset.subscribe, preset.partnerAction])).toEqual([
      ['type = "identify"', 'identifyUser'],
      ['type = "group"', 'groupWorkspace'],
      ['type = "identify" and context.personas.computation_class = "audience"', 'syncListEntry'],
      ['type = "track" and (event = "Audience Entered" or event = "Audience Exited")', 'syncListEntry']
    ])
    expect(answer.text).not.toContain('function')
  })
})

describe('POST /authenticate', () => {
  it("is ok with no credential (the emulator's token) and with the key given", async () => {
    expect((await post('/authenticate', {})).json).toEqual({ ok: true })
    expect((await post('/authenticate', { api_key: ctx.emulator.apiKey })).json).toEqual({ ok: true })
    expect((await post('/authenticate', { settings: { api_key: ctx.emulator.apiKey } })).json).toEqual({
      ok: true
    })
  })

  it('answers the reason for a key Attio does not accept, without the key', async () => {
    const answer = await post('/authenticate', { api_key: 'not-a-real-key-123' })
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ ok: false, error: { status: 403 } })
    expect((answer.json as { error: { message: string } }).error.message).toContain(
      'did not accept the credential'
    )
    expect(answer.text).not.toContain('not-a-real-key-123')
  })
})

describe('POST /{action}', () => {
  it('runs identifyUser with the default mapping and lists every exchange, credentials redacted', async () => {
    const answer = await post('/identifyUser', {
      payload: identify('user-1', 'ada@example.com', { name: 'Ada Lovelace' }),
      mapping: { person_attributes: { name: { '@path': '$.traits.name' } } }
    })
    expect(answer.status).toBe(200)
    const body = answer.json as Answer
    expect(body.ok).toBe(true)
    expect(body.result?.records.map((record) => [record.label, record.result])).toEqual([
      ['Person', 'asserted'],
      ['User', 'asserted']
    ])
    const writes = body.exchanges.filter((exchange) => exchange.method === 'PUT')
    expect(writes.map((exchange) => [new URL(exchange.url).pathname, exchange.status])).toEqual([
      ['/v2/objects/people/records', 200],
      ['/v2/objects/users/records', 200]
    ])
    expect(writes[0].request.body).toMatchObject({
      data: { values: { email_addresses: [{ email_address: 'ada@example.com' }] } }
    })
    expect(writes[1].response.body).toMatchObject({
      data: { id: { record_id: body.result?.records[1].record_id } }
    })
    for (const exchange of body.exchanges) expect(exchange.request.headers.authorization).toBe('[redacted]')
    expect(answer.text).not.toContain(ctx.emulator.apiKey)

    const [person] = recordsOf(ctx.emulator, 'people')
    expect(valuesOf(person, 'name', 'full_name')).toEqual(['Ada Lovelace'])
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(1)
  })

  it('redacts a key given in the settings everywhere in the answer', async () => {
    const answer = await post('/identifyUser', {
      payload: identify('user-2', 'grace@example.com', { note: `key ${ctx.emulator.apiKey}` }),
      settings: { api_key: ctx.emulator.apiKey },
      mapping: { person_attributes: { description: { '@path': '$.traits.note' } } }
    })
    expect((answer.json as Answer).ok).toBe(true)
    expect(answer.text).not.toContain(ctx.emulator.apiKey)
    expect(answer.text).toContain('key [redacted]')
  })

  it('uses an OAuth access token given as auth instead of the default credential', async () => {
    const refused = await post('/identifyUser', {
      payload: identify('user-3', 'three@example.com'),
      auth: { accessToken: 'oauth-token-of-another-workspace' }
    })
    expect((refused.json as Answer).error).toMatchObject({ status: 403, retry: false })
    expect(refused.text).not.toContain('oauth-token-of-another-workspace')
    const accepted = await post('/identifyUser', {
      payload: identify('user-3', 'three@example.com'),
      auth: { accessToken: ctx.emulator.apiKey }
    })
    expect((accepted.json as Answer).ok).toBe(true)
  })

  it('answers a validation error with the field it concerns, and sends no write', async () => {
    const invalid = await post('/identifyUser', { payload: identify('user-1', 'not-an-email') })
    expect((invalid.json as Answer).error).toMatchObject({
      status: 400,
      code: 'PAYLOAD_VALIDATION_FAILED',
      field: 'email_address',
      retry: false
    })
    expect((invalid.json as Answer).error?.message).toMatch(
      /^email_address: "not-an-email" is not a valid email/
    )

    const typo = await post('/identifyUser', {
      payload: identify('user-1', 'ada@example.com'),
      mapping: { person_attributes: { twiter: '@ada' } }
    })
    expect((typo.json as Answer).error).toMatchObject({ field: 'person_attributes.twiter', status: 400 })
    expect((typo.json as Answer).error?.message).toContain('Did you mean "twitter"?')

    const missing = await post('/identifyUser', { payload: { type: 'identify', userId: 'u' } })
    expect((missing.json as Answer).error).toMatchObject({ field: 'email_address', status: 400 })
    expect(ctx.emulator.stats().writes).toBe(0)
  })

  it('refuses a mapping value that looks like a directive but is text, on its field, sending nothing', async () => {
    const answer = await post('/identifyUser', {
      payload: identify('user-1', 'ada@example.com', { name: 'Ada' }),
      mapping: { person_attributes: { job_title: '{"@template": "{{traits.name}}"' } }
    })
    expect((answer.json as Answer).error).toMatchObject({
      status: 400,
      code: 'INVALID_MAPPING',
      field: 'person_attributes.job_title',
      retry: false
    })
    expect((answer.json as Answer).error?.message).toContain(
      'looks like a mapping directive but is not valid JSON'
    )
    expect((answer.json as Answer).exchanges).toEqual([])
    expect(ctx.emulator.stats().writes + ctx.emulator.stats().reads).toBe(0)
  })

  it('explains every missing required field at once: the paths read, and what to map', async () => {
    const answer = await post('/identifyUser', { payload: { type: 'identify', traits: {} } })
    const error = (answer.json as Answer & { error: { problems?: Array<{ field: string }> } }).error
    expect(error.problems?.map((problem) => problem.field)).toEqual(['email_address', 'user_id'])
    expect(error.message).toContain(
      'email_address: required, and the event has no value at any of $.traits.email, $.context.traits.email or $.properties.email'
    )
    expect(error.message).toContain('user_id: required, and the event has no value at $.userId')
    expect(error.message).not.toContain('The root value')
  })

  it('a missing list says what it takes (a list chosen with the picker, or its api slug or id), not an event path', async () => {
    const answer = await post('/syncListEntry', {
      payload: { type: 'track', event: 'Audience Entered', properties: { email: 'a@example.com' } }
    })
    const error = (answer.json as Answer).error
    expect(error?.message).toContain(
      'list: required, and not set: choose "List" with its picker (the choices come from the workspace), or type what it takes: The Attio list, by api slug or id.'
    )
    expect(error?.message).not.toContain('event path')
  })

  it('shows what a group event wrote when its User link failed', async () => {
    const answer = (await post('/groupWorkspace', { payload: group('ws-1', 'acme.com', 'nobody') }))
      .json as Answer
    expect(answer.ok).toBe(false)
    expect(answer.error).toMatchObject({ status: 404, field: 'user_id' })
    expect(answer.result?.records.map((record) => [record.label, record.result])).toEqual([
      ['Company', 'asserted'],
      ['Workspace', 'asserted']
    ])
  })

  it('merges the given mapping over the defaults', async () => {
    const answer = await post('/identifyUser', {
      payload: identify('ignored', 'ada@example.com'),
      mapping: { user_id: 'fixed-id' }
    })
    expect((answer.json as Answer).ok).toBe(true)
    expect(valuesOf(recordsOf(ctx.emulator, 'users')[0], 'user_id', 'value')).toEqual(['fixed-id'])
  })

  it('runs the batch path for an array payload, with an outcome for each event', async () => {
    const answer = await post('/identifyUser', {
      payload: [
        identify('u1', 'one@example.com'),
        identify('u2', 'nope'),
        identify('u3', 'three@example.com')
      ]
    })
    const body = answer.json as Answer
    expect(body.batch).toBe(true)
    expect(body.ok).toBe(false)
    expect(body.multistatus?.map((entry) => entry.status)).toEqual([202, 400, 202])
    expect(body.multistatus?.[1]).toMatchObject({ field: 'email_address' })
    expect(
      body.exchanges.map((exchange) => `${exchange.method} ${new URL(exchange.url).pathname}`)
    ).toContain('PUT /v2/batch/records')
    await ctx.emulator.settle()
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(2)
  })

  it('answers an Attio error with its status', async () => {
    const answer = await post('/groupWorkspace', { payload: group('ws-1', 'acme.com', 'ghost') })
    const body = answer.json as Answer
    expect(body.ok).toBe(false)
    expect(body.error?.message).toContain('run Identify User for this user first')
    expect(body.error?.status).toBeGreaterThanOrEqual(400)
    expect(body.error?.status).toBeLessThan(500)
    expect(body.error?.retry).toBe(false)
  })

  it('answers 404 for an unknown action, 405 for GET, 400 for a body that is not JSON', async () => {
    const unknown = await post('/trackEvent', { payload: identify('u', 'a@b.co') })
    expect(unknown.status).toBe(404)
    expect((unknown.json as { error: { message: string } }).error.message).toContain('identifyUser')
    expect((await http(`${server().url}/identifyUser`)).status).toBe(405)
    const broken = await http(`${server().url}/identifyUser`, { rawBody: '{"payload": ', method: 'POST' })
    expect(broken.status).toBe(400)
    expect((await post('/identifyUser', { mapping: {} })).status).toBe(400)
    expect((await post('/identifyUser/%E0%A4%A', {})).status).toBe(400)
  })
})

describe('POST /{action}/{field}', () => {
  it('lists the objects and the unique attributes of the chosen object', async () => {
    const objects = (await post('/assertRecord/object', {})).json as { choices: Array<{ value: string }> }
    expect(objects.choices.map((choice) => choice.value)).toEqual(
      expect.arrayContaining(['people', 'companies', 'users', 'workspaces', 'deals'])
    )
    const matching = (await post('/assertRecord/matching_attribute', { payload: { object: 'users' } }))
      .json as {
      choices: Array<{ value: string }>
    }
    expect(matching.choices.map((choice) => choice.value).sort()).toEqual([
      'primary_email_address',
      'user_id'
    ])
  })

  it('lists the writable attributes of a key-value field', async () => {
    const keys = (await post('/identifyUser/person_attributes.__keys__', {})).json as {
      choices: Array<{ value: string }>
    }
    const values = keys.choices.map((choice) => choice.value)
    expect(values).toEqual(expect.arrayContaining(['name', 'job_title', 'nps']))
    expect(values).not.toContain('twitter_follower_count')
  })

  it("answers the picker's error, and 404 for a field that is not dynamic", async () => {
    const failed = (
      await post('/assertRecord/matching_attribute', { settings: { api_key: 'wrong-key-9999' } })
    ).json as { choices: unknown[]; error: { message: string } }
    expect(failed.choices).toEqual([])
    expect(failed.error.message).toBeTruthy()
    const missing = await post('/identifyUser/email_address', {})
    expect(missing.status).toBe(404)
  })
})

describe('GET /_local/records', () => {
  it("reads the emulator's records", async () => {
    await post('/identifyUser', { payload: identify('user-9', 'nine@example.com') })
    await post('/identifyUser', { payload: identify('user-10', 'ten@example.com') })
    type Records = {
      records: Record<string, Array<{ record_id: string; values: Record<string, string[]> }>>
      counts: Record<string, number>
    }
    const all = (await http(`${server().url}/_local/records`)).json as Records
    expect(all.records.people.map((person) => person.values.email_addresses)).toEqual([
      ['nine@example.com'],
      ['ten@example.com']
    ])
    expect(all.records.users[0].values.user_id).toEqual(['user-9'])
    expect(all.counts).toMatchObject({ people: 2, users: 2, companies: 0 })

    const id = all.records.users[1].record_id
    const some = (await http(`${server().url}/_local/records?ids=${id}`)).json as Records
    expect(some.records.users.map((user) => user.values.user_id)).toEqual([['user-10']])
    expect(some.records.people).toEqual([])
    expect(some.counts).toEqual(all.counts)
  })
})
