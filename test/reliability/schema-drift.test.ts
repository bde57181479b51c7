/**
 * Schema drift (issue 13, section 3): options and attributes created in Attio after the destination cached the
 * workspace's schema are accepted after one refresh (at most one refresh a list per interval, so a stream of bad
 * values causes no refresh storm), and objects that are not activated are named as such, with where to activate
 * them.
 */
import { createTestIntegration, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { SCHEMA_REFRESH_INTERVAL_MS } from '../../src/api/schema'
import { useEmulator } from '../helpers/emulator'

const identify = (traits: JSONObject, userId = 'u-1') =>
  ({
    type: 'identify',
    userId,
    traits: { email: `${userId}@example.com`, ...traits }
  }) as unknown as SegmentEvent

const mapping = {
  user_attributes: {
    plan: { '@path': '$.traits.plan' },
    tier: { '@path': '$.traits.tier' },
    level: { '@path': '$.traits.level' }
  }
}

/** Moves Date.now on by `ms` for the rest of the test. */
function later(ms: number): void {
  const now = Date.now()
  jest.spyOn(Date, 'now').mockReturnValue(now + ms)
}
afterEach(() => jest.restoreAllMocks())

async function outcome(run: Promise<unknown>): Promise<string> {
  return run.then(
    () => 'delivered',
    (error: Error) => error.message
  )
}

describe('options and attributes created in Attio after the schema was cached', () => {
  const ctx = useEmulator()
  async function attio(method: string, path: string, body: unknown): Promise<number> {
    const response = await fetch(`${ctx.emulator.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ctx.emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    await response.text()
    return response.status
  }
  const send = (event: SegmentEvent) =>
    outcome(
      createTestIntegration(destination).testAction('identifyUser', {
        event,
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping
      })
    )
  const reads = (route: string) => ctx.emulator.stats().requests[`GET ${route}`] ?? 0

  it('a select option created after the options were cached is accepted after one refresh', async () => {
    expect(await send(identify({ plan: 'Pro' }))).toBe('delivered')
    expect(
      await attio('POST', '/v2/objects/users/attributes/plan/options', { data: { title: 'Team' } })
    ).toBe(200)
    expect(await send(identify({ plan: 'Team' }))).toBe('delivered')
  })

  it('an attribute created after an event named it unknown is accepted once the refresh interval has passed', async () => {
    expect(await send(identify({ tier: 'gold' }))).toMatch(/has no attribute "tier"/)
    expect(
      await attio('POST', '/v2/objects/users/attributes', {
        data: {
          title: 'Tier',
          description: null,
          api_slug: 'tier',
          type: 'text',
          is_required: false,
          is_unique: false,
          is_multiselect: false,
          config: {}
        }
      })
    ).toBe(200)
    later(SCHEMA_REFRESH_INTERVAL_MS + 1000)
    expect(await send(identify({ tier: 'gold' }))).toBe('delivered')
  })

  it('a stream of unknown options and attributes refreshes each list at most once an interval', async () => {
    expect(await send(identify({ plan: 'Pro' }))).toBe('delivered')
    const options = reads('/v2/objects/{object}/attributes/{attribute}/options')
    const attributes = reads('/v2/objects/{object}/attributes')
    for (let i = 0; i < 20; i++) {
      expect(await send(identify({ plan: `Platinum ${i}` }, `u-${i}`))).toMatch(/is not one of the options/)
      expect(await send(identify({ nonsense: 1 }, `u-${i}`))).toBe('delivered')
    }
    for (let i = 0; i < 20; i++)
      expect(await send(identify({ level: 'x' }, `v-${i}`))).toMatch(/has no attribute "level"/)
    expect(reads('/v2/objects/{object}/attributes/{attribute}/options') - options).toBeLessThanOrEqual(1)
    expect(reads('/v2/objects/{object}/attributes') - attributes).toBeLessThanOrEqual(1)
  })
})

describe('objects that are not activated', () => {
  const ctx = useEmulator({ objects: { users: false } })

  it('Group Workspace with a user to link, Users not activated: says so and where to activate it', async () => {
    const message = await outcome(
      createTestIntegration(destination).testAction('groupWorkspace', {
        event: {
          type: 'group',
          groupId: 'ws-1',
          userId: 'u-1',
          traits: { website: 'acme.com' }
        } as unknown as SegmentEvent,
        settings: ctx.settings,
        useDefaultMappings: true
      })
    )
    expect(message).toMatch(/^user_id: Attio's Users object is not activated in this workspace/)
    expect(message).toMatch(/Settings > Data > Objects/)
    expect(message).not.toMatch(/has no attribute/)
  })

  it('Identify User, Users not activated: says so and where to activate it', async () => {
    const message = await outcome(
      createTestIntegration(destination).testAction('identifyUser', {
        event: identify({}),
        settings: ctx.settings,
        useDefaultMappings: true
      })
    )
    expect(message).toMatch(/^Attio's Users object is not activated in this workspace/)
    expect(message).toMatch(/Settings > Data > Objects/)
  })
})

describe('Workspaces not activated', () => {
  const ctx = useEmulator({ objects: { workspaces: false } })

  it('Group Workspace says the Workspaces object is not activated and where to activate it', async () => {
    const message = await outcome(
      createTestIntegration(destination).testAction('groupWorkspace', {
        event: { type: 'group', groupId: 'ws-1', traits: { website: 'acme.com' } } as unknown as SegmentEvent,
        settings: ctx.settings,
        useDefaultMappings: true
      })
    )
    expect(message).toMatch(/^Attio's Workspaces object is not activated in this workspace/)
    expect(message).toMatch(/Settings > Data > Objects/)
  })
})
