/**
 * Snapshots of the exact requests each action sends Attio (method, path with query, JSON body, in order),
 * with its required fields only and with every field, on the single path (perform) and the batch path
 * (performBatch), against the local emulator (emptied, with cold caches, before each case). Any change in
 * what is sent shows as a diff here: review it, then update with `npm test -- test/snapshots -u`.
 * Record ids and timestamps the emulator makes up are replaced by placeholders in order of appearance.
 */
import {
  createTestEvent,
  createTestIntegration,
  type JSONObject,
  type SegmentEvent
} from '@segment/actions-core'
import destination from '../../src'
import { requestsOf } from '../helpers/attio-fixtures'
import { useEmulator } from '../helpers/emulator'

const ctx = useEmulator()

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g

/** The requests as lines and bodies, with generated ids and times numbered in order of appearance. */
function normalised(responses: readonly unknown[]): string[] {
  const ids = new Map<string, string>()
  const text = requestsOf(responses)
    .map((r) => `${r.method} ${r.path}${r.body === undefined ? '' : `\n${JSON.stringify(r.body, null, 2)}`}`)
    .join('\n')
    .replace(UUID, (id) => {
      if (!ids.has(id)) ids.set(id, `<id-${ids.size + 1}>`)
      return ids.get(id) as string
    })
    .replace(TIMESTAMP, '<timestamp>')
  return text.split('\n')
}

const timestamp = '2026-11-30T10:00:00.000Z'
const identify = (n: number): SegmentEvent =>
  createTestEvent({
    type: 'identify',
    userId: `user-${n}`,
    timestamp,
    receivedAt: timestamp,
    traits: { email: `Ada${n}@Example.com`, name: `Ada ${n}`, title: 'CTO', plan: 'Pro' }
  })
const group = (n: number): SegmentEvent =>
  createTestEvent({
    type: 'group',
    userId: `user-${n}`,
    groupId: `ws-${n}`,
    timestamp,
    receivedAt: timestamp,
    traits: { website: `https://www.acme${n}.com`, name: `Acme ${n}`, plan: 'Enterprise' }
  })

interface Case {
  action: string
  events: (n: number) => SegmentEvent
  /** The required fields only (the defaults of the optional ones left out). */
  required: JSONObject
  /** Every field set. */
  all: JSONObject
  /** Users to create first (through another integration, so not in the snapshot): links need them. */
  usersFirst?: boolean
}

async function createUsers(count: number): Promise<void> {
  const integration = createTestIntegration(destination)
  for (let n = 1; n <= count; n++)
    await integration.testAction('identifyUser', {
      event: identify(n),
      settings: ctx.settings,
      useDefaultMappings: true
    })
}

/** The requests of one batch of `events` (each of which must succeed), normalised for a snapshot. */
async function batchRequests(action: string, events: SegmentEvent[], mapping: JSONObject): Promise<string[]> {
  const integration = createTestIntegration(destination)
  const responses = await integration.testBatchAction(action, { events, settings: ctx.settings, mapping })
  const statuses = (integration.results.at(-1) as unknown as { multistatus?: Array<{ status: number }> })
    .multistatus
  expect(statuses?.map((m) => m.status < 300)).toEqual(events.map(() => true))
  return normalised(responses)
}

const CASES: Case[] = [
  {
    action: 'identifyUser',
    events: identify,
    required: { email_address: { '@path': '$.traits.email' }, user_id: { '@path': '$.userId' } },
    all: {
      email_address: { '@path': '$.traits.email' },
      user_id: { '@path': '$.userId' },
      person_attributes: { job_title: { '@path': '$.traits.title' } },
      user_attributes: { plan: { '@path': '$.traits.plan' } },
      multiselect_mode: 'append',
      enable_batching: true,
      batch_size: 100,
      received_at: { '@path': '$.receivedAt' }
    }
  },
  {
    action: 'groupWorkspace',
    events: group,
    required: { domain: { '@path': '$.traits.website' }, workspace_id: { '@path': '$.groupId' } },
    all: {
      domain: { '@path': '$.traits.website' },
      workspace_id: { '@path': '$.groupId' },
      user_id: { '@path': '$.userId' },
      company_attributes: { name: { '@path': '$.traits.name' } },
      workspace_attributes: { plan: { '@path': '$.traits.plan' } },
      multiselect_mode: 'append',
      enable_batching: true,
      batch_size: 100,
      received_at: { '@path': '$.receivedAt' }
    },
    usersFirst: true
  },
  {
    action: 'assertRecord',
    events: identify,
    required: {
      object: 'people',
      matching_attribute: 'email_addresses',
      attributes: { email_addresses: { '@path': '$.traits.email' } }
    },
    all: {
      object: 'people',
      matching_attribute: 'email_addresses',
      attributes: {
        email_addresses: { '@path': '$.traits.email' },
        job_title: { '@path': '$.traits.title' }
      },
      multiselect_mode: 'append',
      enable_batching: true,
      batch_size: 100,
      received_at: { '@path': '$.receivedAt' }
    }
  },
  {
    action: 'syncListEntry',
    events: group,
    required: { list: 'sales_pipeline', membership: true, domain: { '@path': '$.traits.website' } },
    all: {
      list: 'sales_pipeline',
      membership: true,
      parent_matching_attribute: 'domains',
      parent_matching_value: { '@path': '$.traits.website' },
      parent_attributes: { name: { '@path': '$.traits.name' } },
      entry_attributes: { stage: 'Lead' },
      enable_batching: true,
      batch_size: 100
    }
  }
]

describe.each(CASES)(
  '$action: the requests Attio receives',
  ({ action, events, required, all, usersFirst }) => {
    beforeEach(async () => {
      if (usersFirst) await createUsers(2)
    })

    it.each([
      ['required fields only', required],
      ['every field', all]
    ])('single path, %s', async (_name, mapping) => {
      const integration = createTestIntegration(destination)
      const responses = await integration.testAction(action, {
        event: events(1),
        settings: ctx.settings,
        mapping
      })
      expect(normalised(responses)).toMatchSnapshot()
    })

    it.each([
      ['required fields only', required],
      ['every field', all]
    ])('batch path, %s', async (_name, mapping) => {
      expect(await batchRequests(action, [events(1), events(2)], mapping)).toMatchSnapshot()
    })
  }
)

/** A Segment Engage audience event: In the list left empty, the audience key and its boolean decide. */
const audienceEvent = (n: number, entered: boolean): SegmentEvent =>
  createTestEvent({
    type: 'track',
    event: entered ? 'Audience Entered' : 'Audience Exited',
    userId: `user-${n}`,
    timestamp,
    receivedAt: timestamp,
    context: { personas: { computation_key: 'vip_accounts' } },
    properties: { vip_accounts: entered, website: `https://www.acme${n}.com` }
  })

describe('syncListEntry: the requests Attio receives for Engage audience events', () => {
  const mapping: JSONObject = {
    list: 'sales_pipeline',
    domain: { '@path': '$.properties.website' },
    audience_key: { '@path': '$.context.personas.computation_key' },
    audience_traits: { '@path': '$.properties' },
    event_name: { '@path': '$.event' },
    enable_batching: true,
    batch_size: 100
  }

  it('single path: entered, then exited', async () => {
    const integration = createTestIntegration(destination)
    const responses = [
      ...(await integration.testAction('syncListEntry', {
        event: audienceEvent(1, true),
        settings: ctx.settings,
        mapping
      })),
      ...(await integration.testAction('syncListEntry', {
        event: audienceEvent(1, false),
        settings: ctx.settings,
        mapping
      }))
    ]
    expect(normalised(responses)).toMatchSnapshot()
  })

  // One company entering then leaving (the batch merges them: the last membership wins). Two companies would
  // be written concurrently, in no fixed order.
  it('batch path: entered, then exited', async () => {
    const events = [audienceEvent(1, true), audienceEvent(1, false)]
    expect(await batchRequests('syncListEntry', events, mapping)).toMatchSnapshot()
  })
})
