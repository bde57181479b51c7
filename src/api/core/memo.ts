/**
 * `BoundedMemo`: the answers of a pure computation by key, for inputs a CDP sends over and over (emails,
 * websites, the memory's key digests). Bounded the cheapest way: emptied once it holds `max` keys, so a
 * long run never holds more and a working set smaller than that stays remembered. A leaf: imports nothing.
 */
export class BoundedMemo<K, V> {
  private readonly answers = new Map<K, V>()

  constructor(private readonly max: number) {}

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
