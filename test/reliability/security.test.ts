/**
 * Credentials stay secret: with marker tokens as the API key and the OAuth tokens, no error message,
 * stack, log line, batch answer, dynamic-field answer or captured exchange carries any of them, except
 * the Authorization header of the requests themselves, even when Attio (or the network) repeats the
 * token back in its error. And cached schemas and remembered writes never cross from one credential to
 * another.
 */
import nock from 'nock'
import {
  createTestEvent,
  createTestIntegration,
  type JSONObject,
  type SegmentEvent
} from '@segment/actions-core'
import destination from '../../src'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { API, ATTRIBUTES, mockSchema, recordBody, useNock } from '../helpers/attio-fixtures'
import { capturingLogger } from './corpus-harness'

useNock()

const MARKERS = {
  apiKey: 'secMARKERapikey0a1b2c3d4e',
  accessToken: 'secMARKERaccess5f6a7b8c9d',
  refreshToken: 'secMARKERrefresh0e1f2a3b'
}
const withApiKey = {
  settings: { api_key: MARKERS.apiKey } as Settings,
  auth: { accessToken: MARKERS.accessToken, refreshToken: MARKERS.refreshToken }
}
const oauthOnly = {
  settings: {} as Settings,
  auth: { accessToken: MARKERS.accessToken, refreshToken: MARKERS.refreshToken }
}
/** A text repeating the given secrets, as a careless server or proxy might. */
const echo = (secrets: readonly string[]) => `the token was ${secrets.map((s) => `Bearer ${s}`).join(' / ')}`
/** The secrets each set of credentials hands the destination. */
const secretsOf = (credentials: typeof withApiKey) =>
  [credentials.settings.api_key, credentials.auth.accessToken, credentials.auth.refreshToken].filter(
    (secret): secret is string => typeof secret === 'string'
  )

const identify = createTestEvent({ type: 'identify', userId: 'u-1', traits: { email: 'ada@example.com' } })

interface Captured {
  data?: unknown
  content?: unknown
  request: {
    method: string
    url: string
    headers: { forEach(fn: (value: string, key: string) => void): void }
  }
  options: { json?: unknown; body?: unknown }
}

interface Outputs {
  /** What the destination (and actions-core around it) said: messages, stacks, results, logs. */
  said: string[]
  /** The captured exchanges without the Authorization header: URLs, other headers, bodies sent. */
  sent: string[]
  /** The captured answers (Attio's bodies, which may repeat the token: not the destination's words). */
  answers: string[]
  authorizations: string[]
}

function outputs(error: unknown, results: unknown, logs: string[], responses: readonly unknown[]): Outputs {
  const said = [...logs, JSON.stringify(results ?? null)]
  if (error !== undefined) {
    said.push(String(error), (error as Error).stack ?? '')
    said.push(JSON.stringify(error, Object.getOwnPropertyNames(error)))
  }
  const sent: string[] = []
  const answers: string[] = []
  const authorizations: string[] = []
  for (const response of responses as Captured[]) {
    const headers: Record<string, string> = {}
    response.request.headers.forEach((value, key) => {
      if (key === 'authorization') authorizations.push(value)
      else headers[key] = value
    })
    sent.push(response.request.url, JSON.stringify(headers), JSON.stringify(response.options.json ?? null))
    answers.push(JSON.stringify(response.data ?? response.content ?? null))
  }
  return { said, sent, answers, authorizations }
}

const leaks = (texts: string[]) =>
  texts.filter((text) => Object.values(MARKERS).some((marker) => text.includes(marker)))

async function runAction(
  credentials: typeof withApiKey,
  path: 'single' | 'batch',
  mapping: JSONObject = {}
): Promise<Outputs & { error?: unknown }> {
  const integration = createTestIntegration(destination)
  const logs: string[] = []
  const input = { ...credentials, mapping, useDefaultMappings: true, logger: capturingLogger(logs) }
  let error: unknown
  let responses: readonly unknown[]
  try {
    responses =
      path === 'single'
        ? await integration.testAction('identifyUser', { ...input, event: identify })
        : await integration.testBatchAction('identifyUser', { ...input, events: [identify as SegmentEvent] })
  } catch (caught) {
    error = caught
    responses = integration.responses.splice(0)
  }
  return { ...outputs(error, integration.results, logs, responses), error }
}

const echoBody = (status: number, code: string, secrets: readonly string[]) => ({
  status_code: status,
  type: 'invalid_request_error',
  code,
  message: echo(secrets),
  validation_errors: [{ path: ['data', echo(secrets)], message: echo(secrets) }]
})

describe('credentials never leave the Authorization header', () => {
  describe.each([
    ['the API key', withApiKey, MARKERS.apiKey],
    ['the OAuth access token', oauthOnly, MARKERS.accessToken]
  ])('with %s', (_name, credentials, used) => {
    it.each([
      [400, 'validation_type'],
      [401, 'unauthorized'],
      [403, 'forbidden'],
      [404, 'not_found'],
      [409, 'uniqueness_conflict'],
      [429, 'rate_limit_exceeded'],
      [500, 'internal_server_error'],
      [503, 'service_unavailable']
    ])('a %i whose body repeats every token: single and batch path', async (status, code) => {
      for (const path of ['single', 'batch'] as const) {
        nock.cleanAll()
        mockSchema()
        nock(API)
          .persist()
          .put(/.*/)
          .reply(status, echoBody(status, code, secretsOf(credentials)), { 'retry-after': '0' })
        const run = await runAction(credentials, path)
        expect({ path, leaks: leaks(run.said) }).toEqual({ path, leaks: [] })
        expect({ path, leaks: leaks(run.sent) }).toEqual({ path, leaks: [] })
        // The error still carries Attio's code (redacted, not dropped).
        expect(run.said.join('\n')).toContain(code)
        expect(run.said.join('\n')).toContain('[redacted]')
        expect(new Set(run.authorizations)).toEqual(new Set([`Bearer ${used}`]))
      }
    })

    it('a connection error whose message repeats the token', async () => {
      for (const path of ['single', 'batch'] as const) {
        nock.cleanAll()
        mockSchema()
        // nock's replyWithError with an error object never settles under actions-core's fetch; a string does.
        nock(API)
          .persist()
          .put(/.*/)
          .replyWithError(`socket hang up (${echo(secretsOf(credentials))})`)
        const run = await runAction(credentials, path)
        expect({ path, leaks: leaks(run.said) }).toEqual({ path, leaks: [] })
        expect(run.said.join('\n')).toMatch(/Could not reach Attio/)
      }
    })

    it('a time-out', async () => {
      const previous = process.env.ATTIO_REQUEST_TIMEOUT_MS
      process.env.ATTIO_REQUEST_TIMEOUT_MS = '200'
      try {
        mockSchema()
        nock(API).persist().put(/.*/).delay(1000).reply(200, recordBody('people'))
        const run = await runAction(credentials, 'single')
        expect(leaks(run.said)).toEqual([])
        expect(run.said.join('\n')).toMatch(/did not answer in time/)
      } finally {
        if (previous === undefined) delete process.env.ATTIO_REQUEST_TIMEOUT_MS
        else process.env.ATTIO_REQUEST_TIMEOUT_MS = previous
      }
    })

    it('a success: nothing but the Authorization header carries the token, on either path', async () => {
      mockSchema()
      nock(API)
        .persist()
        .put(/\/v2\/objects\/\w+\/records/)
        .query(true)
        .reply(200, recordBody('people'))
      nock(API).persist().put('/v2/batch/records').reply(202)
      for (const path of ['single', 'batch'] as const) {
        const run = await runAction(credentials, path, { user_attributes: { plan: 'Pro' } })
        expect(run.error).toBeUndefined()
        expect(leaks([...run.said, ...run.sent, ...run.answers])).toEqual([])
        expect(run.authorizations.length).toBeGreaterThan(0)
        expect(new Set(run.authorizations)).toEqual(new Set([`Bearer ${used}`]))
      }
    })

    it('a refused input, and the schema read that failed with the token in its body', async () => {
      nock(API)
        .persist()
        .get(/\/v2\/objects\/\w+\/attributes/)
        .query(true)
        .reply(500, echoBody(500, 'internal_server_error', secretsOf(credentials)))
      const failedRead = await runAction(credentials, 'single')
      expect(leaks(failedRead.said)).toEqual([])
      nock.cleanAll()
      mockSchema()
      const refused = await runAction(credentials, 'single', { person_attributes: { nps: 9 } })
      expect(String(refused.error)).toMatch(/person_attributes\.nps/)
      expect(leaks([...refused.said, ...refused.sent])).toEqual([])
    })
  })

  it('the connection test (testAuthentication) repeats no token when Attio does', async () => {
    nock(API)
      .get('/v2/self')
      .reply(401, echoBody(401, 'unauthorized', [MARKERS.apiKey]))
    const error = await createTestIntegration(destination)
      .testAuthentication({ api_key: MARKERS.apiKey })
      .then(
        () => undefined,
        (caught: unknown) => caught
      )
    expect(error).toBeDefined()
    expect(leaks([String(error), JSON.stringify(error, Object.getOwnPropertyNames(error))])).toEqual([])
  })

  it('a token Attio repeats percent-encoded (as in a query string) is redacted too: single and batch path', async () => {
    // A key with characters that percent-encoding changes: a plain-text match alone would miss the encoded form.
    const apiKey = 'sec+MARKER/encoded=key0a1b2c'
    const encoded = encodeURIComponent(apiKey)
    expect(encoded).not.toBe(apiKey)
    const credentials = { settings: { api_key: apiKey } as Settings, auth: {} }
    for (const path of ['single', 'batch'] as const) {
      nock.cleanAll()
      mockSchema()
      nock(API)
        .persist()
        .put(/.*/)
        .reply(400, {
          status_code: 400,
          type: 'invalid_request_error',
          code: 'validation_type',
          message: `the request /v2/objects?token=${encoded} and ${apiKey} was refused`
        })
      const run = await runAction(credentials as typeof withApiKey, path)
      const said = run.said.join('\n')
      expect({ path, encoded: said.includes(encoded), plain: said.includes(apiKey) }).toEqual({
        path,
        encoded: false,
        plain: false
      })
      expect(said).toContain('token=[redacted]')
    }
  })

  it('the mapping pickers (dynamic fields) repeat no token when Attio does', async () => {
    nock(API)
      .persist()
      .get(/.*/)
      .query(true)
      .reply(500, echoBody(500, 'internal_server_error', secretsOf(withApiKey)))
    const integration = createTestIntegration(destination)
    const data = { settings: withApiKey.settings, auth: withApiKey.auth, payload: {} }
    const answers = [
      await integration.testDynamicField('assertRecord', 'object', data),
      await integration.testDynamicField('assertRecord', 'matching_attribute', {
        ...data,
        payload: { object: 'people' }
      })
    ]
    expect(JSON.stringify(answers)).toMatch(/error/i)
    expect(leaks([JSON.stringify(answers)])).toEqual([])
  })
})

describe('cached schemas are isolated per credential', () => {
  it('an attribute one workspace has is not assumed in another, and back', async () => {
    const withPlan = ATTRIBUTES.users
    const withoutPlan = ATTRIBUTES.users.filter((a) => a.api_slug !== 'plan')
    const reads: string[] = []
    for (const [key, list] of [
      ['key-A', withPlan],
      ['key-B', withoutPlan]
    ] as const) {
      nock(API, { reqheaders: { authorization: `Bearer ${key}` } })
        .persist()
        .get('/v2/objects/users/attributes')
        .query(true)
        .reply(200, () => {
          reads.push(key)
          return { data: list }
        })
    }
    mockSchema(['people'])
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('users'))
    const integration = createTestIntegration(destination)
    const send = (key: string) =>
      integration.testAction('identifyUser', {
        event: identify,
        settings: { api_key: key },
        mapping: { user_attributes: { plan: 'Pro' } },
        useDefaultMappings: true
      })
    await send('key-A')
    await expect(send('key-B')).rejects.toThrow(/has no attribute "plan"/)
    await send('key-A')
    await expect(send('key-B')).rejects.toThrow(/has no attribute "plan"/)
    // A once (cached after), B once plus its one refresh on the unknown slug (then known unknown).
    expect(reads).toEqual(['key-A', 'key-B', 'key-B'])
  })
})

describe('write fingerprints are isolated per credential (redundant-write suppression)', () => {
  const PERSON = '11111111-1111-4111-8111-111111111111'
  const USER = '22222222-2222-4222-8222-222222222222'

  function mockWrites(seen: string[]) {
    nock(API)
      .persist()
      .put(/\/v2\/objects\/(people|users)\/records/)
      .query(true)
      .reply(function (uri) {
        seen.push(`${String(this.req.headers.authorization)} ${uri.split('?')[0]}`)
        return [
          200,
          recordBody(uri.includes('/people/') ? 'people' : 'users', uri.includes('/people/') ? PERSON : USER)
        ]
      })
  }

  it('the same record written with another credential is sent, not skipped as unchanged', async () => {
    mockSchema()
    const seen: string[] = []
    mockWrites(seen)
    const integration = createTestIntegration(destination)
    const send = (key: string) =>
      integration.testAction('identifyUser', {
        event: identify,
        settings: { api_key: key },
        useDefaultMappings: true
      })
    await send('key-A')
    await send('key-A') // suppressed: key A's memory says Attio holds it
    await send('key-B') // another workspace: must be written
    expect(seen).toEqual([
      'Bearer key-A /v2/objects/people/records',
      'Bearer key-A /v2/objects/users/records',
      'Bearer key-B /v2/objects/people/records',
      'Bearer key-B /v2/objects/users/records'
    ])
  })

  it("a user found by one credential's lookup is not linked by id for another", async () => {
    mockSchema()
    const lookups: string[] = []
    nock(API)
      .persist()
      .post('/v2/objects/users/records/query')
      .reply(function () {
        const key = String(this.req.headers.authorization)
        lookups.push(key)
        // Workspace A has the user; workspace B does not.
        return [200, { data: key === 'Bearer key-A' ? [recordBody('users', USER).data] : [] }]
      })
    nock(API).persist().put(/.*/).query(true).reply(200, recordBody('workspaces'))
    nock(API).persist().patch(/.*/).reply(200, recordBody('workspaces'))
    const integration = createTestIntegration(destination)
    const group = (key: string) =>
      integration.testAction('groupWorkspace', {
        event: createTestEvent({
          type: 'group',
          groupId: 'ws-1',
          userId: 'u-1',
          traits: { website: 'acme.com' }
        }),
        settings: { api_key: key },
        useDefaultMappings: true
      })
    await group('key-A')
    await expect(group('key-B')).rejects.toThrow(/Attio has no User with user_id "u-1"/)
    expect(lookups).toEqual(['Bearer key-A', 'Bearer key-B'])
  })
})
