/**
 * The identities actions match records on, normalised and checked before any request is sent: an
 * invalid one is a PayloadValidationError naming the field, and nothing reaches Attio.
 */
import { PayloadValidationError } from '@segment/actions-core'
import { showValue } from './core/text'
import { acceptedFormat, normalizeDomain, normalizeEmail, ValueProblem } from './values'

/** Not given: unmapped, null, or text of nothing but spaces. */
const isBlank = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '')

function check<T>(field: string, value: unknown, normalise: (value: unknown) => T, accepted: string): T {
  if (isBlank(value)) {
    throw new PayloadValidationError(`${field} is missing: ${accepted}`)
  }
  try {
    return normalise(value)
  } catch (error) {
    if (error instanceof ValueProblem) {
      throw new PayloadValidationError(
        `${field}: ${showValue(value)} ${error.problem}. Expected ${accepted}.`
      )
    }
    throw error
  }
}

// What each identity accepts, for its errors: built once (every event of a batch checks its identities).
const EMAIL_ACCEPTED = `${acceptedFormat('email-address')}; it is trimmed and lower-cased`
const DOMAIN_ACCEPTED = acceptedFormat('domain')

/** An email address, trimmed and lower-cased, then strictly validated. */
export function identityEmail(field: string, value: unknown): string {
  return check(field, value, normalizeEmail, EMAIL_ACCEPTED)
}

/** A domain, reduced from a URL to its host, lower-cased, without `www.`, port or trailing dot. */
export function identityDomain(field: string, value: unknown): string {
  return check(field, value, normalizeDomain, DOMAIN_ACCEPTED)
}

function normalizeId(raw: unknown): string {
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw)
  if (typeof raw !== 'string')
    throw new ValueProblem(`is ${raw === null ? 'null' : typeof raw}, not a string id`)
  const id = raw.trim()
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(id)) throw new ValueProblem('contains control characters')
  if (/\p{Cs}/u.test(id)) throw new ValueProblem('contains a broken character (a lone UTF-16 surrogate)')
  if (id.length > 1000) throw new ValueProblem('is longer than 1,000 characters')
  return id
}

/** An identifier from the customer's system (user id, workspace id): trimmed, not empty, one line. */
export function identityId(field: string, value: unknown): string {
  return check(field, value, normalizeId, 'a non-empty text id')
}

/**
 * An optional id: absent when not mapped, null or blank (actions-core drops an empty string on the
 * single path but keeps it in a batch; both paths must treat it the same), otherwise checked as above.
 */
export function optionalIdentityId(field: string, value: unknown): string | undefined {
  return isBlank(value) ? undefined : identityId(field, value)
}

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

/** An object or attribute slug (snake_case) or UUID, as typed in a mapping. */
export function identitySlug(field: string, value: unknown): string {
  return check(
    field,
    value,
    (raw) => {
      if (typeof raw !== 'string')
        throw new ValueProblem(`is ${raw === null ? 'null' : typeof raw}, not a slug`)
      const slug = raw.trim()
      if (!SLUG.test(slug)) {
        throw new ValueProblem('is not an Attio slug or id (letters, digits, "_" and "-" only)')
      }
      return slug
    },
    'a slug such as "people" or "email_addresses", or an id'
  )
}
