/**
 * POST /v2/objects/{object}/records/query: filters by equality (implicit `{slug: value}` or explicit `$eq`),
 * `$in`, `$not_empty`, property conditions (`{email_addresses: {email_domain: 'x.com'}}`) combined with
 * `$and`/`$or`/`$not`, simple sorts, and limit/offset pagination. Nothing else of Attio's filter language.
 */
import { filterError, payloadError } from './errors'
import { isPlainObject, jsonType } from './util'
import type { AttributeDef, ObjectDef, RecordData, StoredValue } from './model'
import type { Workspace } from './workspace'

type Scalar = string | number | boolean

const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

/** The property an implicit filter (`{slug: value}`) compares, per attribute type. */
function implicitValues(attr: AttributeDef, v: StoredValue): unknown[] {
  const p = v.props
  switch (attr.type) {
    case 'text':
    case 'number':
    case 'rating':
    case 'checkbox':
    case 'date':
    case 'timestamp':
      return [p.value]
    case 'currency':
      return [p.currency_value]
    case 'domain':
      return [p.domain]
    case 'email-address':
      return [p.email_address]
    case 'personal-name':
      return [p.full_name]
    case 'phone-number':
      return [p.normalized_phone_number]
    case 'select': {
      const o = p.option as { title: string; id: { option_id: string } }
      return [o.title, o.id.option_id]
    }
    case 'status': {
      const s = p.status as { title: string; id: { status_id: string } }
      return [s.title, s.id.status_id]
    }
    case 'record-reference':
      return [p.target_record_id]
    case 'actor-reference':
      return [p.referenced_actor_id]
    case 'location':
    case 'interaction':
      throw filterError(
        `Attribute "${attr.api_slug}" of type ${attr.type} cannot be filtered with a plain value.`
      )
  }
}

/** The values of a named property (explicit syntax, e.g. `email_domain` or `target_object`). */
function propertyValues(ws: Workspace, attr: AttributeDef, v: StoredValue, prop: string): unknown[] {
  const p = v.props
  if (prop === 'option' && attr.type === 'select') return implicitValues(attr, v)
  if (prop === 'status' && attr.type === 'status') return implicitValues(attr, v)
  if (prop === 'phone_number' && attr.type === 'phone-number') return [p.normalized_phone_number]
  if (prop === 'target_object' && attr.type === 'record-reference') {
    const o = ws.object(p.target_object as string)
    return [p.target_object, o?.id]
  }
  if (!(prop in p)) throw filterError(`Attribute "${attr.api_slug}" has no property "${prop}" to filter on.`)
  return [p[prop]]
}

function equal(attr: AttributeDef, actual: unknown, expected: unknown): boolean {
  if (actual === undefined || actual === null) return false
  if (
    typeof actual === 'number' ||
    attr.type === 'currency' ||
    attr.type === 'number' ||
    attr.type === 'rating'
  )
    return isScalar(expected) && expected !== '' && Number(expected) === Number(actual)
  if (typeof actual === 'boolean') return expected === actual || String(expected) === String(actual)
  if (attr.type === 'email-address' || attr.type === 'domain')
    return typeof expected === 'string' && expected.trim().toLowerCase() === String(actual)
  return isScalar(expected) && String(expected) === String(actual)
}

/** A condition on a list of candidate values: a scalar (equality) or an operator object. */
function scalarCondition(attr: AttributeDef, candidates: unknown[], cond: unknown, where: string): boolean {
  if (isScalar(cond)) return candidates.some((c) => equal(attr, c, cond))
  if (!isPlainObject(cond)) throw filterError(`Unsupported filter value for ${where}: ${jsonType(cond)}.`)
  return Object.entries(cond).every(([op, arg]) => {
    switch (op) {
      case '$eq':
        if (!isScalar(arg)) throw filterError(`$eq on ${where} needs a string, number or boolean.`)
        return candidates.some((c) => equal(attr, c, arg))
      case '$in':
        if (!Array.isArray(arg)) throw filterError(`$in on ${where} needs an array.`)
        return candidates.some((c) => arg.some((a) => equal(attr, c, a)))
      default:
        throw filterError(
          `Operator "${op}" on ${where} is not supported by the emulator (only $eq, $in, $not_empty).`
        )
    }
  })
}

function attributeCondition(
  ws: Workspace,
  attr: AttributeDef,
  values: StoredValue[],
  cond: unknown
): boolean {
  const where = `"${attr.api_slug}"`
  if (isPlainObject(cond) && !Object.keys(cond).some((k) => k.startsWith('$'))) {
    // Property conditions: all must hold on the same value.
    return values.some((v) =>
      Object.entries(cond).every(([prop, c]) =>
        scalarCondition(attr, propertyValues(ws, attr, v, prop), c, `${where}.${prop}`)
      )
    )
  }
  if (isPlainObject(cond) && '$not_empty' in cond) {
    const { $not_empty: notEmpty, ...rest } = cond
    if (typeof notEmpty !== 'boolean') throw filterError(`$not_empty on ${where} needs a boolean.`)
    if (notEmpty !== values.length > 0) return false
    if (Object.keys(rest).length === 0) return true
    return attributeCondition(ws, attr, values, rest)
  }
  return values.some((v) => scalarCondition(attr, implicitValues(attr, v), cond, where))
}

function matches(ws: Workspace, object: ObjectDef, rec: RecordData, filter: unknown): boolean {
  if (!isPlainObject(filter)) throw filterError('A filter must be an object.')
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(cond)) throw filterError(`${key} needs an array of filters.`)
      return key === '$and'
        ? cond.every((f) => matches(ws, object, rec, f))
        : cond.some((f) => matches(ws, object, rec, f))
    }
    if (key === '$not') return !matches(ws, object, rec, cond)
    if (key === 'path' || key === 'constraints')
      throw filterError('Path (drill-down) filters are not supported by the emulator.')
    if (key.startsWith('$')) throw filterError(`Logical operator "${key}" is not supported.`)
    const attr = ws.attribute(object.api_slug, key)
    if (!attr || attr.is_archived) throw filterError(`Unknown attribute slug or ID "${key}" in filter.`)
    return attributeCondition(ws, attr, rec.values.get(attr.id) ?? [], cond)
  })
}

const nonNegative = (body: Record<string, unknown>, key: string, fallback: number): number => {
  const v = body[key]
  if (v === undefined) return fallback
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw payloadError([
      {
        code: 'invalid_type',
        path: [key],
        message: `Expected a non-negative integer`,
        expected: 'number',
        received: jsonType(v)
      }
    ])
  return v
}

function sortKey(ws: Workspace, attr: AttributeDef, rec: RecordData, field: string | undefined): unknown {
  const first = (rec.values.get(attr.id) ?? [])[0]
  if (!first) return undefined
  return field ? propertyValues(ws, attr, first, field)[0] : implicitValues(attr, first)[0]
}

export function queryRecords(ws: Workspace, object: ObjectDef, body: unknown): RecordData[] {
  const b = body === undefined || body === null ? {} : body
  if (!isPlainObject(b))
    throw payloadError([
      {
        code: 'invalid_type',
        path: [],
        message: 'Expected object',
        expected: 'object',
        received: jsonType(b)
      }
    ])
  const limit = nonNegative(b, 'limit', 500)
  const offset = nonNegative(b, 'offset', 0)
  let records = ws.recordsOf(object.api_slug)
  if (b.filter !== undefined && b.filter !== null)
    records = records.filter((r) => matches(ws, object, r, b.filter))
  if (b.sorts !== undefined) {
    if (!Array.isArray(b.sorts)) throw filterError('sorts must be an array.')
    const sorts = b.sorts.map((s) => {
      if (
        !isPlainObject(s) ||
        typeof s.attribute !== 'string' ||
        (s.direction !== 'asc' && s.direction !== 'desc')
      )
        throw filterError(
          'Each sort needs {direction: "asc" | "desc", attribute}; path sorts are not supported.'
        )
      const attr = ws.attribute(object.api_slug, s.attribute)
      if (!attr) throw filterError(`Unknown attribute slug or ID "${s.attribute}" in sorts.`)
      return {
        attr,
        dir: s.direction === 'asc' ? 1 : -1,
        field: typeof s.field === 'string' ? s.field : undefined
      }
    })
    records = [...records].sort((x, y) => {
      for (const s of sorts) {
        const a = sortKey(ws, s.attr, x, s.field)
        const c = sortKey(ws, s.attr, y, s.field)
        if (a === c) continue
        if (a === undefined) return 1
        if (c === undefined) return -1
        const cmp =
          typeof a === 'number' && typeof c === 'number' ? a - c : String(a).localeCompare(String(c))
        if (cmp !== 0) return cmp * s.dir
      }
      return 0
    })
  }
  return records.slice(offset, offset + limit)
}
