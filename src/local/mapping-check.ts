/**
 * Checks a mapping before it is used, so that a mistake in it is an error on its field rather than text
 * written to Attio: a field the action does not have, a directive actions-core cannot run, and a value
 * that looks like a directive but is plain text (a JSON object missing a brace, a path or a template
 * written without its directive). Only the mapping is checked: values that come from events are data and
 * are never read as directives.
 */
import { transform } from '@segment/actions-core'
import { closest, distance } from 'fastest-levenshtein'

export interface MappingProblem {
  /** The mapping field, as a path: `email_address`, `person_attributes.job_title`. */
  field: string
  message: string
}

/** What the check needs of an action: its slug and its fields' names and labels. */
export interface ActionFields {
  slug: string
  title?: string
  fields: Readonly<Record<string, { label?: string }>>
  /** The sync modes the action offers (its `syncMode` choices), when it has any. */
  syncModes?: readonly string[]
}

/** `person_attributes.job_title`, or `person_attributes["odd key"]` when the key is not a plain name. */
export function mappingPath(parent: string, key: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const isDirective = (value: Record<string, unknown>): boolean =>
  Object.keys(value).some((key) => key.startsWith('@'))

const shown = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}…` : text)

/** Why a text value of a mapping looks like a directive that is not one, or undefined when it is plain text. */
export function directiveLookalike(text: string): string | undefined {
  const trimmed = text.trim()
  if (/^\{\s*"@[A-Za-z]+"/.test(trimmed)) {
    try {
      JSON.parse(trimmed)
    } catch (error) {
      return `${shown(trimmed)} looks like a mapping directive but is not valid JSON (${(error as Error).message}): check its braces and quotes. Nothing was sent.`
    }
    return `${shown(trimmed)} is a mapping directive written as text: give it as a JSON object, not a string.`
  }
  if (/^\$[.[]/.test(trimmed) && !/\s/.test(trimmed)) {
    return `${shown(trimmed)} is a path written as text, so it would be sent as it is: write {"@path": ${JSON.stringify(trimmed)}} to read it from the event.`
  }
  if (/\{\{[^{}]*\}\}/.test(trimmed)) {
    return `${shown(trimmed)} is a template written as text, so it would be sent as it is: write {"@template": ${JSON.stringify(trimmed)}} to fill it from the event.`
  }
  if (/\{\{|\}\}/.test(trimmed)) {
    return `${shown(trimmed)} has unbalanced template braces ({{ and }}): fix them, or write a template as {"@template": "{{traits.name}}"}.`
  }
  return undefined
}

/** Plain-text values that look like directives, anywhere in a field's value (key-value entries included). */
function lookalikes(value: unknown, field: string, problems: MappingProblem[]): void {
  if (typeof value === 'string') {
    const problem = directiveLookalike(value)
    if (problem) problems.push({ field, message: `${field}: ${problem}` })
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => lookalikes(item, `${field}[${index}]`, problems))
  } else if (isObject(value) && !isDirective(value)) {
    for (const [key, item] of Object.entries(value)) lookalikes(item, mappingPath(field, key), problems)
  }
}

/** actions-core's own check of the directives in a field, its messages keyed by the field. */
function directiveProblems(field: string, value: unknown): MappingProblem[] {
  try {
    transform({ [field]: value } as Parameters<typeof transform>[0], {})
    return []
  } catch (error) {
    const errors: unknown[] =
      error !== null && typeof error === 'object' && Symbol.iterator in error
        ? [...(error as Iterable<unknown>)]
        : [error]
    return errors.map((item) => {
      const text = item instanceof Error ? item.message : String(item)
      // "/person_attributes/name has an invalid directive: @tempalte." → the field path, then the rest.
      const match = /^\/(\S*) (.*)$/s.exec(text.trim())
      const path = match ? match[1].split('/').filter(Boolean) : [field]
      const at = path.slice(1).reduce((parent, key) => mappingPath(parent, key), path[0] ?? field)
      return { field: at, message: `${at}: ${match ? match[2] : text}` }
    })
  }
}

function unknownField(key: string, action: ActionFields): MappingProblem {
  const names = Object.keys(action.fields)
  const near = names.filter((name) => distance(name, key) <= Math.max(2, Math.floor(key.length / 3)))
  const suggestion = near.length > 0 ? closest(key, near) : undefined
  return {
    field: key,
    message: `${key}: ${action.slug} has no field ${JSON.stringify(key)}.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Its fields are ${names.join(', ')}.`
  }
}

/** Where a host's mapping carries an action's sync mode (actions-core reads it from there). */
export const SYNC_MODE_KEY = '__segment_internal_sync_mode'

/** Every problem of a mapping for an action (empty when it can be used as it is). */
export function checkMapping(
  mapping: Readonly<Record<string, unknown>>,
  action: ActionFields
): MappingProblem[] {
  const problems: MappingProblem[] = []
  for (const [key, value] of Object.entries(mapping)) {
    if (key === SYNC_MODE_KEY && action.syncModes) {
      if (typeof value !== 'string' || !action.syncModes.includes(value))
        problems.push({
          field: key,
          message: `${key}: the sync mode ${JSON.stringify(value)} is not one of ${action.syncModes.join(', ')}.`
        })
      continue
    }
    if (!Object.prototype.hasOwnProperty.call(action.fields, key)) {
      problems.push(unknownField(key, action))
      continue
    }
    lookalikes(value, key, problems)
    problems.push(...directiveProblems(key, value))
  }
  return problems
}
