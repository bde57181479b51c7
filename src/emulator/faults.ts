/** Seeded, reproducible fault injection: the same seed and request sequence give the same faults. */
import { FAULT_KINDS, type EmulatorFaultOptions, type FaultKind } from './types'

/** mulberry32: a small, well-known 32-bit seeded PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface FaultDecision {
  kind: FaultKind
  /** Whether the request is processed before the fault is delivered (a write is then applied). */
  applyFirst: boolean
}

export class FaultInjector {
  private readonly random: () => number
  private readonly kinds: FaultKind[]
  private readonly applyBeforeFault: number
  readonly hangMs: number

  constructor(private readonly options: EmulatorFaultOptions) {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new Error('faults.rate must be between 0 and 1')
    this.random = seededRandom(options.seed)
    this.kinds = options.kinds && options.kinds.length > 0 ? [...options.kinds] : [...FAULT_KINDS]
    for (const k of this.kinds) if (!FAULT_KINDS.includes(k)) throw new Error(`unknown fault kind "${k}"`)
    this.applyBeforeFault = options.applyBeforeFault ?? 0.5
    if (!(this.applyBeforeFault >= 0 && this.applyBeforeFault <= 1))
      throw new Error('faults.applyBeforeFault must be between 0 and 1')
    this.hangMs = options.hangMs ?? 15_000
  }

  /** One decision per eligible request, in arrival order. */
  decide(): FaultDecision | null {
    if (this.random() >= this.options.rate) return null
    const kind = this.kinds[Math.min(this.kinds.length - 1, Math.floor(this.random() * this.kinds.length))]
    return { kind, applyFirst: this.random() < this.applyBeforeFault }
  }
}
