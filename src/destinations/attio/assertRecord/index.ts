import type { ActionDefinition } from '@segment/actions-core'
import {
  connect,
  identitySlug,
  matchingAttributeChoices,
  objectChoices,
  syncBatch,
  syncModeOf,
  syncRecord,
  writableAttributeChoices,
  type RecordAssertion
} from '../../../api'
import {
  attributeMap,
  batchingFields,
  batchItems,
  multiselectMode,
  prepareOptions,
  valuesFrom
} from '../fields'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Assert Record',
  description:
    'Create, update or delete one record of any Attio object, found by a unique matching attribute whose value is part of the mapped attributes.',
  syncMode: {
    label: 'How records are written',
    description:
      'Upsert (default): create the record or update it. Update: change existing records only (a missing one is reported, never created). Add: create new records only (an existing one is left untouched and reported). Delete: delete the matching record (an absent one is a success); only the matching attribute is read.',
    default: 'upsert',
    choices: [
      { label: 'Create or update records (upsert)', value: 'upsert' },
      { label: 'Update existing records only', value: 'update' },
      { label: 'Create new records only', value: 'add' },
      { label: 'Delete matching records', value: 'delete' }
    ]
  },
  fields: {
    object: {
      label: 'Attio object',
      description:
        'The object to create or update a record of, by slug (e.g. "people", "companies", "deals") or id.',
      type: 'string',
      required: true,
      dynamic: true,
      default: 'people'
    },
    matching_attribute: {
      label: 'Matching attribute',
      description:
        'The slug or id of a unique attribute of the object. Attio updates the record whose value matches, or creates one. Its value must be in "Attributes".',
      type: 'string',
      required: true,
      dynamic: true,
      default: 'email_addresses'
    },
    attributes: {
      ...attributeMap('Attributes', 'chosen'),
      description:
        'The attributes to write: the left side is a value from the event (or fixed text), the right side the attribute slug or id on the chosen object. Must include the matching attribute. Attributes must exist in Attio (it never creates them); null unsets a value.',
      required: true,
      default: { email_addresses: { '@path': '$.traits.email' } }
    },
    multiselect_mode: multiselectMode,
    ...batchingFields
  },
  dynamicFields: {
    object: (request, { settings, auth }) => objectChoices(request, { settings, auth }),
    matching_attribute: (request, { settings, auth, payload }) =>
      matchingAttributeChoices(request, { settings, auth }, payload?.object),
    attributes: {
      __keys__: (request, { settings, auth, payload }) =>
        writableAttributeChoices(request, { settings, auth }, payload?.object)
    }
  },
  perform: (request, { payload, settings, auth, syncMode, statsContext, logger, signal }) => {
    const mode = syncModeOf(syncMode)
    const attio = connect(request, { settings, auth, statsContext, logger, signal })
    if (mode !== 'upsert')
      return syncRecord(attio, recordOf(payload), mode, prepareOptions(payload, settings))
    return attio.assertRecords([recordOf(payload)], prepareOptions(payload, settings))
  },
  performBatch: (request, { payload, settings, auth, syncMode, statsContext, logger, signal }) => {
    const mode = syncModeOf(syncMode)
    const attio = connect(request, { settings, auth, statsContext, logger, signal })
    if (mode !== 'upsert') return syncBatch(attio, batchItems(payload, settings, recordOf), mode)
    return attio.assertBatch(batchItems(payload, settings, recordOf), {
      batchSize: payload[0]?.batch_size
    })
  }
}

/** The record, found by its matching attribute, whose value must be among the attributes. */
export function recordOf(payload: Payload): RecordAssertion {
  const object = identitySlug('object', payload.object)
  const matchingAttribute = identitySlug('matching_attribute', payload.matching_attribute)
  // The matching attribute may be mapped by slug or by id: whether it has a value is checked once both are
  // known, against the workspace's attributes (prepareRecord).
  const attributes = payload.attributes ?? {}
  return {
    object,
    label: `${object} record`,
    matchingAttribute,
    matchingField: 'matching_attribute',
    matchingValueIn: { field: 'attributes', label: 'Attributes' },
    values: valuesFrom('attributes', attributes)
  }
}

export default action
