/**
 * What a workspace must grant and have for the destination to deliver: the token's scopes per action, and
 * the standard objects an admin has to activate. Data, read by the destination's authentication test, its
 * error messages and `attio-destination doctor`.
 */

/** The scopes writing records takes, as Attio names them. */
export const REQUIRED_SCOPES = ['record_permission:read-write', 'object_configuration:read'] as const

/** The further scopes writing list entries takes (Sync List Entry). */
export const LIST_ENTRY_SCOPES = ['list_entry:read-write', 'list_configuration:read'] as const

/** The scopes each action needs, by action slug: every action asserts records. */
export const ACTION_SCOPES: Readonly<Record<string, readonly string[]>> = {
  identifyUser: REQUIRED_SCOPES,
  groupWorkspace: REQUIRED_SCOPES,
  assertRecord: REQUIRED_SCOPES,
  syncListEntry: [...REQUIRED_SCOPES, ...LIST_ENTRY_SCOPES]
}

/** The scopes reading a list's definition takes (a subscription that names a list). */
export const LIST_READ_SCOPES = ['list_configuration:read'] as const

/** Where in Attio a token's scopes are edited. */
export const DEVELOPER_SETTINGS = 'Workspace settings > Developers'

/** Standard objects a workspace has only once activated, and where (by an admin) they are activated. */
export const ACTIVATED_OBJECTS = ['deals', 'users', 'workspaces'] as const
export const OBJECT_SETTINGS = {
  place: 'Settings > Data > Objects',
  url: 'https://app.attio.com/_/settings/data/objects',
  who: 'a workspace admin'
} as const

/** The needed scopes a token's `scope` (space separated) lacks; `x:read-write` also grants `x:read`. */
export function missingScopes(granted: string, needed: readonly string[] = REQUIRED_SCOPES): string[] {
  const scopes = new Set(granted.split(/\s+/).filter(Boolean))
  return needed.filter((scope) => {
    if (scopes.has(scope)) return false
    return !(scope.endsWith(':read') && scopes.has(`${scope}-write`))
  })
}

/** The actions whose scopes go beyond writing records, by slug, with their titles. */
const FURTHER_SCOPE_ACTIONS: ReadonlyArray<readonly [string, string]> = [['syncListEntry', 'Sync List Entry']]

/**
 * What a token that may write records lacks for the actions that need more (Sync List Entry's list scopes):
 * one sentence per such action. The authentication test cannot know which actions a host uses, so these are
 * notes for a person, never a failure; the action itself names them when Attio refuses it (403).
 */
export function furtherScopeNotes(granted: string): string[] {
  const notes: string[] = []
  for (const [action, title] of FURTHER_SCOPE_ACTIONS) {
    const missing = missingScopes(granted, ACTION_SCOPES[action]).filter(
      (scope) => !(REQUIRED_SCOPES as readonly string[]).includes(scope)
    )
    if (missing.length === 0) continue
    const them = missing.length > 1 ? 'them' : 'it'
    notes.push(
      `${title} needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}, which the token lacks: add ${them} in Attio (${DEVELOPER_SETTINGS}) or reconnect the OAuth app with ${them} before using ${title}; the other actions do not need ${them}.`
    )
  }
  return notes
}
