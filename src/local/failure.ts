/**
 * What went wrong, as the page and the CLI show it: the message, the HTTP-like status, actions-core's error
 * code, whether it is worth retrying, and the mapping field it concerns. The destination's validation
 * messages start with the field path ("person_attributes.twiter: …", "email_address: …"); actions-core's
 * schema errors carry a JSON pointer or name the missing field.
 */
import { isRetryableStatus } from '../api/core/http'

export interface Failure {
  message: string
  status: number
  code?: string
  /** The mapping field the error concerns, as a path: `email_address`, `person_attributes.twiter`. */
  field?: string
  /** 429, 5xx and errors flagged `retry`: sending the same event again may succeed. */
  retry: boolean
  /** For a 429: when Attio said to come back (epoch ms). */
  retryAfter?: number
  /** When several fields are wrong at once (a mapping, missing required fields): each with its message. */
  problems?: Array<{ field: string; message: string }>
}

const FIELD_PREFIX = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[^\s:]+)*): /

/** The field a message starts with, when its first segment is one of the action's fields. */
export function fieldOfMessage(message: string, fields: readonly string[]): string | undefined {
  const match = FIELD_PREFIX.exec(message)
  if (!match) return undefined
  const path = match[1]
  return fields.includes(path.split('.')[0]) ? path : undefined
}

interface AjvLike {
  pointer?: unknown
  message?: unknown
}

function fieldOfSchemaError(error: { errors?: unknown }, fields: readonly string[]): string | undefined {
  if (!Array.isArray(error.errors)) return undefined
  for (const item of error.errors as AjvLike[]) {
    const pointer = typeof item.pointer === 'string' ? item.pointer : ''
    const message = typeof item.message === 'string' ? item.message : ''
    const missing = /required field '([^']+)'/.exec(message)
    const path = [
      ...pointer
        .split('/')
        .filter(Boolean)
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')),
      ...(missing ? [missing[1]] : [])
    ].join('.')
    if (path && fields.includes(path.split('.')[0])) return path
  }
  return undefined
}

/** Describes anything an action threw. */
export function describeFailure(error: unknown, fields: readonly string[] = []): Failure {
  const shape = (error ?? {}) as {
    message?: unknown
    status?: unknown
    code?: unknown
    name?: unknown
    retry?: unknown
    retryAfter?: unknown
    response?: { status?: unknown }
    errors?: unknown
    problems?: unknown
  }
  const message =
    typeof shape.message === 'string' && shape.message ? shape.message : String(error ?? 'Unknown error')
  const schemaError = shape.name === 'AggregateAjvError' || shape.name === 'ValidationError'
  let status =
    typeof shape.status === 'number'
      ? shape.status
      : typeof shape.response?.status === 'number'
        ? shape.response.status
        : schemaError
          ? 400
          : 500
  if (!Number.isInteger(status) || status < 100) status = 500
  const code =
    typeof shape.code === 'string'
      ? shape.code
      : schemaError
        ? 'PAYLOAD_VALIDATION_FAILED'
        : typeof shape.name === 'string' && shape.name !== 'Error'
          ? shape.name
          : undefined
  const field =
    fieldOfMessage(message, fields) ?? (schemaError ? fieldOfSchemaError(shape, fields) : undefined)
  const retry =
    typeof shape.retry === 'boolean' ? shape.retry || isRetryableStatus(status) : isRetryableStatus(status)
  return {
    message,
    status,
    ...(code ? { code } : {}),
    ...(field ? { field } : {}),
    retry,
    ...(typeof shape.retryAfter === 'number' ? { retryAfter: shape.retryAfter } : {}),
    ...(Array.isArray(shape.problems) ? { problems: shape.problems as Failure['problems'] } : {})
  }
}
