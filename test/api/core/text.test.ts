/**
 * `canonical` is written by hand for speed (issue 18); it must stay exactly the sorted-keys JSON text it
 * replaced, since identities and the write memory's digests are built from it.
 */
import { canonical, jsonByteLength } from '../../../src/api/core/text'

/** The definition it replaced: JSON.stringify with a replacer that sorts every object's keys. */
const reference = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        )
      : item
  )

/** A small deterministic generator of JSON-like values, with the odd cases JSON.stringify handles. */
function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 7 : 10))
  switch (pick) {
    case 0:
      return null
    case 1:
      return next() < 0.5
    case 2:
      return Math.round(next() * 1e6) / 100 - 500
    case 3:
      return ['', 'a"b', 'é\u2028\n', '\ud83d\ude00', 'Zed', 'zed'][Math.floor(next() * 6)]
    case 4:
      return undefined
    case 5:
      return Number.NaN
    case 6:
      return new Date(Math.floor(next() * 1e12))
    case 7:
    case 8: {
      const keys = ['b', 'a', 'A', 'é', '10', '2', 'a b', '__proto__x', 'z']
      const out: Record<string, unknown> = {}
      for (const key of keys) if (next() < 0.4) out[key] = randomValue(next, depth + 1)
      return out
    }
    default:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1))
  }
}

describe('canonical', () => {
  it('writes what the sorted-keys JSON.stringify wrote, for thousands of generated values', () => {
    let seed = 42
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let i = 0; i < 5000; i++) {
      const value = randomValue(next, 0)
      expect(canonical(value)).toBe(reference(value))
    }
  })

  it('sorts keys at every depth and leaves arrays in order', () => {
    expect(canonical({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}'
    )
    expect(canonical(['b', 'a'])).toBe('["b","a"]')
    expect(canonical({ a: undefined, b: () => 1 })).toBe('{}')
    expect(canonical([undefined])).toBe('[null]')
    expect(canonical('x')).toBe('"x"')
  })
})

describe('jsonByteLength', () => {
  it('counts the UTF-8 bytes of JSON.stringify, for thousands of generated values', () => {
    let seed = 7
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let i = 0; i < 5000; i++) {
      const value = randomValue(next, 0)
      const text = JSON.stringify(value) as string | undefined
      expect(jsonByteLength(value)).toBe(text === undefined ? 0 : Buffer.byteLength(text))
    }
    // Integers are counted digit by digit: every length, signs, and the numbers past the safe ones.
    for (const number of [
      0,
      -0,
      7,
      -7,
      10,
      99,
      -100,
      123456789,
      Number.MAX_SAFE_INTEGER,
      -(2 ** 53),
      2 ** 60,
      1e21,
      NaN
    ])
      expect(jsonByteLength(number)).toBe(JSON.stringify(number).length)
    expect(jsonByteLength([{ value: 'é' }, 1.5, null, '\ud800'])).toBe(
      Buffer.byteLength(JSON.stringify([{ value: 'é' }, 1.5, null, '\ud800']))
    )
  })

  it('writes lists of plain values and one-property objects (the JSON.stringify shortcut) as the reference does', () => {
    const inherited = Object.create({ b: 1 }) as Record<string, unknown>
    inherited.a = 'x'
    const lists: unknown[] = [
      [{ domain: 'acme.com' }, 'u-1', 4.5, null, { value: true }, {}],
      [{ b: 1, a: 2 }],
      [{ a: { c: 1, b: 2 } }],
      [{ a: undefined }],
      [inherited],
      [new Date(0)],
      [() => 1, undefined]
    ]
    for (const list of lists) expect(canonical(list)).toBe(reference(list))
    expect(canonical([{ b: 1, a: 2 }])).toBe('[{"a":2,"b":1}]')
  })
})
