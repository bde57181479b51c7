/**
 * Record summaries (src/local/records.ts): each value type as text, the attributes shown.
 */
import { summarizeState, valueText } from '../../src/local/records'

describe('record summaries', () => {
  const value = (type: string, rest: Record<string, unknown>) => ({
    active_from: '2026-01-01T00:00:00Z',
    active_until: null,
    created_by_actor: { type: 'system', id: null },
    attribute_type: type,
    ...rest
  })

  it('reduces each value type to text', () => {
    expect(valueText(value('email-address', { email_address: 'ada@example.com' }))).toBe('ada@example.com')
    expect(valueText(value('personal-name', { full_name: 'Ada Lovelace' }))).toBe('Ada Lovelace')
    expect(valueText(value('select', { option: { title: 'Pro' } }))).toBe('Pro')
    expect(valueText(value('record-reference', { target_object: 'people', target_record_id: 'r1' }))).toBe(
      'people r1'
    )
    expect(valueText(value('number', { value: 12 }))).toBe('12')
    expect(valueText(value('currency', { currency_value: 9.5, currency_code: 'USD' }))).toBe('9.5 USD')
  })

  it('keeps non-empty attributes and leaves out the system ones', () => {
    const summary = summarizeState({
      people: [
        {
          record_id: 'r1',
          created_at: 'now',
          values: {
            record_id: [value('text', { value: 'r1' })],
            email_addresses: [value('email-address', { email_address: 'a@b.co' })],
            name: []
          }
        }
      ]
    })
    expect(summary).toEqual({
      people: [{ record_id: 'r1', created_at: 'now', values: { email_addresses: ['a@b.co'] } }]
    })
  })
})
