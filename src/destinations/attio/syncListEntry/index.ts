import { PayloadValidationError, type ActionDefinition } from '@segment/actions-core'
import {
  connect,
  identitySlug,
  listAttributeChoices,
  listChoices,
  parentAttributeChoices,
  parentMatchingChoices,
  syncListEntries,
  syncListEntry,
  type ListEntrySync
} from '../../../api'
import { attributeMap, DOMAIN_FROM_EVENT, EMAIL_FROM_EVENT, prepareOptions, valuesFrom } from '../fields'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'

/** The track events Segment Engage sends when a profile enters or leaves an audience. */
export const AUDIENCE_ENTERED = 'Audience Entered'
export const AUDIENCE_EXITED = 'Audience Exited'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Sync List Entry',
  description:
    'Put a record into an Attio list (a pipeline or board) or take it out again, with entry attributes such as a stage. The record (a Person, a Company, …) is created or updated first, found by a unique attribute.',
  fields: {
    list: {
      label: 'List',
      description:
        'The Attio list, by api slug or id. Its parent object (e.g. People, Companies) is the kind of record its entries are about.',
      type: 'string',
      required: true,
      dynamic: true
    },
    membership: {
      label: 'In the list',
      description:
        'true puts the record into the list (creating or updating its entry); false takes it out (removing an entry that is not there is a success). When empty, the audience fields below decide: the boolean named by the audience key, or the Audience Entered / Audience Exited event.',
      type: 'boolean',
      required: false
    },
    parent_matching_attribute: {
      label: 'Record matching attribute',
      description:
        "The unique attribute of the list's parent object the record is found (or created) by. Empty: email_addresses for a People list, domains for a Companies list, user_id for Users, workspace_id for Workspaces.",
      type: 'string',
      required: false,
      dynamic: true
    },
    parent_matching_value: {
      label: 'Record matching value',
      description:
        'The value of the matching attribute. Empty: the email address for a People list (the field Email), the domain for a Companies list (the field Domain).',
      type: 'string',
      required: false
    },
    email: {
      label: 'Email',
      description:
        "The person's email address: the matching value of a People list unless Record matching value is set.",
      type: 'string',
      required: false,
      default: EMAIL_FROM_EVENT
    },
    domain: {
      label: 'Domain',
      description:
        "The company's domain (or website): the matching value of a Companies list unless Record matching value is set.",
      type: 'string',
      required: false,
      default: DOMAIN_FROM_EVENT
    },
    parent_attributes: {
      ...attributeMap('Record attributes', "list's parent"),
      description:
        "Optional attributes of the record itself (not of the entry), written when it is created or updated: the left side is a value from the event, the right side the attribute's slug or id on the list's parent object."
    },
    entry_attributes: {
      ...attributeMap('Entry attributes', 'list entry'),
      description:
        "Attributes of the list entry (e.g. a pipeline stage by its title, an owner by email): the left side is a value from the event (or fixed text), the right side the list attribute's slug or id. Written, like record attributes, in the form each type needs; null unsets. Only written when the record is put into the list."
    },
    audience_key: {
      label: 'Audience key',
      description:
        "Segment Engage: the audience's key. When In the list is empty, the boolean trait or property of that name says whether the record is in the list.",
      type: 'string',
      required: false,
      default: { '@path': '$.context.personas.computation_key' }
    },
    audience_traits: {
      label: 'Audience traits or properties',
      description:
        'Segment Engage: where the audience boolean is (the traits of an identify, the properties of a track).',
      type: 'object',
      required: false,
      unsafe_hidden: true,
      default: {
        '@if': {
          exists: { '@path': '$.traits' },
          then: { '@path': '$.traits' },
          else: { '@path': '$.properties' }
        }
      }
    },
    event_name: {
      label: 'Event name',
      description: `When In the list is empty and no audience boolean is found: "${AUDIENCE_ENTERED}" puts the record into the list, "${AUDIENCE_EXITED}" takes it out.`,
      type: 'string',
      required: false,
      default: { '@path': '$.event' }
    },
    enable_batching: {
      label: 'Send events in batches',
      description:
        "Accept events in batches: each still gets its own result and they are applied one after another in received order (the last membership of a record wins), under Attio's write limit. Attio has no bulk endpoint for list entries.",
      type: 'boolean',
      default: false
    },
    batch_size: {
      label: 'Maximum batch size',
      description: 'The most events in one batch.',
      type: 'number',
      default: 100,
      minimum: 1,
      maximum: 1000,
      unsafe_hidden: true
    }
  },
  dynamicFields: {
    list: (request, { settings, auth }) => listChoices(request, { settings, auth }),
    parent_matching_attribute: (request, { settings, auth, payload }) =>
      parentMatchingChoices(request, { settings, auth }, payload?.list),
    entry_attributes: {
      __keys__: (request, { settings, auth, payload }) =>
        listAttributeChoices(request, { settings, auth }, payload?.list)
    },
    parent_attributes: {
      __keys__: (request, { settings, auth, payload }) =>
        parentAttributeChoices(request, { settings, auth }, payload?.list)
    }
  },
  perform: (request, { payload, settings, auth, statsContext, logger, signal }) =>
    syncListEntry(
      connect(request, { settings, auth, statsContext, logger, signal }),
      entryOf(payload),
      prepareOptions({}, settings)
    ),
  performBatch: (request, { payload, settings, auth, statsContext, logger, signal }) =>
    syncListEntries(
      connect(request, { settings, auth, statsContext, logger, signal }),
      payload.map((p) => ({ build: () => entryOf(p), options: prepareOptions({}, settings) }))
    )
}

/** Whether the record belongs in the list: the mapped boolean, else the audience boolean, else the event. */
export function membershipOf(payload: Payload): boolean {
  if (typeof payload.membership === 'boolean') return payload.membership
  const key = payload.audience_key
  const traits = payload.audience_traits as Record<string, unknown> | undefined
  if (typeof key === 'string' && key !== '' && traits && key in traits) {
    const value = traits[key]
    if (typeof value === 'boolean') return value
    throw new PayloadValidationError(
      `audience_traits.${key}: the audience "${key}" is ${JSON.stringify(value)}, not true or false, so it cannot say whether the record is in the list.`
    )
  }
  if (payload.event_name === AUDIENCE_ENTERED) return true
  if (payload.event_name === AUDIENCE_EXITED) return false
  throw new PayloadValidationError(
    `membership: map In the list to true or false (or send a Segment Engage audience: a boolean named by the audience key, or an "${AUDIENCE_ENTERED}" / "${AUDIENCE_EXITED}" event).`
  )
}

/** The list entry an event asks for: checked as far as it can be without the workspace. */
export function entryOf(payload: Payload): ListEntrySync {
  const list = identitySlug('list', payload.list)
  const matching = payload.parent_matching_attribute
    ? identitySlug('parent_matching_attribute', payload.parent_matching_attribute)
    : undefined
  const explicit = payload.parent_matching_value !== undefined && payload.parent_matching_value !== ''
  return {
    list,
    member: membershipOf(payload),
    parent: {
      matchingAttribute: matching,
      matchingField: 'parent_matching_attribute',
      // Which default applies depends on the list's parent object, known once the list is read.
      matchingValue: explicit ? payload.parent_matching_value : undefined,
      matchingValueField: 'parent_matching_value',
      values: valuesFrom('parent_attributes', payload.parent_attributes)
    },
    defaults: { email: payload.email, domain: payload.domain },
    values: valuesFrom('entry_attributes', payload.entry_attributes)
  }
}

export default action
