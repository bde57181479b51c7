/**
 * Event data shaped like the destination's internal references as they used to be (plain objects told
 * apart by `kind`), for the tests that check such data is never obeyed.
 */
import type { JSONValue } from '@segment/actions-core'

/** `{kind: "assertion", assertion: {object, matchingAttribute, values}}`: "write this record first". */
export const assertionOf = (
  object: string,
  matchingAttribute: string,
  values: Array<[string, JSONValue]>
): JSONValue => ({
  kind: 'assertion',
  assertion: {
    object,
    label: object,
    matchingAttribute,
    matchingField: 'x',
    values: values.map(([attribute, value]) => ({ attribute, value, field: 'x' }))
  }
})

/**
 * The attack of issue 13, three levels deep: rename the Company of acme.com to PWNED, and through its team
 * and that person's users, raise the User "victim" to the Enterprise plan.
 */
export const RENAME_AND_UPGRADE: JSONValue = assertionOf('companies', 'domains', [
  ['domains', 'acme.com'],
  ['name', 'PWNED'],
  [
    'team',
    assertionOf('people', 'email_addresses', [
      ['email_addresses', 'victim@example.com'],
      [
        'associated_users',
        assertionOf('users', 'user_id', [
          ['user_id', 'victim'],
          ['primary_email_address', 'victim@example.com'],
          ['plan', 'Enterprise']
        ])
      ]
    ])
  ]
])
