/** Errors in Attio's shape: `{status_code, type, code, message}` (plus `validation_errors` for body validation). */

export interface ValidationIssue {
  code: string
  path: Array<string | number>
  message: string
  expected?: string
  received?: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }

  body(): Record<string, unknown> {
    return {
      status_code: this.status,
      type: this.type,
      code: this.code,
      message: this.message,
      ...this.extra
    }
  }
}

const invalid = (status: number, code: string, message: string, extra?: Record<string, unknown>): ApiError =>
  new ApiError(status, 'invalid_request_error', code, message, extra)

export const notFound = (message: string): ApiError => invalid(404, 'not_found', message)
export const valueNotFound = (message: string): ApiError => invalid(400, 'value_not_found', message)
export const validationType = (message: string): ApiError => invalid(400, 'validation_type', message)
export const missingValue = (message: string): ApiError => invalid(400, 'missing_value', message)
export const multipleMatch = (message: string): ApiError => invalid(400, 'multiple_match_results', message)
export const notUnique = (message: string): ApiError =>
  invalid(400, 'matching_attribute_definition_not_unique', message)
export const systemEdit = (message: string): ApiError => invalid(400, 'system_edit_unauthorized', message)
export const uniquenessConflict = (message: string): ApiError => invalid(409, 'uniqueness_conflict', message)
export const slugConflict = (message: string): ApiError => invalid(409, 'slug_conflict', message)
export const filterError = (message: string): ApiError => invalid(400, 'filter_error', message)

/** 400 validation_type with Attio's `validation_errors` list (used for body/params shape problems). */
export const payloadError = (
  issues: ValidationIssue[],
  message = 'Body payload validation error.'
): ApiError => invalid(400, 'validation_type', message, { validation_errors: issues })

/** A value problem on one attribute: the message names the slug and the problem. */
export const badValue = (slug: string, problem: string): ApiError =>
  validationType(`Invalid value was passed to attribute with slug "${slug}". ${problem}`)
