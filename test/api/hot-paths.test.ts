/**
 * The shortcuts issue 18 put on the batch path's hot spots must answer exactly what the long way answers.
 */
import { normaliseReceivedAt } from '../../src/api/batch/merge'
import { digest, keyDigest } from '../../src/api/suppression'
import { normalizeDomain, normalizeEmail } from '../../src/api'
import { createHash } from 'node:crypto'
import { fieldPath, identitiesCarried, identitiesOf, NO_VALUES, NONE, showValue } from '../../src/api/records'
import type { WireValues } from '../../src/api/core/wire-types'

const longWay = (value: string) => {
  const time = Date.parse(value)
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined
}

describe('normaliseReceivedAt', () => {
  it('keeps a time toISOString writes unchanged, and parses every other one as before', () => {
    const samples = [
      '2026-01-05T09:00:00.000Z',
      '2026-02-28T23:59:59.999Z',
      // Days a parse rolls over into the next month, and hour 24: the long way.
      '2026-02-29T00:00:00.000Z',
      '2026-02-30T10:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:59:60.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-05T09:00:00Z',
      '2026-01-05T09:00:00.000+02:00',
      '2026-01-05',
      'not a time',
      '0000-01-01T00:00:00.000Z'
    ]
    for (const sample of samples) expect(normaliseReceivedAt(sample)).toBe(longWay(sample))
    expect(normaliseReceivedAt('2026-02-30T10:00:00.000Z')).toBe('2026-03-02T10:00:00.000Z')
    expect(normaliseReceivedAt(undefined)).toBeUndefined()
  })
})

describe('remembered checks', () => {
  it('answers an email or domain the same the second time, and refuses a bad one the same each time', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com')
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com')
    expect(normalizeDomain('https://www.Acme.com/pricing')).toBe('acme.com')
    expect(normalizeDomain('https://www.Acme.com/pricing')).toBe('acme.com')
    for (let i = 0; i < 2; i++) {
      expect(() => normalizeEmail('not an email')).toThrow('is not a valid email address')
      expect(() => normalizeDomain('ftp://acme.com')).toThrow('is a "ftp:" URL, which has no domain')
    }
  })

  it('stays bounded and correct past its size', () => {
    for (let i = 0; i < 25_000; i++)
      expect(normalizeEmail(`user${i}@example.com`)).toBe(`user${i}@example.com`)
    expect(normalizeEmail('USER1@example.com')).toBe('user1@example.com')
  })

  it('digests as sha-256 (128 bits, base64url) whether remembered or not', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22)
    for (const text of ['a', 'a', 'x'.repeat(600), 'x'.repeat(600), 'é\u0000b'])
      expect(digest(text)).toBe(sha(text))
    // A unique value's key: the same digest as the whole key text, for each tenant apart.
    for (const tenant of ['tenant-a', 'tenant-b', 'tenant-a'])
      expect(keyDigest(tenant, 'people', 'email_addresses', 'ada@example.com')).toBe(
        sha(`${tenant}\u0000people\u0000email_addresses\u0000ada@example.com`)
      )
  })

  it("keeps key digests right past a tenant's bound and across objects and attributes", () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22)
    const expected = (object: string, attribute: string, text: string) =>
      sha(`bound\u0000${object}\u0000${attribute}\u0000${text}`)
    for (let i = 0; i < 25_000; i++) {
      const [object, attribute] = i % 2 === 0 ? ['people', 'email_addresses'] : ['users', 'user_id']
      expect(keyDigest('bound', object, attribute, `v${i}`)).toBe(expected(object, attribute, `v${i}`))
    }
    // Remembered again after the tenant's answers were emptied, and never mixed across attributes.
    for (const [object, attribute] of [
      ['people', 'email_addresses'],
      ['users', 'user_id'],
      ['users', 'email_addresses']
    ])
      expect(keyDigest('bound', object, attribute, 'v0')).toBe(expected(object, attribute, 'v0'))
  })
})

describe('shared empties and remembered paths (issue 18, allocation per record)', () => {
  it('refuses any addition to the shared empty list and values, so a record must take its own first', () => {
    expect(() => (NONE as unknown[]).push('x')).toThrow(TypeError)
    expect(() => {
      ;(NO_VALUES as Record<string, unknown>).name = [{ value: 'x' }]
    }).toThrow(TypeError)
    expect(NONE).toHaveLength(0)
    expect(Object.keys(NO_VALUES)).toHaveLength(0)
  })

  it('answers a field path the same remembered as worked out, for plain, odd and long keys and past its bound', () => {
    const longWay = (field: string, key: string) =>
      /^[A-Za-z0-9_-]{1,100}$/.test(key) ? `${field}.${key}` : `${field}[${showValue(key)}]`
    const keys = ['twitter', 'odd key', 'é', '', 'a'.repeat(100), 'a'.repeat(101), '__proto__', 'x\u0000y']
    for (let round = 0; round < 2; round++)
      for (const field of ['person_attributes', 'user_attributes'])
        for (const key of keys) expect(fieldPath(field, key)).toBe(longWay(field, key))
    for (let i = 0; i < 2_500; i++) expect(fieldPath('attributes', `k${i}`)).toBe(`attributes.k${i}`)
    expect(fieldPath('attributes', 'odd key')).toBe('attributes["odd key"]')
  })

  it("gives a bulk request's identities exactly as identitiesOf's all, however the matching values lie", () => {
    const record = { object: 'people', matchingAttribute: 'email_addresses', unique: ['email_addresses'] }
    const assertValues = { email_addresses: [{ email_address: 'Ada@Example.com' }, 'x'] }
    const cases: Array<[typeof record, WireValues, WireValues | undefined]> = [
      [record, assertValues, undefined],
      [record, assertValues, { email_addresses: [{ email_address: 'b@example.com' }] }],
      [{ ...record, unique: ['domains'] }, assertValues, { domains: [{ domain: 'acme.com' }] }],
      [{ ...record, unique: [] }, assertValues, {}],
      [{ ...record, unique: ['domains', 'email_addresses'] }, { domains: [{ domain: 'a.com' }] }, undefined]
    ]
    for (const [prepared, asserted, appended] of cases) {
      expect(identitiesCarried(prepared, asserted, appended)).toEqual(
        identitiesOf(prepared, asserted, appended).all
      )
    }
  })
})
