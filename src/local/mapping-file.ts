/**
 * The mapping file: the subscriptions a CDP host would hold for this destination, one per action it
 * runs, each with its trigger (an FQL condition) and its field mapping — actions-core's `Subscription`.
 * `replay --mapping` and `send --mapping` read it; the local page exports, imports and saves exactly this
 * format (one subscription per action). Format (see docs/local.md, "The mapping file"):
 *
 *   {
 *     "version": 1,
 *     "subscriptions": [
 *       { "name": "Identify User", "partnerAction": "identifyUser", "subscribe": "type = \"identify\"",
 *         "mapping": { "person_attributes": { "name": { "@path": "$.traits.name" } } } }
 *     ]
 *   }
 *
 * A bare array of subscriptions is read the same way; `action` is accepted for `partnerAction`. Fields a
 * mapping leaves out take the action's defaults. Every problem is reported at once, each with its place
 * in the file (`subscriptions[1].mapping.emial_address: …`), and nothing is sent for a file with one.
 */
import { parseFql } from '@segment/destination-subscriptions'
import { closest } from 'fastest-levenshtein'
import { z } from 'zod'
import { checkMapping, type ActionFields } from './mapping-check'

export const MAPPING_FILE_VERSION = 1

const text = (what: string) =>
  z.string({
    error: (issue) => (issue.input === undefined ? `is missing: ${what}` : `must be a string: ${what}`)
  })

/** One subscription as the file holds it. */
export const subscriptionSchema = z.strictObject({
  name: text('a name for people to read').min(1, 'must not be empty').optional(),
  partnerAction: text('the action slug, e.g. "identifyUser"').min(1, 'must not be empty').optional(),
  action: text('the action slug, e.g. "identifyUser"').min(1, 'must not be empty').optional(),
  subscribe: text('the trigger, an FQL condition such as type = "identify"').min(1, 'must not be empty'),
  mapping: z
    .record(z.string(), z.unknown(), { error: 'must be an object: field name → value or directive' })
    .optional()
})

export const mappingFileSchema = z.strictObject({
  version: z
    .literal(MAPPING_FILE_VERSION, { error: `must be ${MAPPING_FILE_VERSION} (or left out)` })
    .optional(),
  subscriptions: z.array(subscriptionSchema, { error: 'must be an array of subscriptions' })
})

/** A subscription ready to use: the action, its trigger and its mapping (over the action's defaults). */
export interface Subscription {
  name: string
  partnerAction: string
  subscribe: string
  mapping: Record<string, unknown>
}

export interface MappingFile {
  version: typeof MAPPING_FILE_VERSION
  subscriptions: Subscription[]
}

export class MappingFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[]
  ) {
    super(
      `${source} is not a usable mapping file:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`
    )
  }
}

/** The actions a file may name, by slug (from the destination definition). */
export type ActionCatalog = Readonly<Record<string, ActionFields>>

const place = (path: ReadonlyArray<PropertyKey>, bare: boolean): string => {
  const parts = bare && path[0] === 'subscriptions' ? path.slice(1) : path
  return parts
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`
    )
    .join('')
}

interface FqlNode {
  operator?: string
  value?: unknown
  children?: FqlNode[]
}

/** The parser reads a condition cut short (`type = `) as the value "eos", its end-of-input token. */
function cutShort(node: FqlNode): boolean {
  if (node.children) return node.children.some(cutShort)
  return node.value === 'eos' && node.operator !== 'exists' && node.operator !== 'not_exists'
}

/** Why a trigger cannot be evaluated, or undefined when it parses. */
export function triggerProblem(subscribe: string): string | undefined {
  const parsed = parseFql(subscribe)
  if (!('error' in parsed) && !cutShort(parsed)) return undefined
  return `${JSON.stringify(subscribe)} is not a condition actions-core can evaluate: write FQL such as type = "identify", type = "group" or event = "Order Completed" (join them with and / or).`
}

function checkAgainst(catalog: ActionCatalog, subscription: Subscription, at: string): string[] {
  const action = catalog[subscription.partnerAction]
  if (!action) {
    const slugs = Object.keys(catalog)
    const near = closest(subscription.partnerAction, slugs)
    return [
      `${at}.partnerAction: ${JSON.stringify(subscription.partnerAction)} is not an action of this destination${near ? ` (did you mean "${near}"?)` : ''}; its actions are ${slugs.join(', ')}.`
    ]
  }
  return checkMapping(subscription.mapping, action).map((problem) => `${at}.mapping.${problem.message}`)
}

/**
 * Reads a mapping file's JSON text. With a catalog, the actions and the mapping fields are checked
 * against the destination too. Throws a MappingFileError listing every problem.
 */
export function parseMappingFile(json: string, source: string, catalog?: ActionCatalog): MappingFile {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (error) {
    throw new MappingFileError(source, [`it is not valid JSON (${(error as Error).message}).`])
  }
  const bare = Array.isArray(value)
  const parsed = mappingFileSchema.safeParse(bare ? { subscriptions: value } : value)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = place(issue.path, bare)
      const message =
        issue.code === 'unrecognized_keys'
          ? `has unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}; a subscription has name, partnerAction, subscribe and mapping`
          : issue.message
      return `${where || 'the file'}: ${message}`
    })
    if (!bare && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      problems.splice(
        0,
        problems.length,
        'the file must hold {"subscriptions": [...]} (or an array of subscriptions).'
      )
    }
    throw new MappingFileError(source, problems)
  }
  const problems: string[] = []
  const subscriptions = parsed.data.subscriptions.map((entry, index): Subscription => {
    const at = bare ? `[${index}]` : `subscriptions[${index}]`
    if (entry.partnerAction && entry.action && entry.partnerAction !== entry.action) {
      problems.push(
        `${at}: partnerAction "${entry.partnerAction}" and action "${entry.action}" differ; give one.`
      )
    }
    const partnerAction = entry.partnerAction ?? entry.action ?? ''
    if (!partnerAction) problems.push(`${at}.partnerAction: is missing: the action slug, e.g. "identifyUser"`)
    const trigger = triggerProblem(entry.subscribe)
    if (trigger) problems.push(`${at}.subscribe: ${trigger}`)
    const subscription = {
      name: entry.name ?? catalogTitle(catalog, partnerAction) ?? `subscription ${index + 1}`,
      partnerAction,
      subscribe: entry.subscribe,
      mapping: entry.mapping ?? {}
    }
    if (catalog && partnerAction) problems.push(...checkAgainst(catalog, subscription, at))
    return subscription
  })
  if (subscriptions.length === 0) problems.push('subscriptions: is empty: give at least one subscription.')
  if (problems.length > 0) throw new MappingFileError(source, problems)
  return { version: MAPPING_FILE_VERSION, subscriptions }
}

function catalogTitle(catalog: ActionCatalog | undefined, slug: string): string | undefined {
  return catalog?.[slug]?.title
}

/** The file's JSON text for these subscriptions (what the page exports). */
export function formatMappingFile(subscriptions: readonly Subscription[]): string {
  return `${JSON.stringify({ version: MAPPING_FILE_VERSION, subscriptions }, null, 2)}\n`
}
