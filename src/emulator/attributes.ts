/** Attribute endpoints: list (show_archived, limit, offset), get, create a custom attribute. */
import { canBeMultiselect } from './definitions'
import { notFound, payloadError, slugConflict, validationType, type ValidationIssue } from './errors'
import type { AttributeDef, ObjectDef, SelectOptionDef } from './model'
import { ATTRIBUTE_TYPES, type AttributeType } from './types'
import { isPlainObject, jsonType, nowTimestamp, uuid } from './util'
import type { Workspace } from './workspace'

/** Types the create-attribute endpoint accepts (interaction and personal-name are Attio's own). */
const CREATABLE: readonly AttributeType[] = ATTRIBUTE_TYPES.filter(
  (t) => t !== 'interaction' && t !== 'personal-name'
)

/** Types that cannot carry a uniqueness constraint. */
const NEVER_UNIQUE: ReadonlySet<AttributeType> = new Set([
  'select',
  'status',
  'checkbox',
  'rating',
  'location',
  'actor-reference',
  'record-reference'
])

const intParam = (query: URLSearchParams, name: string): number | undefined => {
  const raw = query.get(name)
  if (raw === null) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0)
    throw payloadError(
      [
        {
          code: 'invalid_type',
          path: [name],
          message: 'Expected a non-negative integer',
          expected: 'integer',
          received: raw
        }
      ],
      'Query parameter validation error.'
    )
  return n
}

export function listAttributes(ws: Workspace, object: ObjectDef, query: URLSearchParams): AttributeDef[] {
  const showArchived = query.get('show_archived') === 'true'
  const offset = intParam(query, 'offset') ?? 0
  const limit = intParam(query, 'limit')
  const all = ws.attributesOf(object.api_slug, showArchived)
  return all.slice(offset, limit === undefined ? undefined : offset + limit)
}

export function getAttribute(ws: Workspace, object: ObjectDef, ref: string): AttributeDef {
  const attr = ws.attribute(object.api_slug, ref)
  if (!attr) throw notFound(`Attribute with slug/ID "${ref}" was not found on object "${object.api_slug}".`)
  return attr
}

/** The `data` of a create-attribute body, its fields' types checked (all problems in one 400). */
function createData(body: unknown): Record<string, unknown> {
  const data = isPlainObject(body) ? body.data : undefined
  if (!isPlainObject(data))
    throw payloadError([
      {
        code: 'invalid_type',
        path: ['data'],
        message: 'Required',
        expected: 'object',
        received: jsonType(data)
      }
    ])
  const issues: ValidationIssue[] = []
  const need = (key: string, type: 'string' | 'boolean'): void => {
    if (typeof data[key] !== type)
      issues.push({
        code: 'invalid_type',
        path: ['data', key],
        message: data[key] === undefined ? 'Required' : `Expected ${type}, received ${jsonType(data[key])}`,
        expected: type,
        received: jsonType(data[key])
      })
  }
  need('title', 'string')
  need('api_slug', 'string')
  need('type', 'string')
  need('is_required', 'boolean')
  need('is_unique', 'boolean')
  need('is_multiselect', 'boolean')
  if (data.description !== undefined && data.description !== null && typeof data.description !== 'string')
    issues.push({ code: 'invalid_type', path: ['data', 'description'], message: 'Expected string or null' })
  if (data.config !== undefined && !isPlainObject(data.config))
    issues.push({ code: 'invalid_type', path: ['data', 'config'], message: 'Expected object' })
  if (issues.length) throw payloadError(issues)
  return data
}

/** What Attio refuses of a well-typed create-attribute body: the slug, the type and its constraints. */
function checkCreatable(ws: Workspace, object: ObjectDef, data: Record<string, unknown>): void {
  const slug = data.api_slug as string
  const type = data.type as AttributeType
  if (!/^[a-z][a-z0-9_]*$/.test(slug)) throw validationType(`api_slug "${slug}" must be snake_case.`)
  if (!CREATABLE.includes(type)) throw validationType(`Attributes of type "${type}" cannot be created.`)
  if ((ws.attributes.get(object.api_slug) ?? []).some((a) => a.api_slug === slug))
    throw slugConflict(`An attribute with slug "${slug}" already exists on object "${object.api_slug}".`)
  if (data.is_multiselect === true && !canBeMultiselect(type))
    throw validationType(`Attributes of type "${type}" cannot be multiselect.`)
  if (data.is_unique === true && NEVER_UNIQUE.has(type))
    throw validationType(`Attributes of type "${type}" cannot be unique.`)
  if (data.is_unique === true && object.api_slug === 'companies')
    throw validationType('Custom attributes on companies cannot be unique.')
  if (data.relationship !== undefined && data.relationship !== null)
    throw validationType(
      'Relationship attributes cannot be created through the API (the emulator follows Attio).'
    )
  if (data.default_value !== undefined && data.default_value !== null)
    throw validationType('Default values are not supported by the emulator.')
}

/** A record reference's `config.record_reference.allowed_objects` as object slugs (each must exist). */
function allowedObjectsOf(ws: Workspace, config: Record<string, unknown>): string[] {
  const rr = isPlainObject(config.record_reference) ? config.record_reference : undefined
  const allowed = rr?.allowed_objects
  if (!Array.isArray(allowed) || allowed.length === 0 || !allowed.every((a) => typeof a === 'string'))
    throw validationType(
      'Record reference attributes need config.record_reference.allowed_objects (object slugs or IDs).'
    )
  return allowed.map((ref) => {
    const o = ws.object(ref as string)
    if (!o) throw validationType(`config.record_reference.allowed_objects: object "${ref}" was not found.`)
    return o.api_slug
  })
}

/** A currency attribute's `config.currency`, defaulted to USD shown as a symbol. */
function currencyOf(config: Record<string, unknown>): AttributeDef['currency'] {
  const c = isPlainObject(config.currency) ? config.currency : {}
  const code = c.default_currency_code ?? 'USD'
  const display = c.display_type ?? 'symbol'
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code))
    throw validationType('config.currency.default_currency_code must be an ISO 4217 code.')
  if (typeof display !== 'string' || !['code', 'name', 'narrowSymbol', 'symbol'].includes(display))
    throw validationType('config.currency.display_type must be one of code, name, narrowSymbol, symbol.')
  return { default_currency_code: code, display_type: display }
}

/** POST /v2/objects/{object}/attributes with `{data: {title, description, api_slug, type, is_required, ...}}`. */
export function createAttribute(ws: Workspace, object: ObjectDef, body: unknown): AttributeDef {
  const data = createData(body)
  checkCreatable(ws, object, data)
  const type = data.type as AttributeType
  const config = isPlainObject(data.config) ? data.config : {}
  const def: AttributeDef = {
    id: uuid(),
    object: object.api_slug,
    title: data.title as string,
    description: (data.description as string | null | undefined) ?? null,
    api_slug: data.api_slug as string,
    type,
    is_system_attribute: false,
    is_writable: true,
    is_required: data.is_required as boolean,
    is_unique: data.is_unique as boolean,
    is_multiselect: data.is_multiselect as boolean,
    is_archived: false,
    created_at: nowTimestamp(),
    currency: type === 'currency' ? currencyOf(config) : { default_currency_code: null, display_type: null },
    allowedObjects: type === 'record-reference' ? allowedObjectsOf(ws, config) : null,
    relationship: null,
    options: [],
    statuses: []
  }
  ws.addAttribute(def)
  return def
}

/**
 * POST /v2/objects/{object}/attributes/{attribute}/options with `{data: {title}}`: adds a select option (Attio's
 * "Create a select option"). A title already held by another option is a 409 slug_conflict.
 */
export function createOption(ws: Workspace, object: ObjectDef, ref: string, body: unknown): SelectOptionDef {
  const attr = getAttribute(ws, object, ref)
  if (attr.type !== 'select') throw validationType('This attribute is not a select attribute.')
  const data = isPlainObject(body) ? body.data : undefined
  const title = isPlainObject(data) ? data.title : undefined
  if (typeof title !== 'string' || title.length === 0)
    throw payloadError([
      {
        code: 'invalid_type',
        path: ['data', 'title'],
        message: title === undefined ? 'Required' : 'Expected a non-empty string',
        expected: 'string',
        received: jsonType(title)
      }
    ])
  if (attr.options.some((option) => option.title === title))
    throw slugConflict(`There is already another select option with the title "${title}".`)
  const option: SelectOptionDef = { id: uuid(), title, is_archived: false }
  attr.options.push(option)
  return option
}
