import {
  defaultValues,
  IntegrationError,
  InvalidAuthenticationError,
  type DestinationDefinition
} from '@segment/actions-core'
import {
  AttioClient,
  connect,
  credentialOf,
  deleteUserData,
  deletionScopeOf,
  DEVELOPER_SETTINGS,
  furtherScopeNotes,
  missingScopes,
  NO_CREDENTIAL_MESSAGE,
  phoneCountryProblem,
  secretsOf,
  type RecordAssertion
} from '../../api'
import { requestTimeoutMs } from '../../api/core/config'
import assertRecord, { recordOf } from './assertRecord'
import type { Payload as AssertRecordPayload } from './assertRecord/generated-types'
import type { Settings } from './generated-types'
import groupWorkspace, { workspaceOf } from './groupWorkspace'
import type { Payload as GroupWorkspacePayload } from './groupWorkspace/generated-types'
import identifyUser, { userOf } from './identifyUser'
import syncListEntry from './syncListEntry'
import type { Payload as IdentifyUserPayload } from './identifyUser/generated-types'

/** `ATTIO_REQUEST_TIMEOUT_MS` shortens or lengthens actions-core's 10 s request time-out (soak tests). */
function requestTimeout(): { timeout?: number } {
  const timeout = requestTimeoutMs()
  return timeout !== undefined ? { timeout } : {}
}

const destination: DestinationDefinition<Settings> = {
  name: 'Attio (Actions)',
  slug: 'actions-attio',
  mode: 'cloud',
  description:
    'Create or update People, Users, Companies, Workspaces and any other Attio record from your identify, group and track events.',
  authentication: {
    scheme: 'oauth2',
    fields: {
      api_key: {
        label: 'Workspace API key',
        description:
          'Optional. A workspace API key to use instead of the OAuth connection. Create one in Attio under Workspace settings > Developers > API keys with the scopes record_permission:read-write and object_configuration:read (and list_entry:read-write and list_configuration:read for Sync List Entry). When set, it is used instead of the OAuth token.',
        type: 'password',
        required: false
      },
      default_phone_country: {
        label: 'Default phone country',
        description:
          'Optional. The ISO 3166-1 alpha-2 country (e.g. "US", "GB") assumed for phone numbers written without a leading "+". Without it, such numbers are rejected with an error instead of being guessed.',
        type: 'string',
        required: false
      },
      suppress_unchanged_writes: {
        label: 'Skip unchanged writes',
        description:
          "On by default. The destination remembers, for 10 minutes, what it last wrote to each record and does not send a write that would change nothing (apps send identify on every login, usually with the same traits): far fewer writes under Attio's limit of 25 a second. The trade: an edit made by hand in Attio is not overwritten by an identical event within those 10 minutes. Turn off to send every write.",
        type: 'boolean',
        required: false,
        default: true
      },
      on_delete_request: {
        label: 'On a user deletion request',
        description:
          'What a deletion request for a user (sent by the CDP, e.g. for a privacy request) deletes in Attio. Nothing (default): nothing. User: the User record whose user_id is the userId. User and Person: also the Person that User links to, unless another User links to it too. Companies, Workspaces and what Attio captured by itself (emails, meetings, notes) are never deleted.',
        type: 'string',
        required: false,
        default: 'nothing',
        choices: [
          { label: 'Nothing', value: 'nothing' },
          { label: 'The User', value: 'user' },
          { label: 'The User and its Person', value: 'user_and_person' }
        ]
      }
    },
    testAuthentication: async (request, { settings, auth }) => {
      // The settings first: a bad one is named here, not blamed on the first phone number it breaks.
      const country = phoneCountryProblem(settings.default_phone_country)
      if (country) {
        throw new IntegrationError(
          `default_phone_country: ${country} (the country assumed for phone numbers written without "+"; leave it empty to refuse such numbers).`,
          'BAD_REQUEST',
          400
        )
      }
      const credential = credentialOf(settings, auth)
      if (!credential) throw new InvalidAuthenticationError(NO_CREDENTIAL_MESSAGE)
      const self = await new AttioClient(request, credential, secretsOf(settings, auth)).self()
      if (!self.active) {
        throw new InvalidAuthenticationError(
          `The Attio token is inactive (revoked or expired): reconnect the destination to Attio, or create a new API key in Attio under ${DEVELOPER_SETTINGS}.`
        )
      }
      const missing = missingScopes(self.scope)
      // Which actions a host uses is not known here: the further scopes of Sync List Entry are named, but
      // only fail the test along with the scopes every action needs.
      const notes = furtherScopeNotes(self.scope)
      if (missing.length > 0) {
        throw new InvalidAuthenticationError(
          `The Attio token is missing the scope${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}: add ${missing.length > 1 ? 'them' : 'it'} to the API key in Attio (${DEVELOPER_SETTINGS}) or reconnect the OAuth app with ${missing.length > 1 ? 'them' : 'it'}.${notes.length > 0 ? ` Also: ${notes.join(' ')}` : ''}`
        )
      }
      return notes.length > 0 ? { ...self, notes } : self
    }
  },
  extendRequest({ settings, auth }) {
    const credential = credentialOf(settings, auth)
    const headers: Record<string, string> = {}
    if (credential) headers.Authorization = `Bearer ${credential}`
    // Read bodies once instead of through a clone: node-fetch stalls on a cloned body over ~16 KB when
    // only the clone is read (record queries and attribute lists of big workspaces are larger).
    return { headers, skipResponseCloning: true, ...requestTimeout() }
  },
  onDelete: (request, { payload, settings, auth }) =>
    deleteUserData(
      connect(request, { settings, auth }),
      payload.userId,
      deletionScopeOf(settings.on_delete_request)
    ),
  presets: [
    {
      name: 'Identify User',
      subscribe: 'type = "identify"',
      partnerAction: 'identifyUser',
      mapping: defaultValues(identifyUser.fields),
      type: 'automatic'
    },
    {
      name: 'Group Workspace',
      subscribe: 'type = "group"',
      partnerAction: 'groupWorkspace',
      mapping: defaultValues(groupWorkspace.fields),
      type: 'automatic'
    },
    // Segment Engage audiences (docs/lists.md): the list is chosen when the preset is added.
    {
      name: 'Sync Audience to List (identify)',
      subscribe: 'type = "identify" and context.personas.computation_class = "audience"',
      partnerAction: 'syncListEntry',
      mapping: defaultValues(syncListEntry.fields),
      type: 'automatic'
    },
    {
      name: 'Sync Audience to List (track)',
      subscribe: 'type = "track" and (event = "Audience Entered" or event = "Audience Exited")',
      partnerAction: 'syncListEntry',
      mapping: defaultValues(syncListEntry.fields),
      type: 'automatic'
    }
  ],
  actions: {
    identifyUser,
    groupWorkspace,
    assertRecord,
    syncListEntry
  }
}

export default destination

/**
 * The records each action writes, as it describes them from its payload (the same functions perform and
 * performBatch call): what `attio-destination doctor` checks a workspace against without an event. The
 * builders check every value they read, so the payload's shape is theirs to refuse.
 */
export const actionRecords: Readonly<Record<string, (payload: Record<string, unknown>) => RecordAssertion>> =
  {
    identifyUser: (payload) => userOf(payload as unknown as IdentifyUserPayload),
    groupWorkspace: (payload) => workspaceOf(payload as unknown as GroupWorkspacePayload),
    assertRecord: (payload) => recordOf(payload as unknown as AssertRecordPayload)
  }
