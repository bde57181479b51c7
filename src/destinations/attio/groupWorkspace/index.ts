import type { ActionDefinition } from '@segment/actions-core'
import {
  identityDomain,
  identityId,
  linkExisting,
  optionalIdentityId,
  referTo,
  type RecordAssertion,
  type ValueInput
} from '../../../api'
import {
  assertEach,
  attributeMap,
  batchingFields,
  DOMAIN_FROM_EVENT,
  multiselectMode,
  valuesFrom,
  writableKeysOf
} from '../fields'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Group Workspace',
  description:
    'Create or update a Company by domain, then create or update a Workspace by id, linked to that Company; optionally add an existing User to the Workspace. Runs on group events by default.',
  defaultSubscription: 'type = "group"',
  fields: {
    domain: {
      label: 'Domain',
      description:
        "The company's domain or website. It matches the Company (companies.domains); a URL such as https://www.acme.com/pricing is reduced to acme.com.",
      type: 'string',
      required: true,
      default: DOMAIN_FROM_EVENT
    },
    workspace_id: {
      label: 'Workspace ID',
      description:
        "The workspace's (account's) id in your product. It matches the Workspace (workspaces.workspace_id).",
      type: 'string',
      required: true,
      default: { '@path': '$.groupId' }
    },
    user_id: {
      label: 'User ID',
      description:
        'Optional: the id of a User to add to the Workspace. The User must already exist in Attio (run Identify User for it first): Group Workspace never creates a User, and adding one never removes the users already linked. A User that Identify User sent in a batch seconds ago is linked all the same (a batch links it at once; a single event asks the host to retry until Attio has applied that batch).',
      type: 'string',
      required: false,
      default: { '@path': '$.userId' }
    },
    company_attributes: attributeMap('Additional Company attributes', 'Company'),
    workspace_attributes: attributeMap('Additional Workspace attributes', 'Workspace'),
    multiselect_mode: multiselectMode,
    ...batchingFields
  },
  dynamicFields: {
    company_attributes: {
      __keys__: writableKeysOf('companies')
    },
    workspace_attributes: {
      __keys__: writableKeysOf('workspaces')
    }
  },
  // One event asserts its record (and those it references); a batch sends them through the bulk endpoint.
  ...assertEach(workspaceOf)
}

/** The Workspace, referencing its Company (written first) and, when given, an existing User. */
export function workspaceOf(payload: Payload): RecordAssertion {
  const domain = identityDomain('domain', payload.domain)
  const workspaceId = identityId('workspace_id', payload.workspace_id)
  const userId = optionalIdentityId('user_id', payload.user_id)
  const company: RecordAssertion = {
    object: 'companies',
    label: 'Company',
    matchingAttribute: 'domains',
    matchingField: 'domain',
    values: valuesFrom('company_attributes', payload.company_attributes, [
      { attribute: 'domains', value: domain, field: 'domain' }
    ])
  }
  const values: ValueInput[] = [
    { attribute: 'workspace_id', value: workspaceId, field: 'workspace_id' },
    { attribute: 'company', value: referTo(company), field: 'domain' }
  ]
  if (userId !== undefined) {
    values.push({
      attribute: 'users',
      field: 'user_id',
      alwaysAppend: true,
      value: linkExisting({
        object: 'users',
        label: 'User',
        attribute: 'user_id',
        value: userId,
        field: 'user_id',
        whenMissing:
          'run Identify User for this user first. Group Workspace links existing Users and never creates them; the Company and Workspace were written.'
      })
    })
  }
  return {
    object: 'workspaces',
    label: 'Workspace',
    matchingAttribute: 'workspace_id',
    matchingField: 'workspace_id',
    values: valuesFrom('workspace_attributes', payload.workspace_attributes, values)
  }
}

export default action
