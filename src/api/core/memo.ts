/**
 * `BoundedMemo`: the answers of a pure computation by key, for inputs a CDP sends over and over (emails,
 * websites, the memory's key digests). Bounded the cheapest way: emptied once it holds `max` keys, so a
 * long run never holds more and a working set smaller than that stays remembered. `childMap`: one level of
 * a nested map lookup. A leaf: imports nothing.
 */
export class BoundedMemo<K, V> {
  private readonly answers = new Map<K, V>()

  constructor(private readonly max: number) {}

  /** The remembered answer for `key`, if any (no compute function to make: for a caller whose is a closure). */
  known(key: K): V | undefined {
    return this.answers.get(key)
  }

  /** The remembered answer for `key`, else `compute(key)`, remembered (never `undefined`). */
  get(key: K, compute: (key: K) => V): V {
    let answer = this.answers.get(key)
    if (answer === undefined) {
      answer = compute(key)
      if (this.answers.size >= this.max) this.answers.clear()
      this.answers.set(key, answer)
    }
    return answer
  }
}

/** The map under `key` in a map of maps, made (empty) the first time: one level of a nested lookup. */
export function childMap<K, L, V>(parent: Map<K, Map<L, V>>, key: K): Map<L, V> {
  let child = parent.get(key)
  if (!child) {
    child = new Map()
    parent.set(key, child)
  }
  return child
}
