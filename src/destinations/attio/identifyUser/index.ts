import type { ActionDefinition } from '@segment/actions-core'
import { identityEmail, identityId, referTo, type RecordAssertion } from '../../../api'
import {
  assertEach,
  attributeMap,
  batchingFields,
  EMAIL_FROM_EVENT,
  multiselectMode,
  valuesFrom,
  writableKeysOf
} from '../fields'
import type { Settings } from '../generated-types'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Identify User',
  description:
    'Create or update a Person by email address, then create or update a User by id, linked to that Person. Runs on identify events by default.',
  defaultSubscription: 'type = "identify"',
  fields: {
    email_address: {
      label: 'Email address',
      description:
        "The person's email address. It matches the Person (people.email_addresses) and becomes the User's primary email address. Trimmed and lower-cased before use.",
      type: 'string',
      required: true,
      default: EMAIL_FROM_EVENT
    },
    user_id: {
      label: 'User ID',
      description: "The user's id in your product. It matches the User (users.user_id).",
      type: 'string',
      required: true,
      default: { '@path': '$.userId' }
    },
    person_attributes: attributeMap('Additional Person attributes', 'Person'),
    user_attributes: attributeMap('Additional User attributes', 'User'),
    multiselect_mode: multiselectMode,
    ...batchingFields
  },
  dynamicFields: {
    person_attributes: {
      __keys__: writableKeysOf('people')
    },
    user_attributes: {
      __keys__: writableKeysOf('users')
    }
  },
  // One event asserts its record (and those it references); a batch sends them through the bulk endpoint.
  ...assertEach(userOf)
}

/** The User, referencing the Person it belongs to (which is therefore written first). */
export function userOf(payload: Payload): RecordAssertion {
  const email = identityEmail('email_address', payload.email_address)
  const userId = identityId('user_id', payload.user_id)
  const person: RecordAssertion = {
    object: 'people',
    label: 'Person',
    matchingAttribute: 'email_addresses',
    matchingField: 'email_address',
    values: valuesFrom('person_attributes', payload.person_attributes, [
      { attribute: 'email_addresses', value: email, field: 'email_address' }
    ])
  }
  return {
    object: 'users',
    label: 'User',
    matchingAttribute: 'user_id',
    matchingField: 'user_id',
    values: valuesFrom('user_attributes', payload.user_attributes, [
      { attribute: 'user_id', value: userId, field: 'user_id' },
      { attribute: 'primary_email_address', value: email, field: 'email_address' },
      { attribute: 'person', value: referTo(person), field: 'email_address' }
    ])
  }
}

export default action
