/**
 * Emails and domains: written for email-address and domain attributes, and also used to normalise the
 * identities the actions match on. Each check's last answers are remembered by input text.
 */
import isEmail from 'validator/lib/isEmail'
import isFQDN from 'validator/lib/isFQDN'
import { domainToASCII } from 'node:url'
import { BoundedMemo } from '../core/memo'
import { describeType, unwrap } from './input'
import { ValueProblem } from './types'

const NON_ASCII = /[\u0080-\u{10ffff}]/u

/**
 * Trims, NFC-normalises and lower-cases an email address, writes an internationalised domain in punycode, then
 * checks it strictly. Attio's OpenAPI document types email addresses as `format: email` (RFC 5321, ASCII;
 * `idn-email` would be the other one) and validates them strictly, so a local part that is not ASCII, which no
 * conversion can make ASCII, is refused here rather than sent and refused (or, in a batch, dropped) by Attio.
 */
export function normalizeEmail(input: unknown): string {
  const raw = unwrap(input, 'email_address')
  if (typeof raw !== 'string') throw new ValueProblem(`is ${describeType(raw)}, not an email address`)
  return answerOf(EMAILS.get(raw, checkedEmail))
}

/**
 * The last answers of each check, by input text: a CDP sends the same emails and websites over and over, and
 * checking one (validator's isEmail, the URL parser) costs far more than a lookup. A problem is remembered
 * too, and thrown anew each time.
 */
const EMAILS = new BoundedMemo<string, string | ValueProblem>(20_000)
const DOMAINS = new BoundedMemo<string, string | ValueProblem>(20_000)

/** A check's answer, or the ValueProblem it threw (other errors are thrown, and so not remembered). */
const problemOrAnswer =
  (check: (raw: string) => string) =>
  (raw: string): string | ValueProblem => {
    try {
      return check(raw)
    } catch (error) {
      if (error instanceof ValueProblem) return error
      throw error
    }
  }

const checkedEmail = problemOrAnswer(checkEmail)
const checkedDomain = problemOrAnswer(checkDomain)

function answerOf(answer: string | ValueProblem): string {
  if (typeof answer === 'string') return answer
  throw new ValueProblem(answer.problem)
}

function checkEmail(raw: string): string {
  const email = raw.trim().normalize('NFC').toLowerCase()
  if (email === '') throw new ValueProblem('is empty')
  // A lone surrogate makes validator throw a URIError; invisible format characters are in no address.
  if (/\p{Cs}/u.test(email)) throw new ValueProblem('contains a broken character (a lone UTF-16 surrogate)')
  if (/[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u.test(email)) {
    throw new ValueProblem('contains an invisible or Unicode space character, which no email address has')
  }
  const at = email.lastIndexOf('@')
  const local = at > 0 ? email.slice(0, at) : email
  const foreign = NON_ASCII.exec(local)
  if (at > 0 && foreign) {
    throw new ValueProblem(
      `has a non-ASCII character (${JSON.stringify(foreign[0])}) before the @, which Attio does not accept in an email address`
    )
  }
  const domain = at > 0 ? email.slice(at + 1) : ''
  const asciiDomain = NON_ASCII.test(domain) ? domainToASCII(domain) : domain
  const normalized = `${local}@${asciiDomain}`
  if (
    at <= 0 ||
    asciiDomain === '' ||
    !isEmail(normalized, {
      allow_display_name: false,
      require_tld: true,
      allow_ip_domain: false,
      allow_utf8_local_part: false
    })
  ) {
    throw new ValueProblem('is not a valid email address')
  }
  return normalized
}

/**
 * Reduces a domain or URL (`https://www.Acme.com:8080/pricing?x=1`) to its host name: lower-cased,
 * without scheme, `www.`, port, path, query or trailing dot. Internationalised names become punycode.
 */
export function normalizeDomain(input: unknown): string {
  const raw = unwrap(input, 'domain')
  if (typeof raw !== 'string') throw new ValueProblem(`is ${describeType(raw)}, not a domain`)
  return answerOf(DOMAINS.get(raw, checkedDomain))
}

function checkDomain(raw: string): string {
  const trimmed = raw.trim()
  if (trimmed === '') throw new ValueProblem('is empty')
  if (/\s/.test(trimmed)) throw new ValueProblem('contains spaces, which no domain has')
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
    ? trimmed
    : `http://${trimmed.replace(/^\/\//, '')}`
  let host: string
  try {
    const url = new URL(withScheme)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ValueProblem(`is a "${url.protocol}" URL, which has no domain`)
    }
    if (url.username || url.password) throw new ValueProblem('carries a user name or password')
    host = url.hostname
  } catch (error) {
    if (error instanceof ValueProblem) throw error
    throw new ValueProblem('is not a domain or URL')
  }
  host = host
    .toLowerCase()
    .replace(/\.+$/, '')
    .replace(/^www\./, '')
  if (!isFQDN(host, { require_tld: true, allow_underscores: false, allow_trailing_dot: false })) {
    throw new ValueProblem('is not a domain name')
  }
  return host
}
