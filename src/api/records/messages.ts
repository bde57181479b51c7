/**
 * The records layer's words: the validation error of a bad value or mapping (naming the field, the problem
 * and what would be accepted), suggestions for a misspelt attribute, and the errors of a missing link.
 */
import { PayloadValidationError } from '@segment/actions-core'
import { closest, distance } from 'fastest-levenshtein'
import { showValue } from '../core/text'
import { AttioApiError, LINK_NOT_APPLIED, MISSING_LINK } from '../errors'
import { OBJECT_SETTINGS } from '../requirements'
import { BULK_APPLY_WINDOW_MS } from '../suppression'
import type { AttributeDef } from '../wire'
import type { ExistingReference } from './assertion'

export function invalid(message: string): PayloadValidationError {
  return new PayloadValidationError(message)
}

/**
 * Why an attribute cannot be written (archived, filled by Attio itself, or of a type this destination
 * does not know), or undefined when it can: the sentence follows the attribute's description.
 */
export function unwritableReason(attribute: AttributeDef): string | undefined {
  if (attribute.isArchived) return 'is archived in Attio: restore it or remove it from the mapping.'
  if (!attribute.isWritable || attribute.type === 'interaction') {
    return 'is not writable (Attio fills it itself, e.g. enriched data); remove it from the mapping.'
  }
  if (attribute.type === null) return 'has a type this destination cannot write yet.'
  return undefined
}

/** The attributes Attio requires a value for when it creates a record (those without a default). */
export function requiredAttributes(attributes: readonly AttributeDef[]): AttributeDef[] {
  return attributes.filter(
    (attribute) =>
      attribute.isRequired && !attribute.hasDefault && !attribute.isArchived && attribute.isWritable
  )
}

export function describeAttribute(label: string, attribute: AttributeDef): string {
  return `${label} attribute "${attribute.slug}" (${attribute.type ?? attribute.rawType})`
}

/** " Did you mean …?" (or the writable attributes there are) for an attribute slug the object lacks. */
export function attributeSuggestion(attributes: AttributeDef[], wanted: string): string {
  const candidates = attributes.filter((a) => a.isWritable && !a.isArchived && a.type !== 'interaction')
  if (candidates.length === 0) return ''
  const byTitle = candidates.find((a) => a.title.toLowerCase() === wanted.toLowerCase())
  const lower = wanted.toLowerCase()
  const ranked = candidates
    .map((a) => ({ slug: a.slug, score: distance(lower, a.slug.toLowerCase()) }))
    .filter((c) => c.score <= Math.max(2, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.score - b.score || a.slug.localeCompare(b.slug))
    .map((c) => c.slug)
  const suggestions = [...new Set([...(byTitle ? [byTitle.slug] : []), ...ranked])].slice(0, 3)
  if (suggestions.length === 0) {
    const nearest = closest(
      lower,
      candidates.map((a) => a.slug)
    )
    return ` Writable attributes include ${candidates
      .slice(0, 8)
      .map((a) => `"${a.slug}"`)
      .join(', ')}${nearest ? `; the nearest is "${nearest}"` : ''}.`
  }
  return ` Did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?`
}

/** Attio's standard objects that a workspace admin activates (Attio's docs: "disabled by default"). */
export const ACTIVATABLE: Readonly<Record<string, string>> = {
  users: 'Users',
  workspaces: 'Workspaces',
  deals: 'Deals'
}
export const ACTIVATE_HOW = `A workspace admin can activate it in Attio under ${OBJECT_SETTINGS.place} (${OBJECT_SETTINGS.url})`

/** What to say about an object that is not activated (or, for others than Attio's standard ones, does not exist). */
export function notActivated(object: string): string {
  const noun = ACTIVATABLE[object]
  return noun
    ? `Attio's ${noun} object is not activated in this workspace. ${ACTIVATE_HOW}.`
    : `Attio has no object "${object}" in this workspace, or it is not activated. ${ACTIVATE_HOW}, or choose another object.`
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`

/** The error for a linked record that does not exist, naming the mapping field it came from. */
export function missingLink(reference: ExistingReference): AttioApiError {
  return new AttioApiError(
    `${reference.field}: Attio has no ${reference.label} with ${reference.attribute} ${showValue(reference.value)}: ${reference.whenMissing}`,
    404,
    MISSING_LINK
  )
}

/**
 * The error for a linked record Attio does not have yet, which this process sent in a batch less than
 * `BULK_APPLY_WINDOW_MS` ago and has never seen in Attio: Attio may not have applied that batch yet, so it is
 * retryable (503), and nothing creates the record (it may also have been deleted).
 */
export function linkNotAppliedYet(reference: ExistingReference): AttioApiError {
  return new AttioApiError(
    `${reference.field}: Attio has no ${reference.label} with ${reference.attribute} ${showValue(reference.value)} yet: it was sent in a batch less than ${BULK_APPLY_WINDOW_MS / 1000} s ago, which Attio may not have applied yet. It is safe to retry; after that it is reported missing.`,
    503,
    LINK_NOT_APPLIED
  )
}

const KEYED_LABELS: Readonly<Record<string, string>> = {
  people: 'Person',
  companies: 'Company',
  users: 'User',
  workspaces: 'Workspace'
}

/**
 * The error for a write Attio refused while one of its values names a record by its key (`company:
 * "acme.com"`) that this process sent in a batch less than `BULK_APPLY_WINDOW_MS` ago and has never seen in
 * Attio: Attio may not have applied that batch yet, so the refusal is retryable (503), not final.
 */
export function keyNotAppliedYet(
  attribute: string,
  reference: { object: string; attribute: string; value: string },
  refusal: AttioApiError
): AttioApiError {
  const label = KEYED_LABELS[reference.object] ?? `${reference.object} record`
  return new AttioApiError(
    `${attribute}: Attio has no ${label} with ${reference.attribute} ${showValue(reference.value)} yet: it was sent in a batch less than ${BULK_APPLY_WINDOW_MS / 1000} s ago, which Attio may not have applied yet. It is safe to retry; after that Attio's answer is reported (${refusal.message})`,
    503,
    LINK_NOT_APPLIED
  )
}
