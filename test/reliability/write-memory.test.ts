/**
 * The write memory (redundant-write suppression, remembered record ids, users sent in bulk) must never make
 * Attio wrong (issue 13, section 2): it is keyed by record, it forgets records whose writes overlapped, it
 * notices records deleted in Attio, it never has Group Workspace re-create a deleted User, and it is bounded by
 * bytes. Each case runs against the emulator (what Attio holds) unless it needs answers in a given order.
 */
import { createTestIntegration, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { BULK_APPLY_WINDOW_MS, CONFIRM_MS } from '../../src/api/suppression'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'

const ctx = useEmulator()

/** A call to the emulator's API with its own (all-scopes) key, as a person working in Attio would make. */
async function attio(
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; data: JSONObject }> {
  const response = await fetch(`${ctx.emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.emulator.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  return { status: response.status, data: text ? (JSON.parse(text) as { data: JSONObject }).data : {} }
}

const deleteRecord = async (object: string, recordId: string) =>
  expect((await attio('DELETE', `/v2/objects/${object}/records/${recordId}`)).status).toBe(200)

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString()

const identify = (userId: string, email: string, traits: JSONObject = {}, second = 0) =>
  ({
    type: 'identify',
    userId,
    receivedAt: at(second),
    traits: { email, ...traits }
  }) as unknown as SegmentEvent

const group = (workspace: string, userId: string | null, traits: JSONObject = {}, second = 0) =>
  ({
    type: 'group',
    groupId: workspace,
    userId,
    receivedAt: at(second),
    traits: { website: 'acme.com', ...traits }
  }) as unknown as SegmentEvent

const mappings = {
  identifyUser: { user_attributes: { plan: { '@path': '$.traits.plan' } } },
  groupWorkspace: { company_attributes: { name: { '@path': '$.traits.company_name' } } }
}

/** One event through perform, the way a host delivers it. */
function sendSingle(action: keyof typeof mappings, event: SegmentEvent) {
  return createTestIntegration(destination).testAction(action, {
    event,
    settings: ctx.settings,
    useDefaultMappings: true,
    mapping: mappings[action]
  })
}
const sendIdentify = (event: SegmentEvent) => sendSingle('identifyUser', event)
const sendGroup = (event: SegmentEvent) => sendSingle('groupWorkspace', event)

async function sendBatch(action: keyof typeof mappings, events: SegmentEvent[]) {
  const integration = createTestIntegration(destination)
  await integration.testBatchAction(action, {
    events,
    settings: ctx.settings,
    useDefaultMappings: true,
    mapping: mappings[action]
  })
  return (
    integration.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
  ).multistatus
}

const byValue = (object: string, attribute: string, property: string, value: string) =>
  recordsOf(ctx.emulator, object).find((record) => valuesOf(record, attribute, property).includes(value))

const planOf = (userId: string) =>
  (
    valuesOf(byValue('users', 'user_id', 'value', userId), 'plan', 'option')[0] as
      { title?: string } | undefined
  )?.title

/** Moves Date.now on by `ms` for the rest of the test. */
function later(ms: number): void {
  const now = Date.now()
  jest.spyOn(Date, 'now').mockReturnValue(now + ms)
}
afterEach(() => jest.restoreAllMocks())

describe('keyed by record, not by one matching value', () => {
  it('a Company with two domains: a name written through one domain after the other is sent, not skipped', async () => {
    await attio('PUT', '/v2/objects/companies/records?matching_attribute=domains', {
      data: { values: { domains: ['acme.com', 'acme.io'] } }
    })
    await sendGroup(group('ws-1', null, { website: 'acme.com', company_name: 'Acme' }))
    await sendGroup(group('ws-1', null, { website: 'acme.io', company_name: 'Acme Inc' }))
    await sendGroup(group('ws-1', null, { website: 'acme.com', company_name: 'Acme' }))
    const companies = recordsOf(ctx.emulator, 'companies')
    expect(companies).toHaveLength(1)
    expect(valuesOf(companies[0], 'name', 'value')).toEqual(['Acme'])
  })

  it('a User written by user_id and then by its unique primary_email_address: the next write by user_id is sent', async () => {
    await sendIdentify(identify('u-1', 'ada@example.com', { plan: 'Pro' }))
    await createTestIntegration(destination).testAction('assertRecord', {
      event: identify('u-1', 'ada@example.com'),
      settings: ctx.settings,
      mapping: {
        object: 'users',
        matching_attribute: 'primary_email_address',
        attributes: { primary_email_address: 'ada@example.com', user_id: 'u-1', plan: 'Enterprise' }
      }
    })
    expect(planOf('u-1')).toBe('Enterprise')
    await sendIdentify(identify('u-1', 'ada@example.com', { plan: 'Pro' }))
    expect(planOf('u-1')).toBe('Pro')
  })
})

describe('records deleted in Attio', () => {
  it('an identical event after the confirmation window re-creates a record deleted in Attio', async () => {
    await sendIdentify(identify('u-1', 'ada@example.com', { plan: 'Pro' }))
    const user = byValue('users', 'user_id', 'value', 'u-1')
    await deleteRecord('users', user?.record_id as string)
    later(CONFIRM_MS + 1000)
    await sendIdentify(identify('u-1', 'ada@example.com', { plan: 'Pro' }))
    expect(planOf('u-1')).toBe('Pro')
  })

  it('a link to a remembered User that Attio deleted is looked up again: a 404 naming user_id, then linked once it exists again', async () => {
    await sendIdentify(identify('u-1', 'ada@example.com'))
    await deleteRecord('users', byValue('users', 'user_id', 'value', 'u-1')?.record_id as string)
    const failure = await sendGroup(group('ws-2', 'u-1')).then(
      () => undefined,
      (error: { status?: number; message: string }) => error
    )
    expect(failure?.status).toBe(404)
    expect(failure?.message).toMatch(/^user_id: Attio has no User with user_id "u-1"/)
    // The same identify as before is sent (the failed link made the process forget the User), and re-creates it.
    await sendIdentify(identify('u-1', 'ada@example.com'))
    const again = byValue('users', 'user_id', 'value', 'u-1')
    expect(again).toBeDefined()
    await sendGroup(group('ws-2', 'u-1'))
    const workspace = byValue('workspaces', 'workspace_id', 'value', 'ws-2')
    expect(valuesOf(workspace, 'users', 'target_record_id')).toEqual([again?.record_id])
  })

  it('a Person remembered as unchanged but deleted in Attio: the User is written with the Person re-created', async () => {
    await sendIdentify(identify('u-1', 'ada@example.com', { plan: 'Pro' }))
    await deleteRecord(
      'people',
      byValue('people', 'email_addresses', 'email_address', 'ada@example.com')?.record_id as string
    )
    await sendIdentify(identify('u-1', 'ada@example.com', { plan: 'Enterprise' }))
    const person = byValue('people', 'email_addresses', 'email_address', 'ada@example.com')
    expect(person).toBeDefined()
    const user = byValue('users', 'user_id', 'value', 'u-1')
    expect(planOf('u-1')).toBe('Enterprise')
    expect(valuesOf(user, 'person', 'target_record_id')).toEqual([person?.record_id])
  })
})

describe('no resurrection: Group Workspace never re-creates a User deleted in Attio', () => {
  it('on the single path: a User a batch sent and Attio deleted is not asserted; retryable within the apply window, 404 after', async () => {
    await sendBatch('identifyUser', [identify('u-1', 'ada@example.com')])
    await ctx.emulator.settle()
    await deleteRecord('users', byValue('users', 'user_id', 'value', 'u-1')?.record_id as string)
    const within = await sendGroup(group('ws-1', 'u-1')).then(
      () => undefined,
      (error: { status?: number; message: string }) => error
    )
    expect(recordsOf(ctx.emulator, 'users')).toEqual([])
    expect(within?.status).toBe(503)
    expect(within?.message).toMatch(/^user_id: .*may not have applied yet/)
    later(BULK_APPLY_WINDOW_MS + 1000)
    const after = await sendGroup(group('ws-1', 'u-1', {}, 1)).then(
      () => undefined,
      (error: { status?: number; message: string }) => error
    )
    expect(recordsOf(ctx.emulator, 'users')).toEqual([])
    expect(after?.status).toBe(404)
  })

  it('in a batch: a User sent more than the re-assert window ago is looked up, and a deleted one is not re-created', async () => {
    await sendBatch('identifyUser', [identify('u-1', 'ada@example.com')])
    await ctx.emulator.settle()
    await deleteRecord('users', byValue('users', 'user_id', 'value', 'u-1')?.record_id as string)
    later(BULK_APPLY_WINDOW_MS + 1000)
    const [outcome] = await sendBatch('groupWorkspace', [group('ws-1', 'u-1')])
    await ctx.emulator.settle()
    expect(recordsOf(ctx.emulator, 'users')).toEqual([])
    expect(outcome.status).toBe(404)
    expect(outcome.errormessage).toMatch(/^user_id: Attio has no User with user_id "u-1"/)
  })
})
