/**
 * The credential scrubber (src/api/core/redact.ts): every secret, plain and percent-encoded, in values and
 * keys; Authorization headers whole; cycles marked.
 */
import { redactDeep, redactText, secretList } from '../../../src/api/core/redact'

describe('redaction', () => {
  it('replaces every occurrence of every secret, in values and keys, and Authorization headers whole', () => {
    const secrets = secretList(['tok_secret_1234', undefined, '  ', 'abc', 'tok_secret_1234'])
    expect(secrets).toEqual(['tok_secret_1234'])
    const value = {
      message: 'Bearer tok_secret_1234 was refused',
      nested: [{ url: 'https://x.test/?key=tok_secret_1234' }],
      tok_secret_1234: 'as a key',
      headers: { Authorization: 'Basic whatever', 'user-agent': 'Segment' }
    }
    expect(redactDeep(value, secrets)).toEqual({
      message: 'Bearer [redacted] was refused',
      nested: [{ url: 'https://x.test/?key=[redacted]' }],
      '[redacted]': 'as a key',
      headers: { Authorization: '[redacted]', 'user-agent': 'Segment' }
    })
  })

  it('copies an object met twice (not a cycle) both times, and marks only a real cycle', () => {
    const shared = { email: 'ada@example.com' }
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    expect(redactDeep({ a: shared, b: [shared], c: cyclic }, ['tok'])).toEqual({
      a: { email: 'ada@example.com' },
      b: [{ email: 'ada@example.com' }],
      c: { name: 'loop', self: '[circular]' }
    })
  })

  it('finds a secret percent-encoded too', () => {
    expect(redactText('q=a%2Bb%2Fc%3D', ['a+b/c='])).toBe('q=[redacted]')
  })
})
