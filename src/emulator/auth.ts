/**
 * Authentication and scopes: the tokens the emulator accepts (a master token with every scope is made when
 * none is given), reading the Authorization header, and the scopes each kind of route requires.
 */
import { randomBytes } from 'node:crypto'

import { ApiError } from './errors'
import type { EmulatorTokenConfig } from './types'
import { uuid } from './util'

/** Every scope Attio knows (the OpenAPI document's oauth2 scopes). */
export const ALL_SCOPES = [
  'user_management:read',
  'user_management:read-write',
  'record_permission:read',
  'record_permission:read-write',
  'object_configuration:read',
  'object_configuration:read-write',
  'list_entry:read',
  'list_entry:read-write',
  'list_configuration:read',
  'list_configuration:read-write',
  'public_collection:read',
  'public_collection:read-write',
  'private_collection:read',
  'private_collection:read-write',
  'comment:read',
  'comment:read-write',
  'task:read',
  'task:read-write',
  'note:read',
  'note:read-write',
  'meeting:read',
  'meeting:read-write',
  'call_recording:read',
  'call_recording:read-write',
  'webhook:read',
  'webhook:read-write',
  'file:read',
  'file:read-write',
  'scim_management:read',
  'scim_management:read-write'
]

/** The scopes the routes require, per family (the OpenAPI document's, when the emulator has it, win). */
export const RECORD_READ = ['record_permission:read', 'object_configuration:read']
export const RECORD_WRITE = ['record_permission:read-write', 'object_configuration:read']
export const CONFIG_READ = ['object_configuration:read']
export const CONFIG_WRITE = ['object_configuration:read-write']
export const LIST_CONFIG_READ = ['list_configuration:read']
export const ENTRY_READ = ['list_entry:read', 'list_configuration:read']
export const ENTRY_WRITE = ['list_entry:read-write', 'list_configuration:read']

export interface TokenState {
  token: string
  scopes: string[]
  active: boolean
  id: string
  clientId: string
  issuedAt: number
}

/** A scope is held when the token has it, or has the read-write scope of a required read scope. */
export const hasScope = (held: string[], needed: string): boolean =>
  held.includes(needed) || (needed.endsWith(':read') && held.includes(`${needed}-write`))

const authError = (status: 401 | 403, code: string, message: string): ApiError =>
  new ApiError(status, 'auth_error', code, message)

/** The token value of an Authorization header: Bearer, or Basic with the token as user name. */
function tokenValue(header: string | undefined): string {
  if (!header)
    throw authError(401, 'unauthorized', 'Missing access token: send it as "Authorization: Bearer <token>".')
  const m = /^(\w+)\s+(.+)$/.exec(header.trim())
  let value: string | undefined
  if (m && m[1].toLowerCase() === 'bearer') value = m[2].trim()
  else if (m && m[1].toLowerCase() === 'basic') {
    const decoded = Buffer.from(m[2].trim(), 'base64').toString('utf8')
    value = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded
  }
  if (!value)
    throw authError(
      401,
      'unauthorized',
      'Unsupported Authorization header: use Bearer (or Basic with the token as user name).'
    )
  return value
}

/** The tokens the emulator accepts. */
export class Tokens {
  /** An active token with every scope: the first configured one, or a random `emu_…` token. */
  readonly master: TokenState
  private readonly byToken: Map<string, TokenState>

  constructor(configs: EmulatorTokenConfig[] = []) {
    const issuedAt = Math.floor(Date.now() / 1000)
    const make = (token: string, scopes: string[], active = true): TokenState => ({
      token,
      scopes: [...scopes],
      active,
      id: uuid(),
      clientId: uuid(),
      issuedAt
    })
    const tokens = configs.map((t) => make(t.token, t.scopes, t.active ?? true))
    let master = tokens.find((t) => t.active && ALL_SCOPES.every((s) => hasScope(t.scopes, s)))
    if (!master) {
      master = make(`emu_${randomBytes(24).toString('hex')}`, ALL_SCOPES)
      tokens.push(master)
    }
    this.master = master
    this.byToken = new Map(tokens.map((t) => [t.token, t]))
  }

  /**
   * The token an Authorization header carries; throws 401 when there is none, it is unknown, or it is not
   * active. An inactive token is returned for `/v2/self` only (which answers `{active: false}` for it).
   */
  authenticate(header: string | undefined, isSelf: boolean): TokenState {
    const token = this.byToken.get(tokenValue(header))
    if (!token) throw authError(401, 'unauthorized', 'The access token is invalid.')
    if (!token.active && !isSelf) throw authError(401, 'unauthorized', 'The access token is not active.')
    return token
  }
}

/** Throws 403 naming the scopes `token` lacks of `required`. */
export function checkScopes(token: TokenState, required: string[]): void {
  const missing = required.filter((s) => !hasScope(token.scopes, s))
  if (missing.length)
    throw authError(
      403,
      'forbidden',
      `The access token is missing the required scope(s): ${missing.join(', ')}.`
    )
}
