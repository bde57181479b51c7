/**
 * Attio responses for nock tests, in the shapes of Attio's OpenAPI document: the standard objects'
 * attributes (from Attio's "Writable attributes" tables) and a few custom ones.
 */
import { randomUUID } from 'node:crypto'
import nock from 'nock'
import { clearSchemaCache, clearWriteMemory } from '../../src/api'

export const API = 'https://api.attio.com'
export const WORKSPACE_ID = '14beef7a-99f7-4534-a87e-70b564330a4c'

export const OBJECT_IDS: Record<string, string> = {
  people: '0b0e7b2c-0000-4000-8000-000000000001',
  companies: '0b0e7b2c-0000-4000-8000-000000000002',
  users: '0b0e7b2c-0000-4000-8000-000000000003',
  workspaces: '0b0e7b2c-0000-4000-8000-000000000004',
  deals: '0b0e7b2c-0000-4000-8000-000000000005'
}

interface AttributeSpec {
  slug: string
  type: string
  title?: string
  unique?: boolean
  multiselect?: boolean
  required?: boolean
  writable?: boolean
  archived?: boolean
  allowed?: string[]
}

let counter = 0
export function attribute(object: string, spec: AttributeSpec): Record<string, unknown> {
  counter += 1
  return {
    id: {
      workspace_id: WORKSPACE_ID,
      object_id: OBJECT_IDS[object] ?? randomUUID(),
      attribute_id: `aaaaaaaa-0000-4000-8000-${String(counter).padStart(12, '0')}`
    },
    title: spec.title ?? spec.slug.replace(/_/g, ' '),
    description: null,
    api_slug: spec.slug,
    type: spec.type,
    is_system_attribute: true,
    is_writable: spec.writable ?? true,
    is_required: spec.required ?? false,
    is_unique: spec.unique ?? false,
    is_multiselect: spec.multiselect ?? false,
    is_default_value_enabled: false,
    is_archived: spec.archived ?? false,
    default_value: null,
    relationship: null,
    created_at: '2024-01-01T00:00:00.000000000Z',
    config: {
      currency: { default_currency_code: null, display_type: null },
      record_reference: { allowed_object_ids: spec.allowed ? spec.allowed.map((o) => OBJECT_IDS[o]) : null }
    }
  }
}

const system = (object: string) => [
  attribute(object, { slug: 'record_id', type: 'text', writable: false, unique: true }),
  attribute(object, { slug: 'created_at', type: 'timestamp', writable: false }),
  attribute(object, { slug: 'created_by', type: 'actor-reference', writable: false })
]

export const ATTRIBUTES: Record<string, Array<Record<string, unknown>>> = {
  people: [
    ...system('people'),
    attribute('people', { slug: 'email_addresses', type: 'email-address', unique: true, multiselect: true }),
    attribute('people', { slug: 'name', type: 'personal-name', title: 'Name' }),
    attribute('people', { slug: 'company', type: 'record-reference', allowed: ['companies'] }),
    attribute('people', { slug: 'description', type: 'text' }),
    attribute('people', { slug: 'job_title', type: 'text' }),
    attribute('people', { slug: 'phone_numbers', type: 'phone-number', multiselect: true }),
    attribute('people', { slug: 'primary_location', type: 'location' }),
    attribute('people', { slug: 'twitter', type: 'text', title: 'Twitter' }),
    attribute('people', { slug: 'linkedin', type: 'text' }),
    attribute('people', {
      slug: 'associated_users',
      type: 'record-reference',
      multiselect: true,
      allowed: ['users']
    }),
    attribute('people', { slug: 'twitter_follower_count', type: 'number', writable: false }),
    attribute('people', { slug: 'last_email_interaction', type: 'interaction', writable: false }),
    attribute('people', { slug: 'nps', type: 'rating' }),
    attribute('people', { slug: 'old_score', type: 'number', archived: true })
  ],
  companies: [
    ...system('companies'),
    attribute('companies', { slug: 'domains', type: 'domain', unique: true, multiselect: true }),
    attribute('companies', { slug: 'name', type: 'text' }),
    attribute('companies', { slug: 'description', type: 'text' }),
    attribute('companies', {
      slug: 'team',
      type: 'record-reference',
      multiselect: true,
      allowed: ['people']
    }),
    attribute('companies', { slug: 'categories', type: 'select', multiselect: true }),
    attribute('companies', { slug: 'twitter', type: 'text' }),
    attribute('companies', {
      slug: 'associated_workspaces',
      type: 'record-reference',
      multiselect: true,
      allowed: ['workspaces']
    })
  ],
  users: [
    ...system('users'),
    attribute('users', { slug: 'person', type: 'record-reference', allowed: ['people'] }),
    attribute('users', {
      slug: 'primary_email_address',
      type: 'email-address',
      unique: true,
      required: true
    }),
    attribute('users', { slug: 'user_id', type: 'text', unique: true, required: true }),
    attribute('users', {
      slug: 'workspace',
      type: 'record-reference',
      multiselect: true,
      allowed: ['workspaces']
    }),
    attribute('users', { slug: 'plan', type: 'select' }),
    attribute('users', { slug: 'seats', type: 'number' })
  ],
  workspaces: [
    ...system('workspaces'),
    attribute('workspaces', { slug: 'workspace_id', type: 'text', unique: true, required: true }),
    attribute('workspaces', { slug: 'name', type: 'text' }),
    attribute('workspaces', {
      slug: 'users',
      type: 'record-reference',
      multiselect: true,
      allowed: ['users']
    }),
    attribute('workspaces', { slug: 'company', type: 'record-reference', allowed: ['companies'] }),
    attribute('workspaces', { slug: 'avatar_url', type: 'text' })
  ],
  deals: [
    ...system('deals'),
    attribute('deals', { slug: 'name', type: 'text', required: true }),
    attribute('deals', { slug: 'stage', type: 'status', required: true }),
    attribute('deals', { slug: 'owner', type: 'actor-reference', required: true }),
    attribute('deals', { slug: 'value', type: 'currency' })
  ]
}

export const OBJECTS = Object.entries(OBJECT_IDS).map(([slug, id]) => ({
  id: { workspace_id: WORKSPACE_ID, object_id: id },
  api_slug: slug,
  singular_noun: {
    people: 'Person',
    companies: 'Company',
    users: 'User',
    workspaces: 'Workspace',
    deals: 'Deal'
  }[slug],
  plural_noun: {
    people: 'People',
    companies: 'Companies',
    users: 'Users',
    workspaces: 'Workspaces',
    deals: 'Deals'
  }[slug],
  created_at: '2024-01-01T00:00:00.000000000Z'
}))

export const OPTIONS: Record<string, string[]> = {
  'users/plan': ['Free', 'Pro', 'Enterprise'],
  'companies/categories': ['SaaS', 'B2B', 'Fintech'],
  'deals/stage': ['Lead', 'In Progress', 'Won 🎉', 'Lost']
}

/** A record response (`data` of an assert, update or get). */
export function recordBody(object: string, recordId: string = randomUUID()) {
  return {
    data: {
      id: { workspace_id: WORKSPACE_ID, object_id: OBJECT_IDS[object], record_id: recordId },
      created_at: '2024-01-01T00:00:00.000000000Z',
      web_url: `https://app.attio.com/acme/${object}/${recordId}`,
      values: {}
    }
  }
}

export function errorBody(status: number, code: string, message: string, type = 'invalid_request_error') {
  return { status_code: status, type, code, message }
}

/** Answers the schema reads (objects, attributes, options) for the given objects, any number of times. */
export function mockSchema(objects: string[] = Object.keys(ATTRIBUTES)): nock.Scope {
  const scope = nock(API).persist()
  scope.get('/v2/objects').reply(200, { data: OBJECTS })
  for (const object of objects) {
    scope.get(`/v2/objects/${object}/attributes`).query(true).reply(200, { data: ATTRIBUTES[object] })
  }
  for (const [key, titles] of Object.entries(OPTIONS)) {
    const [object, slug] = key.split('/')
    const kind = slug === 'stage' ? 'statuses' : 'options'
    scope
      .get(`/v2/objects/${object}/attributes/${slug}/${kind}`)
      .query(true)
      .reply(200, {
        data: titles.map((title, i) => ({
          id: {
            workspace_id: WORKSPACE_ID,
            object_id: OBJECT_IDS[object],
            attribute_id: 'x',
            [kind === 'statuses' ? 'status_id' : 'option_id']: `opt-${i}`
          },
          title,
          is_archived: false
        }))
      })
  }
  return scope
}

/** A request the destination made, read from the test integration's captured responses. */
export interface SeenRequest {
  method: string
  /** Path and query, decoded. */
  path: string
  status: number
  body: unknown
  authorization: string | null
}

interface CapturedResponse {
  status: number
  request: { method: string; url: string; headers: { get(name: string): string | null } }
  options: { json?: unknown }
}

/** The requests in the order they were sent. */
export function requestsOf(responses: readonly unknown[]): SeenRequest[] {
  return (responses as CapturedResponse[]).map((response) => {
    const url = new URL(response.request.url)
    return {
      method: response.request.method,
      path: decodeURIComponent(url.pathname + url.search),
      status: response.status,
      body: response.options.json,
      authorization: response.request.headers.get('authorization')
    }
  })
}

/** `METHOD path` of each request, for order assertions. */
export const linesOf = (responses: readonly unknown[]) =>
  requestsOf(responses).map((r) => `${r.method} ${r.path}`)

/** The writes among the requests (everything but GETs and record queries). */
export const writesOf = (responses: readonly unknown[]) =>
  requestsOf(responses).filter((r) => r.method !== 'GET' && !r.path.includes('/records/query'))

/**
 * Runs a test action and returns the responses it produced whether it succeeded or threw (the test
 * integration returns them on success and keeps them on failure).
 */
export async function capture<T extends { responses: readonly unknown[] }>(
  integration: T,
  run: (integration: T) => Promise<readonly unknown[]>
): Promise<{ responses: readonly unknown[]; error?: Error }> {
  try {
    return { responses: await run(integration) }
  } catch (error) {
    return { responses: (integration.responses as unknown[]).splice(0), error: error as Error }
  }
}

/**
 * Registers the nock hooks every nock test file needs: no real network, a clean slate, an empty
 * schema cache and write memory per test, and nock's interceptor removed after the file (Jest runs several files in one
 * process, and an interceptor left behind by an earlier file makes unmatched requests hang).
 */
export function useNock(): void {
  beforeEach(() => {
    nock.cleanAll()
    nock.disableNetConnect()
    clearSchemaCache()
    clearWriteMemory()
  })
  afterAll(() => {
    nock.enableNetConnect()
    nock.restore()
  })
}
