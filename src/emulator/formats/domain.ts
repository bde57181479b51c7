/** Domains and email addresses: hostname checks, root domains (an approximate public-suffix list). */
import { fail, ok, type Parsed } from './parsed'

/** Public suffixes of more than one label that matter for root domains (approximate, not the full PSL). */
const MULTI_LABEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'me.uk',
  'ltd.uk',
  'plc.uk',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'co.nz',
  'org.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'co.kr',
  'co.in',
  'net.in',
  'org.in',
  'co.za',
  'org.za',
  'com.br',
  'net.br',
  'com.mx',
  'com.ar',
  'com.cn',
  'net.cn',
  'org.cn',
  'com.hk',
  'com.sg',
  'com.tw',
  'com.tr',
  'co.il',
  'co.id',
  'com.my',
  'com.ph',
  'com.vn',
  'co.th',
  'com.ng',
  'co.ke',
  'com.eg',
  'com.sa',
  'com.co',
  'com.pe',
  'github.io',
  'herokuapp.com',
  'vercel.app',
  'netlify.app'
])

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

export const rootDomain = (domain: string): string => {
  const labels = domain.split('.')
  if (labels.length <= 2) return domain
  const lastTwo = labels.slice(-2).join('.')
  return MULTI_LABEL_SUFFIXES.has(lastTwo) ? labels.slice(-3).join('.') : lastTwo
}

const isHostname = (host: string): boolean => {
  if (host.length > 253) return false
  const labels = host.split('.')
  if (labels.length < 2) return false
  if (!labels.every((l) => LABEL.test(l))) return false
  return /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels[labels.length - 1])
}

/** A domain from a domain or URL string: scheme, credentials, port, path, query and fragment are trimmed. */
export function parseDomain(input: string): Parsed<{ domain: string; root_domain: string }> {
  let s = input.trim().toLowerCase()
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^\/\//, '')
  s = s.split(/[/?#]/, 1)[0]
  s = s.replace(/^[^@]*@/, '')
  s = s.replace(/:\d*$/, '').replace(/\.$/, '')
  if (!s) return fail('A domain must not be empty.')
  if (!isHostname(s)) return fail(`"${input}" is not a valid domain.`)
  return ok({ domain: s, root_domain: rootDomain(s) })
}

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i

export interface EmailParts {
  email_address: string
  original_email_address: string
  email_domain: string
  email_root_domain: string
  email_local_specifier: string
}

/**
 * Strict email validation (dot-atom local part, a hostname with a real TLD). Surrounding or inner whitespace is
 * rejected, not trimmed: Attio validates strictly and normalising input is the client's job.
 */
export function parseEmail(input: string): Parsed<EmailParts> {
  if (/\s/.test(input)) return fail(`"${input}" is not a valid email address (it contains whitespace).`)
  const at = input.lastIndexOf('@')
  if (at <= 0 || at === input.length - 1) return fail(`"${input}" is not a valid email address.`)
  const local = input.slice(0, at)
  const domain = input.slice(at + 1).toLowerCase()
  if (input.length > 254 || local.length > 64 || !LOCAL_PART.test(local) || !isHostname(domain))
    return fail(`"${input}" is not a valid email address.`)
  const normalized = `${local.toLowerCase()}@${domain}`
  return ok({
    email_address: normalized,
    original_email_address: input,
    email_domain: domain,
    email_root_domain: rootDomain(domain),
    email_local_specifier: local.toLowerCase()
  })
}
