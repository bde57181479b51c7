/**
 * Required fields without a value, said the way a user can act on: which event paths the mapping reads
 * (the ones that were tried) and what to map. actions-core reports them as schema errors ("The root value
 * is missing the required field 'email_address'."); this turns each into a message on its field, all of
 * them at once.
 */
import type { MappingProblem } from './mapping-check'

const MISSING = /missing the required field '([^']+)'/g

/** The required fields a schema error message says are missing, in order. */
export function missingFieldsOf(message: string): string[] {
  return [...new Set([...message.matchAll(MISSING)].map((match) => match[1]))]
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** The event paths a mapping value reads, in the order it tries them. */
export function pathsRead(value: unknown): string[] {
  const paths: string[] = []
  const walk = (node: unknown) => {
    if (typeof node === 'string') return
    if (Array.isArray(node)) return node.forEach(walk)
    if (!isObject(node)) return
    if (typeof node['@path'] === 'string') paths.push(node['@path'])
    if (typeof node['@template'] === 'string') {
      for (const match of node['@template'].matchAll(/\{\{\s*([^}|\s]+)[^}]*\}\}/g))
        paths.push(`$.${match[1]}`)
    }
    for (const [key, item] of Object.entries(node)) if (key !== '@path' && key !== '@template') walk(item)
  }
  walk(value)
  return [...new Set(paths)]
}

const list = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`

/** One missing required field explained: what was read, and what to do. */
export function explainMissing(
  field: string,
  mapping: Readonly<Record<string, unknown>>,
  label?: string,
  /** For a field chosen with a picker (a list, an object): what it takes, from its description. */
  takes?: string
): string {
  const name = JSON.stringify(label ?? field)
  const value = mapping[field]
  if (takes !== undefined && (value === undefined || pathsRead(value).length === 0)) {
    // A choice of the mapping, not event data: an event path is not what it wants.
    return `${field}: required, and not set: choose ${name} with its picker (the choices come from the workspace), or type what it takes: ${takes}`
  }
  if (value === undefined) {
    return `${field}: required, and not mapped: map ${name} to the event path that holds it, e.g. $.traits.${field}.`
  }
  const paths = pathsRead(value)
  if (paths.length === 0) {
    return `${field}: required, and its mapping gives no value (${JSON.stringify(value).slice(0, 80)}): map ${name} to the event path that holds it.`
  }
  const tried = paths.length === 1 ? paths[0] : `any of ${list(paths)}`
  return `${field}: required, and the event has no value at ${tried} (${paths.length === 1 ? 'the path' : 'the paths'} its mapping reads). Map ${name} to the path your events carry it in, or add it to the event.`
}

/**
 * The problems behind a schema error about missing required fields, one per field, or undefined when
 * the message names none.
 */
export function missingFieldProblems(
  message: string,
  mapping: Readonly<Record<string, unknown>>,
  labels: Readonly<Record<string, string | undefined>> = {},
  /** Fields chosen with a picker, and what each takes (`explainMissing`). */
  chosen: Readonly<Record<string, string | undefined>> = {}
): MappingProblem[] | undefined {
  const fields = missingFieldsOf(message)
  if (fields.length === 0) return undefined
  return fields.map((field) => ({
    field,
    message: explainMissing(field, mapping, labels[field], chosen[field])
  }))
}

/**
 * The fields of an action chosen with a picker (dynamic, with no default), and what each takes: the first
 * sentence of its description ("The Attio list, by api slug or id.").
 */
export function chosenFields(
  fields: Readonly<Record<string, { dynamic?: boolean; default?: unknown; description?: string }>>
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, field]) => field.dynamic === true && field.default === undefined)
      .map(([key, field]) => [key, /^[^.]*\./.exec(field.description ?? '')?.[0] ?? field.description ?? ''])
  )
}
