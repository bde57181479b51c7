/**
 * Routes events to actions through the destination's presets, the way a CDP host does with subscriptions:
 * the first preset whose `subscribe` condition (FQL, e.g. `type = "identify"`) matches the event decides
 * its action and mapping. The conditions are evaluated by actions-core itself: a probe destination with one
 * action that does nothing is handed the event under the preset's subscription, and actions-core answers
 * "not subscribed" when the condition does not match. No HTTP request is made.
 */
import {
  Destination,
  type DestinationDefinition,
  type JSONObject,
  type SegmentEvent
} from '@segment/actions-core'

export interface PresetRoute {
  preset: string
  action: string
  mapping: Record<string, unknown>
}

export type Route = { ok: true; route: PresetRoute } | { ok: false; reason: string }

interface PresetLike {
  name: string
  subscribe?: string
  partnerAction: string
  mapping?: Record<string, unknown>
  type?: string
}

const PROBE = 'probe'

const probeDefinition: DestinationDefinition<JSONObject> = {
  name: 'Preset probe',
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

export class PresetRouter {
  private readonly probe = new Destination<JSONObject>(probeDefinition)
  private readonly presets: PresetLike[]

  constructor(definition: { presets?: unknown[] }) {
    this.presets = ((definition.presets ?? []) as PresetLike[]).filter(
      (preset) => typeof preset.subscribe === 'string' && typeof preset.partnerAction === 'string'
    )
  }

  /** "type = \"identify\" → identifyUser, type = \"group\" → groupWorkspace" */
  describe(): string {
    return this.presets.map((preset) => `${preset.subscribe} → ${preset.partnerAction}`).join(', ')
  }

  async route(event: unknown): Promise<Route> {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      return { ok: false, reason: 'not a JSON object' }
    }
    for (const preset of this.presets) {
      const results = await this.probe.onEvent(event as SegmentEvent, {
        subscription: { subscribe: preset.subscribe as string, partnerAction: PROBE, mapping: {} }
      })
      if (results.some((result) => (result.data as unknown) === 'matched')) {
        return {
          ok: true,
          route: { preset: preset.name, action: preset.partnerAction, mapping: { ...(preset.mapping ?? {}) } }
        }
      }
    }
    const type = (event as { type?: unknown }).type
    return {
      ok: false,
      reason: `no preset subscribes to ${typeof type === 'string' ? `type "${type}"` : 'events without a type'} (presets: ${this.describe() || 'none'})`
    }
  }
}
