/**
 * Drives the destination through actions-core (`createTestIntegration(...).testAction / testBatchAction`),
 * exactly as its tests do, with the mappings a customer would set up for the benchmark's events.
 */
import { createTestIntegration, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import destination from '../src'
import type { Settings } from '../src/destinations/attio/generated-types'

export type ActionName = 'identifyUser' | 'groupWorkspace'

/** The mapping per action on top of the default mappings: traits to Person, User, Company, Workspace. */
export const MAPPINGS: Record<ActionName, JSONObject> = {
  identifyUser: {
    person_attributes: { name: { '@path': '$.traits.name' }, job_title: { '@path': '$.traits.title' } },
    user_attributes: { plan: { '@path': '$.traits.plan' }, seats: { '@path': '$.traits.seats' } }
  },
  groupWorkspace: {
    company_attributes: { name: { '@path': '$.traits.company_name' } },
    workspace_attributes: { name: { '@path': '$.traits.name' }, plan: { '@path': '$.traits.plan' } }
  }
}

export const actionOf = (event: SegmentEvent): ActionName =>
  event.type === 'group' ? 'groupWorkspace' : 'identifyUser'

export function settingsFor(apiKey: string, suppress: boolean): Settings {
  return { api_key: apiKey, suppress_unchanged_writes: suppress }
}

export type Integration = ReturnType<typeof createTestIntegration<Settings>>

export function newIntegration(): Integration {
  return createTestIntegration(destination)
}

export interface SingleOutcome {
  delivered: number
  failed: number
  /** The first few failure messages, to show when events fail. */
  errors: string[]
}

/**
 * Sends every event through the single path (`perform`). With `lanes` > 1, users are spread over that
 * many lanes that run concurrently; each lane sends its events in order, so a user's identify always
 * reaches Attio before the group call that links it.
 */
export async function sendSingle(
  events: readonly SegmentEvent[],
  settings: Settings,
  lanes = 1
): Promise<SingleOutcome> {
  const outcome: SingleOutcome = { delivered: 0, failed: 0, errors: [] }
  const queues: SegmentEvent[][] = Array.from({ length: Math.max(1, lanes) }, () => [])
  for (const event of events) queues[laneOf(String(event.userId ?? ''), queues.length)].push(event)
  await Promise.all(
    queues.map(async (queue) => {
      // One integration per lane: the test integration keeps per-call state (results, responses).
      const integration = newIntegration()
      for (const event of queue) {
        const action = actionOf(event)
        try {
          await integration.testAction(action, {
            event,
            settings,
            mapping: MAPPINGS[action],
            useDefaultMappings: true
          })
          outcome.delivered += 1
        } catch (error) {
          outcome.failed += 1
          if (outcome.errors.length < 5) outcome.errors.push(`${action}: ${(error as Error).message}`)
        }
      }
    })
  )
  return outcome
}

function laneOf(key: string, lanes: number): number {
  let hash = 0
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0
  return Math.abs(hash) % lanes
}

/** What the bulk requests of a batch carried, read from the request bodies actions-core captured. */
export interface BulkCount {
  bulkRequests: number
  assertions: number
  nestedAssertions: number
}

export interface BatchOutcome extends BulkCount {
  delivered: number
  failed: number
  errors: string[]
}

interface CapturedResponse {
  request?: { method?: string; url?: string }
  options?: { json?: unknown }
}

/** An assertion nested as a value (a referenced record written with its referrer). */
function isAssertion(value: unknown): value is { values?: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && 'matching_attribute' in value && 'object' in value
}

function countNested(values: Record<string, unknown> | undefined): number {
  let count = 0
  for (const value of Object.values(values ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isAssertion(item)) count += 1 + countNested(item.values)
    }
  }
  return count
}

/** Counts the bulk requests among captured responses, with their top-level and nested assertions. */
export function countBulk(responses: readonly unknown[]): BulkCount {
  const count: BulkCount = { bulkRequests: 0, assertions: 0, nestedAssertions: 0 }
  for (const response of responses as CapturedResponse[]) {
    if (response.request?.method !== 'PUT' || !response.request.url?.includes('/v2/batch/records')) continue
    const assertions = (response.options?.json as { assertions?: unknown[] } | undefined)?.assertions ?? []
    count.bulkRequests += 1
    count.assertions += assertions.length
    for (const assertion of assertions) {
      if (isAssertion(assertion)) count.nestedAssertions += countNested(assertion.values)
    }
  }
  return count
}

/** Sends one batch through `performBatch` and reads each event's status from the multi-status answer. */
export async function sendBatch(
  integration: Integration,
  action: ActionName,
  events: SegmentEvent[],
  settings: Settings,
  batchSize: number
): Promise<BatchOutcome> {
  const responses = await integration.testBatchAction(action, {
    events,
    settings,
    mapping: { ...MAPPINGS[action], enable_batching: true, batch_size: batchSize },
    useDefaultMappings: true
  })
  const result = integration.results[0] as unknown as {
    multistatus?: Array<{ status: number; errormessage?: string }>
  }
  const statuses = result.multistatus ?? []
  const failures = statuses.filter((entry) => entry.status >= 300)
  return {
    ...countBulk(responses),
    delivered: statuses.length - failures.length,
    failed: failures.length + Math.max(0, events.length - statuses.length),
    errors: failures.slice(0, 5).map((entry) => `${action}: ${entry.status} ${entry.errormessage ?? ''}`)
  }
}
