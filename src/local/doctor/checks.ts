/**
 * The checklist's workspace checks: the token, its scopes per action, the objects the subscriptions write
 * (activated or not), and the lists they name. Read-only: every request is a GET.
 */
import {
  ACTION_SCOPES,
  ACTIVATED_OBJECTS,
  DEVELOPER_SETTINGS,
  LIST_READ_SCOPES,
  missingScopes,
  OBJECT_SETTINGS,
  REQUIRED_SCOPES,
  type AttioClient,
  type AttributeDef,
  type ObjectDef
} from '../../api'
import type { DoctorHttp } from './http'
import { assertionsOf, isDirective, isStandIn, lookupsOf, type SubscriptionPlan } from './plan'
import type { Check } from './types'

/** What the checks learn of the workspace, shared by the checklist's parts. */
export interface DoctorContext {
  http: DoctorHttp
  client: AttioClient
  settings: { default_phone_country?: string }
  plans: SubscriptionPlan[]
  /** The token's scopes (space separated), once the token check read them. */
  scope?: string
  workspace?: { id?: string; name?: string; slug?: string }
  objects: ObjectDef[]
  /** Attributes by object slug; null when the object is not there (or not activated). */
  attributes: Map<string, AttributeDef[] | null>
}

const statusOf = (error: unknown): number | undefined => (error as { status?: number } | null)?.status
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
const list = (items: readonly string[]): string =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : (items[0] ?? '')

/** `GET /v2/self`: the token is accepted and active. */
export async function checkToken(ctx: DoctorContext): Promise<Check> {
  const check = { id: 'token', title: 'token' }
  try {
    const self = await ctx.client.self()
    if (!self.active) {
      return {
        ...check,
        status: 'fail',
        detail: 'Attio says the token is inactive (revoked or expired).',
        advice: `Create a new API key in Attio under ${DEVELOPER_SETTINGS}, or reconnect the OAuth app.`
      }
    }
    ctx.scope = self.scope
    ctx.workspace = { id: self.workspace_id, name: self.workspace_name, slug: self.workspace_slug }
    const name = self.workspace_name ? ` for the workspace "${self.workspace_name}"` : ''
    return {
      ...check,
      status: 'ok',
      detail: `active${name}${self.workspace_slug ? ` (${self.workspace_slug})` : ''}`
    }
  } catch (error) {
    const refused = statusOf(error) === 401
    return {
      ...check,
      status: 'fail',
      detail: messageOf(error),
      advice: refused
        ? `Check ATTIO_API_KEY (or the settings file's api_key, or ATTIO_ACCESS_TOKEN): Attio did not accept it. API keys are made in Attio under ${DEVELOPER_SETTINGS}.`
        : 'Check ATTIO_API_URL and the network, then run the doctor again.'
    }
  }
}

/** The scopes each configured action needs are granted; each missing one is named with its actions. */
export function checkScopes(ctx: DoctorContext): Check {
  const check = { id: 'scopes', title: 'scopes' }
  if (ctx.scope === undefined) {
    return { ...check, status: 'skip', detail: 'not checked: the token check did not pass' }
  }
  const needs = new Map<string, string[]>()
  for (const plan of ctx.plans) {
    // The audience presets before a list is chosen: they deliver nothing, so their scopes are not needed yet.
    if (listUnchosen(plan)) continue
    const scopes = [...(ACTION_SCOPES[plan.subscription.partnerAction] ?? REQUIRED_SCOPES)]
    if (namesList(plan)) scopes.push(...LIST_READ_SCOPES)
    for (const scope of scopes) {
      const users = needs.get(scope) ?? []
      if (!users.includes(plan.actionTitle)) users.push(plan.actionTitle)
      needs.set(scope, users)
    }
  }
  const missing = missingScopes(ctx.scope, [...needs.keys()])
  if (missing.length === 0) {
    return { ...check, status: 'ok', detail: `granted: ${list([...needs.keys()])}` }
  }
  const named = missing.map((scope) => `${scope} (needed by ${list(needs.get(scope) ?? [])})`)
  const them = missing.length > 1 ? 'them' : 'it'
  return {
    ...check,
    status: 'fail',
    detail: `the token lacks ${list(named)}`,
    advice: `Add ${them} to the API key in Attio (${DEVELOPER_SETTINGS}), or reconnect the OAuth app with ${them}.`
  }
}

/** The objects the subscriptions write or look records up in, by slug, with the actions that do. */
function objectsUsed(plans: readonly SubscriptionPlan[]): Map<string, string[]> {
  const used = new Map<string, string[]>()
  const add = (object: string, title: string) => {
    const titles = used.get(object) ?? []
    if (!titles.includes(title)) titles.push(title)
    used.set(object, titles)
  }
  for (const plan of plans) {
    if (!plan.record) continue
    for (const assertion of assertionsOf(plan.record)) {
      if (!isStandIn(assertion.object)) add(assertion.object, plan.actionTitle)
    }
    for (const lookup of lookupsOf(plan.record)) add(lookup.object, plan.actionTitle)
  }
  return used
}

/** Each object the subscriptions use is there: activated, for Users, Workspaces and Deals. */
export async function checkObjects(ctx: DoctorContext): Promise<Check[]> {
  try {
    ctx.objects = await ctx.client.listObjects()
  } catch (error) {
    return [{ id: 'objects', title: 'objects', status: 'fail', detail: messageOf(error) }]
  }
  const checks: Check[] = []
  for (const [object, titles] of objectsUsed(ctx.plans)) checks.push(await checkObject(ctx, object, titles))
  return checks
}

async function checkObject(ctx: DoctorContext, object: string, titles: string[]): Promise<Check> {
  const known = ctx.objects.find((entry) => entry.slug === object || entry.id === object)
  const title = `${known?.plural ?? `${object.charAt(0).toUpperCase()}${object.slice(1)}`} object`
  const check = { id: `object:${object}`, title }
  try {
    const attributes = await ctx.client.listAttributes(object)
    ctx.attributes.set(object, attributes)
    return { ...check, status: 'ok', detail: `there (${attributes.length} attributes)` }
  } catch (error) {
    ctx.attributes.set(object, null)
    if (statusOf(error) !== 404) return { ...check, status: 'fail', detail: messageOf(error) }
    const writers = `${list(titles)} ${titles.length > 1 ? 'write' : 'writes'} its records`
    if ((ACTIVATED_OBJECTS as readonly string[]).includes(object)) {
      return {
        ...check,
        status: 'fail',
        detail: `not activated in this workspace; ${writers}`,
        advice: `Activate the "${object}" object in Attio under ${OBJECT_SETTINGS.place} (${OBJECT_SETTINGS.url}); only ${OBJECT_SETTINGS.who} can.`
      }
    }
    const slugs = ctx.objects.map((entry) => entry.slug)
    return {
      ...check,
      status: 'fail',
      detail: `Attio has no object "${object}" in this workspace; ${writers}`,
      advice: `Map an object the workspace has (${slugs.join(', ')}), or activate it under ${OBJECT_SETTINGS.place} if it is a standard one.`
    }
  }
}

/** A Sync List Entry subscription whose mapping names no list yet (the audience presets as they come). */
export function listUnchosen(plan: SubscriptionPlan): boolean {
  return plan.subscription.partnerAction === 'syncListEntry' && plan.subscription.mapping.list === undefined
}

/** The `list` a subscription's mapping names, when its action has such a field and it is fixed text. */
function namesList(plan: SubscriptionPlan): boolean {
  return plan.subscription.mapping.list !== undefined
}

/** Lists named by subscriptions exist (`GET /v2/lists/{list}`); skipped when no subscription names one. */
export async function checkLists(ctx: DoctorContext): Promise<Check[]> {
  const named = ctx.plans.filter(namesList)
  if (named.length === 0) {
    return [{ id: 'lists', title: 'lists', status: 'skip', detail: 'no subscription names a list' }]
  }
  const checks: Check[] = []
  for (const plan of named) {
    const value = plan.subscription.mapping.list
    const check = { id: `list:${plan.subscription.name}`, title: `list of "${plan.subscription.name}"` }
    if (isDirective(value) || typeof value !== 'string') {
      checks.push({ ...check, status: 'skip', detail: 'read from each event: checked per event' })
      continue
    }
    const answer = await ctx.http.send('GET', `/v2/lists/${encodeURIComponent(value)}`)
    if (answer.status === 200) checks.push({ ...check, status: 'ok', detail: `"${value}" exists` })
    else
      checks.push({
        ...check,
        status: 'fail',
        detail:
          answer.status === 404
            ? `Attio has no list "${value}"`
            : `Attio answered ${answer.status} for the list "${value}"`,
        advice:
          answer.status === 403
            ? `The token needs ${list([...LIST_READ_SCOPES])} to read lists (${DEVELOPER_SETTINGS}).`
            : 'Create the list in Attio, or map the slug of one that exists.'
      })
  }
  return checks
}
