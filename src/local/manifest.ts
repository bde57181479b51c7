/**
 * The destination's definition as JSON, for `GET /manifest` (the page builds its form from it, and the
 * actions ecosystem's tooling reads it): everything but functions, and the paths of the dynamic fields.
 */
import type { DestinationDefinition, InputField } from '@segment/actions-core'
import type { Settings } from '../destinations/attio/generated-types'

/** The fields a manifest lists: everything of the definition but functions. */
function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** Paths of the dynamic fields of an action: `object`, `person_attributes.__keys__`, … */
export function dynamicFieldPaths(dynamicFields: unknown): string[] {
  const paths: string[] = []
  if (!dynamicFields || typeof dynamicFields !== 'object') return paths
  for (const [key, value] of Object.entries(dynamicFields)) {
    if (typeof value === 'function') paths.push(key)
    else if (value && typeof value === 'object') {
      for (const [inner, fn] of Object.entries(value))
        if (typeof fn === 'function') paths.push(`${key}.${inner}`)
    }
  }
  return paths
}

export interface ManifestAction {
  slug: string
  title: string
  description: string
  defaultSubscription?: string
  fields: Record<string, InputField>
  dynamicFields: string[]
  supportsBatch: boolean
  /** The host's sync mode choice (actions-core's `syncMode`), when the action has one. */
  syncMode?: {
    label: string
    description: string
    default: string
    choices: Array<{ label: string; value: string }>
  }
}

export interface Manifest {
  name: string
  slug?: string
  mode: string
  description?: string
  authentication?: { scheme: string; fields: Record<string, unknown> }
  settings: Record<string, unknown>
  actions: Record<string, ManifestAction>
  presets: unknown[]
}

/** The definition as `GET /manifest` answers it: settings, actions and their fields, presets; no functions. */
export function manifestOf(definition: DestinationDefinition<Settings>): Manifest {
  const actions: Record<string, ManifestAction> = {}
  for (const [slug, action] of Object.entries(definition.actions)) {
    actions[slug] = {
      slug,
      title: action.title,
      description: action.description,
      ...(action.defaultSubscription ? { defaultSubscription: action.defaultSubscription } : {}),
      fields: jsonSafe(action.fields),
      dynamicFields: dynamicFieldPaths(action.dynamicFields),
      supportsBatch: typeof action.performBatch === 'function',
      ...(action.syncMode
        ? {
            syncMode: {
              label: action.syncMode.label,
              description: action.syncMode.description,
              default: action.syncMode.default,
              choices: action.syncMode.choices.map((choice) => ({ label: choice.label, value: choice.value }))
            }
          }
        : {})
    }
  }
  const authentication = definition.authentication
  const fields = jsonSafe((authentication?.fields ?? {}) as Record<string, unknown>)
  return {
    name: definition.name,
    ...(definition.slug ? { slug: definition.slug } : {}),
    mode: definition.mode,
    ...(definition.description ? { description: definition.description } : {}),
    ...(authentication ? { authentication: { scheme: authentication.scheme, fields } } : {}),
    settings: fields,
    actions,
    presets: jsonSafe(definition.presets ?? [])
  }
}
