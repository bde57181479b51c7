import { mergeValues } from '../../../src/api/batch/merge'
import type { WireValues } from '../../../src/api/core/wire-types'

describe('mergeValues keeps a value list it holds when a later event repeats it', () => {
  it('keeps the held list for equal single values, replaces it for any difference, key order included', () => {
    const name = [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }]
    const plan = [{ value: 'pro' }]
    const target: WireValues = { name, plan, seats: [3] }
    mergeValues(
      target,
      {
        name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }],
        plan: [{ value: 'pro' }],
        seats: [3]
      },
      new Set()
    )
    expect(target.name).toBe(name)
    expect(target.plan).toBe(plan)
    const reordered = [{ last_name: 'Lovelace', first_name: 'Ada', full_name: 'Ada Lovelace' }]
    const changed = [{ value: 'team' }]
    const extra = [{ value: 'pro', note: null }]
    mergeValues(target, { name: reordered, plan: changed, seats: [4] }, new Set())
    expect(target.name).toBe(reordered)
    expect(target.plan).toBe(changed)
    expect(target.seats).toEqual([4])
    mergeValues(target, { plan: extra }, new Set())
    expect(target.plan).toBe(extra)
  })

  it('keeps a multi-valued list when the event adds nothing new to it, and unions otherwise', () => {
    const domains = [{ domain: 'acme.com' }]
    const target: WireValues = { domains }
    mergeValues(target, { domains: [{ domain: 'acme.com' }] }, new Set(['domains']))
    expect(target.domains).toBe(domains)
    mergeValues(target, { domains: [{ domain: 'acme.io' }] }, new Set(['domains']))
    expect(target.domains).toEqual([{ domain: 'acme.com' }, { domain: 'acme.io' }])
  })
})
