/**
 * Request validation against Attio's OpenAPI 3.1 document, read at runtime from a path (never bundled).
 * Request bodies, path parameters and query parameters of every operation the document describes are
 * validated with ajv's JSON Schema 2020-12 build. The document is made tolerant where it is known to be stricter
 * than Attio itself (enums on nullable fields omit null; OpenAPI 3.0 style `nullable`; required keys that are
 * missing from `properties` next to `additionalProperties: false`).
 */
import { readFileSync } from 'node:fs'

import type { ErrorObject, ValidateFunction } from 'ajv'

import { payloadError, type ApiError, type ValidationIssue } from './errors'
import { isPlainObject, jsonType } from './util'

const BASE = 'https://attio-emulator.local/openapi.json'

type JsonObject = Record<string, unknown>

/** Deep copy of a schema with the tolerance rules applied and local `$ref`s made absolute. */
export function tolerantSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tolerantSchema)
  if (!isPlainObject(node)) return node
  const copy: JsonObject = {}
  for (const [k, v] of Object.entries(node)) copy[k] = tolerantSchema(v)
  if (typeof copy.$ref === 'string' && copy.$ref.startsWith('#/')) copy.$ref = BASE + copy.$ref
  if (copy.nullable === true) {
    delete copy.nullable
    if (typeof copy.type === 'string') copy.type = [copy.type, 'null']
    else if (Array.isArray(copy.type) && !copy.type.includes('null')) copy.type = [...copy.type, 'null']
  }
  if (
    Array.isArray(copy.type) &&
    copy.type.includes('null') &&
    Array.isArray(copy.enum) &&
    !copy.enum.includes(null)
  )
    copy.enum = [...copy.enum, null]
  if (copy.additionalProperties === false && Array.isArray(copy.required) && isPlainObject(copy.properties)) {
    const props = { ...copy.properties }
    for (const r of copy.required) if (typeof r === 'string' && !(r in props)) props[r] = {}
    copy.properties = props
  }
  return copy
}

interface Parameter {
  name: string
  in: string
  required?: boolean
  schema?: unknown
}

interface Operation {
  method: string
  template: string
  regex: RegExp
  paramNames: string[]
  literals: number
  raw: JsonObject
  compiled?: {
    body?: ValidateFunction
    bodyRequired: boolean
    path?: ValidateFunction
    query?: ValidateFunction
    queryNames: string[]
  }
}

type AjvInstance = {
  compile(schema: unknown): ValidateFunction
  addSchema(schema: unknown, key?: string): unknown
}

type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance

/**
 * The function a CommonJS package exports, from a dynamic import: Node puts `module.exports` on `default`, other
 * loaders (jest) may add one more `default` level.
 */
function callableExport<T>(mod: unknown): T {
  let m = mod
  for (let i = 0; i < 3 && typeof m !== 'function'; i++) m = (m as { default?: unknown } | null)?.default
  if (typeof m !== 'function') throw new Error('ajv could not be loaded')
  return m as T
}

type Path = Array<string | number>

/** One ajv error as Attio's validation_errors entry, given its path and the value at it. */
type IssueOf = (e: ErrorObject, path: Path, value: unknown) => ValidationIssue

const typeIssue: IssueOf = (e, path, value) => {
  const t = (e.params as { type: string | string[] }).type
  return {
    code: 'invalid_type',
    path,
    message: `Expected ${Array.isArray(t) ? t.join(' | ') : t}, received ${jsonType(value)}`,
    expected: Array.isArray(t) ? t.join(' | ') : t,
    received: jsonType(value)
  }
}

/** A missing property: the path names it, `expected` is its schema's type when the parent schema says. */
const requiredIssue: IssueOf = (e, path) => {
  const missing = (e.params as { missingProperty: string }).missingProperty
  const parent = e.parentSchema as JsonObject | undefined
  const propSchema = isPlainObject(parent?.properties)
    ? (parent.properties as JsonObject)[missing]
    : undefined
  const t = isPlainObject(propSchema) ? propSchema.type : undefined
  return {
    code: 'invalid_type',
    path: [...path, missing],
    message: 'Required',
    expected: typeof t === 'string' ? t : Array.isArray(t) ? t.join(' | ') : 'defined',
    received: 'undefined'
  }
}

const enumIssue: IssueOf = (e, path, value) => {
  const allowed = (e.params as { allowedValues?: unknown[]; allowedValue?: unknown }).allowedValues ?? [
    (e.params as { allowedValue?: unknown }).allowedValue
  ]
  return {
    code: 'invalid_enum_value',
    path,
    message: `Invalid enum value. Expected ${allowed.map((a) => JSON.stringify(a)).join(' | ')}, received ${JSON.stringify(value)}`,
    expected: allowed.map((a) => JSON.stringify(a)).join(' | '),
    received: JSON.stringify(value) ?? 'undefined'
  }
}

const unionIssue: IssueOf = (_e, path) => ({ code: 'invalid_union', path, message: 'Invalid input' })
const stringIssue: IssueOf = (e, path) => ({
  code: 'invalid_string',
  path,
  message: `Invalid ${(e.params as { format?: string }).format ?? 'string'}`
})
const tooSmall: IssueOf = (e, path) => ({ code: 'too_small', path, message: e.message ?? 'Too small' })
const tooBig: IssueOf = (e, path) => ({ code: 'too_big', path, message: e.message ?? 'Too big' })
const customIssue: IssueOf = (e, path) => ({ code: 'custom', path, message: e.message ?? 'Invalid input' })

/** ajv's keywords and the zod-like codes Attio answers them with; any other keyword is `custom`. */
const ISSUES = new Map<string, IssueOf>([
  ['type', typeIssue],
  ['required', requiredIssue],
  [
    'additionalProperties',
    (e, path) => ({
      code: 'unrecognized_keys',
      path,
      message: `Unrecognized key in object: '${(e.params as { additionalProperty: string }).additionalProperty}'`
    })
  ],
  ['enum', enumIssue],
  ['const', enumIssue],
  ['anyOf', unionIssue],
  ['oneOf', unionIssue],
  ['format', stringIssue],
  ['pattern', stringIssue],
  ['minLength', tooSmall],
  ['minItems', tooSmall],
  ['minimum', tooSmall],
  ['exclusiveMinimum', tooSmall],
  ['maxLength', tooBig],
  ['maxItems', tooBig],
  ['maximum', tooBig],
  ['exclusiveMaximum', tooBig]
])

/** The value at a JSON pointer's (unescaped) segments; undefined past a leaf. */
function valueAt(data: unknown, segments: string[]): unknown {
  let value: unknown = data
  for (const key of segments)
    value = isPlainObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined
  return value
}

/** Maps ajv errors to Attio's validation_errors entries (zod-like codes), one per code and path. */
export function toIssues(
  errors: ErrorObject[] | null | undefined,
  data: unknown,
  prefix: Path = []
): ValidationIssue[] {
  const all = errors ?? []
  // A union's own error stands for those of its branches.
  const unions = all.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
  const relevant = all.filter(
    (e) => !unions.some((u) => u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`))
  )
  const seen = new Set<string>()
  const issues: ValidationIssue[] = []
  for (const e of relevant) {
    const segments = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    const path: Path = [...prefix, ...segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s))]
    const issue = (ISSUES.get(e.keyword) ?? customIssue)(e, path, valueAt(data, segments))
    const id = JSON.stringify([issue.code, issue.path])
    if (!seen.has(id)) {
      seen.add(id)
      issues.push(issue)
    }
  }
  return issues
}

export class SpecValidator {
  private readonly operations: Operation[] = []

  private constructor(
    private readonly doc: JsonObject,
    private readonly ajv: AjvInstance,
    private readonly coercing: AjvInstance
  ) {
    const paths = isPlainObject(doc.paths) ? doc.paths : {}
    for (const [template, item] of Object.entries(paths)) {
      if (!isPlainObject(item)) continue
      const segments = template.split('/')
      const paramNames: string[] = []
      const pattern = segments
        .map((s) => {
          const m = /^\{(.+)\}$/.exec(s)
          if (!m) return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          paramNames.push(m[1])
          return '([^/]+)'
        })
        .join('/')
      for (const [method, op] of Object.entries(item)) {
        if (!isPlainObject(op) || !isPlainObject(op.responses)) continue
        this.operations.push({
          method: method.toUpperCase(),
          template,
          regex: new RegExp(`^${pattern}$`),
          paramNames,
          literals: segments.filter((s) => !s.startsWith('{')).length,
          raw: op
        })
      }
    }
  }

  /** Loads and prepares the document; ajv is loaded lazily so that it is only needed when a spec is given. */
  static async load(path: string): Promise<SpecValidator> {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown
    if (!isPlainObject(doc) || typeof doc.openapi !== 'string' || !isPlainObject(doc.paths))
      throw new Error(`${path} is not an OpenAPI document`)
    const Ajv2020 = callableExport<AjvConstructor>(await import('ajv/dist/2020.js'))
    const addFormats = callableExport<(ajv: AjvInstance) => unknown>(await import('ajv-formats'))
    const make = (coerceTypes: boolean): AjvInstance => {
      const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes, validateFormats: true })
      addFormats(ajv)
      ajv.addSchema({ $id: BASE, components: tolerantSchema(doc.components ?? {}) })
      return ajv as unknown as AjvInstance
    }
    return new SpecValidator(doc, make(false), make(true))
  }

  private find(method: string, path: string): { op: Operation; params: Record<string, string> } | null {
    let best: { op: Operation; params: Record<string, string> } | null = null
    for (const op of this.operations) {
      if (op.method !== method) continue
      const m = op.regex.exec(path)
      if (!m) continue
      if (best && best.op.literals >= op.literals) continue
      const params: Record<string, string> = {}
      op.paramNames.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1])
        } catch {
          params[n] = m[i + 1]
        }
      })
      best = { op, params }
    }
    return best
  }

  /** The scopes the document requires for an operation, or null when it lists none or lacks the operation. */
  scopes(method: string, path: string): string[] | null {
    const found = this.find(method, path)
    if (!found) return null
    const security = (found.op.raw.security ?? this.doc.security) as unknown
    if (!Array.isArray(security)) return null
    for (const s of security) {
      if (isPlainObject(s) && Array.isArray(s.oauth2) && s.oauth2.length > 0) return s.oauth2 as string[]
    }
    return null
  }

  private compile(op: Operation): NonNullable<Operation['compiled']> {
    if (op.compiled) return op.compiled
    const params = (Array.isArray(op.raw.parameters) ? op.raw.parameters : []) as Parameter[]
    const paramSchema = (
      where: string,
      ajv: AjvInstance
    ): { validate?: ValidateFunction; names: string[] } => {
      const list = params.filter((p) => p.in === where)
      if (list.length === 0) return { names: [] }
      const schema = {
        type: 'object',
        properties: Object.fromEntries(list.map((p) => [p.name, tolerantSchema(p.schema ?? {})])),
        required: list.filter((p) => p.required).map((p) => p.name)
      }
      return { validate: ajv.compile(schema), names: list.map((p) => p.name) }
    }
    const body = isPlainObject(op.raw.requestBody) ? op.raw.requestBody : undefined
    const content = body && isPlainObject(body.content) ? body.content : undefined
    const json =
      content && isPlainObject(content['application/json']) ? content['application/json'] : undefined
    const query = paramSchema('query', this.coercing)
    op.compiled = {
      body: json && json.schema !== undefined ? this.ajv.compile(tolerantSchema(json.schema)) : undefined,
      bodyRequired: body?.required === true,
      path: paramSchema('path', this.coercing).validate,
      query: query.validate,
      queryNames: query.names
    }
    return op.compiled
  }

  /** Whether the document describes this method and path at all. */
  covers(method: string, path: string): boolean {
    return this.find(method, path) !== null
  }

  /** Validates a request; returns the 400 to answer with, or null when it conforms (or is not in the document). */
  validate(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    hasBody: boolean
  ): ApiError | null {
    const found = this.find(method, path)
    if (!found) return null
    const c = this.compile(found.op)
    if (c.path && !c.path({ ...found.params }))
      return payloadError(toIssues(c.path.errors, found.params), 'Path parameter validation error.')
    if (c.query) {
      const q: Record<string, string> = {}
      for (const name of c.queryNames) {
        const v = query.get(name)
        if (v !== null) q[name] = v
      }
      if (!c.query(q)) return payloadError(toIssues(c.query.errors, q), 'Query parameter validation error.')
    }
    if (c.body) {
      if (!hasBody) {
        if (c.bodyRequired)
          return payloadError([
            { code: 'invalid_type', path: [], message: 'Required', expected: 'object', received: 'undefined' }
          ])
        return null
      }
      if (!c.body(body)) return payloadError(toIssues(c.body.errors, body))
    }
    return null
  }
}
