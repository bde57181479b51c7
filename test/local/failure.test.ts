/**
 * Failures as the local tooling shows them (src/local/failure.ts): the field a message names, and what is
 * retryable.
 */
import { describeFailure, fieldOfMessage } from '../../src/local/failure'

describe('errors and their fields', () => {
  const fields = ['email_address', 'user_id', 'person_attributes']

  it('reads the field from the start of a destination message', () => {
    expect(fieldOfMessage('email_address: "x" is not a valid email address.', fields)).toBe('email_address')
    expect(fieldOfMessage('person_attributes.twiter: no attribute "twiter"', fields)).toBe(
      'person_attributes.twiter'
    )
    expect(fieldOfMessage('Attio rejected the Person: value_not_found', fields)).toBeUndefined()
    expect(fieldOfMessage('unknown_field: something', fields)).toBeUndefined()
  })

  it("reads the field of actions-core's schema errors", () => {
    const missing = Object.assign(
      new Error("The root value is missing the required field 'email_address'."),
      {
        name: 'AggregateAjvError',
        errors: [{ pointer: '', message: "The root value is missing the required field 'email_address'." }]
      }
    )
    expect(describeFailure(missing, fields)).toMatchObject({
      status: 400,
      code: 'PAYLOAD_VALIDATION_FAILED',
      field: 'email_address',
      retry: false
    })
    const wrongType = Object.assign(new Error('The value at /user_id must be a string.'), {
      name: 'AggregateAjvError',
      errors: [{ pointer: '/user_id', message: 'The value at /user_id must be a string.' }]
    })
    expect(describeFailure(wrongType, fields).field).toBe('user_id')
  })

  it('marks 429, 5xx and retry: true as retryable, and keeps Retry-After', () => {
    expect(describeFailure({ message: 'slow down', status: 429, retryAfter: 123 })).toMatchObject({
      retry: true,
      retryAfter: 123
    })
    expect(describeFailure({ message: 'down', status: 503 }).retry).toBe(true)
    expect(describeFailure({ message: 'flaky', status: 400, retry: true }).retry).toBe(true)
    expect(describeFailure({ message: 'bad', status: 400, retry: false }).retry).toBe(false)
    expect(describeFailure(new Error('boom'))).toMatchObject({ status: 500, retry: true })
  })
})
