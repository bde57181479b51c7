/**
 * Missing required fields explained (src/local/missing-fields.ts): the paths read, and what to map.
 */
import { explainMissing, pathsRead } from '../../src/local/missing-fields'

describe('missing required fields', () => {
  it('names the event paths the mapping reads', () => {
    const email = {
      '@if': {
        exists: { '@path': '$.traits.email' },
        then: { '@path': '$.traits.email' },
        else: { '@path': '$.properties.email' }
      }
    }
    expect(pathsRead(email)).toEqual(['$.traits.email', '$.properties.email'])
    expect(pathsRead({ '@template': '{{traits.first}} {{ traits.last }}' })).toEqual([
      '$.traits.first',
      '$.traits.last'
    ])
    expect(explainMissing('email_address', { email_address: email }, 'Email address')).toBe(
      'email_address: required, and the event has no value at any of $.traits.email or $.properties.email (the paths its mapping reads). Map "Email address" to the path your events carry it in, or add it to the event.'
    )
    expect(explainMissing('user_id', {}, 'User ID')).toBe(
      'user_id: required, and not mapped: map "User ID" to the event path that holds it, e.g. $.traits.user_id.'
    )
  })
})
