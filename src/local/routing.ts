/**
 * Routes events to actions the way a CDP host does with its subscriptions: every subscription whose
 * trigger (`subscribe`, FQL such as `type = "identify"`) matches the event runs its action with its
 * mapping. The subscriptions are the destination's presets, or those of a mapping file. The triggers are
 * evaluated by actions-core itself: a probe destination with one action that does nothing is handed the
 * event under the subscription's trigger, and actions-core answers "not subscribed" when it does not
 * match. No HTTP request is made.
 */
import {
  Destination,
  type DestinationDefinition,
  type JSONObject,
  type SegmentEvent
} from '@segment/actions-core'
import type { Subscription } from './mapping-file'

/** One subscription an event goes to. */
export interface SubscriptionRoute {
  /** Its position among the router's subscriptions (batches are formed per subscription). */
  index: number
  name: string
  action: string
  subscribe: string
  mapping: Record<string, unknown>
}

export type Routing = { ok: true; routes: SubscriptionRoute[] } | { ok: false; reason: string }

interface PresetLike {
  name: string
  subscribe?: string
  partnerAction: string
  mapping?: Record<string, unknown>
}

const PROBE = 'probe'

const probeDefinition: DestinationDefinition<JSONObject> = {
  name: 'Subscription probe',
  mode: 'cloud',
  actions: {
    [PROBE]: {
      title: 'Probe',
      description: 'Reports that the subscription matched.',
      fields: {},
      perform: () => 'matched'
    }
  }
}

const probe = new Destination<JSONObject>(probeDefinition)

/** Whether actions-core would hand this event to a subscription with this trigger. */
export async function triggerMatches(subscribe: string, event: unknown): Promise<boolean> {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return false
  const results = await probe.onEvent(event as SegmentEvent, {
    subscription: { subscribe, partnerAction: PROBE, mapping: {} }
  })
  return results.some((result) => (result.data as unknown) === 'matched')
}

/** The destination's presets as subscriptions (what `replay` uses without a mapping file). */
export function presetSubscriptions(definition: { presets?: unknown[] }): Subscription[] {
  return ((definition.presets ?? []) as PresetLike[])
    .filter((preset) => typeof preset.subscribe === 'string' && typeof preset.partnerAction === 'string')
    .map((preset) => ({
      name: preset.name,
      partnerAction: preset.partnerAction,
      subscribe: preset.subscribe as string,
      mapping: { ...(preset.mapping ?? {}) }
    }))
}

export class SubscriptionRouter {
  private readonly subscriptions: Subscription[]

  /**
   * @param source what the subscriptions are, for skip reasons: "preset" or the mapping file's name
   */
  constructor(
    subscriptions: readonly Subscription[],
    private readonly source: string = 'preset'
  ) {
    this.subscriptions = [...subscriptions]
  }

  static ofPresets(definition: { presets?: unknown[] }): SubscriptionRouter {
    return new SubscriptionRouter(presetSubscriptions(definition), 'preset')
  }

  /** "type = \"identify\" → identifyUser, type = \"group\" → groupWorkspace" */
  describe(): string {
    return this.subscriptions.map((s) => `${s.subscribe} → ${s.partnerAction}`).join(', ')
  }

  async route(event: unknown): Promise<Routing> {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      return { ok: false, reason: 'not a JSON object' }
    }
    const routes: SubscriptionRoute[] = []
    for (const [index, subscription] of this.subscriptions.entries()) {
      if (await triggerMatches(subscription.subscribe, event)) {
        routes.push({
          index,
          name: subscription.name,
          action: subscription.partnerAction,
          subscribe: subscription.subscribe,
          mapping: subscription.mapping
        })
      }
    }
    if (routes.length > 0) return { ok: true, routes }
    const type = (event as { type?: unknown }).type
    const what = typeof type === 'string' ? `type "${type}"` : 'events without a type'
    const kind = this.source === 'preset' ? 'presets' : 'subscriptions'
    const who = this.source === 'preset' ? 'no preset' : `no subscription of ${this.source}`
    return {
      ok: false,
      reason: `${who} subscribes to ${what} (${kind}: ${this.describe() || 'none'})`
    }
  }
}
