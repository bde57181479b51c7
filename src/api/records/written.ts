/**
 * `WrittenValues`: what one batch wrote of each plain value, per attribute. A batch repeats the same values
 * over and over (a user's email on each of its events, a plan shared by hundreds of users), and writing one
 * (validating it, building its items, measuring them, its canonical text when it is a matching value) costs
 * far more than finding it again. The events that repeat a value then share one written list, which the
 * batch merge recognises at once (the same list) instead of comparing the items of each event's copy.
 *
 * Only what a value's text alone decides is remembered: plain values (strings up to `MAX_REMEMBERED_LENGTH`,
 * numbers but -0, booleans, null), with what else writing them read (the default phone country, and a select's
 * or status's options as this invocation read them: another list of options is another answer). A value
 * refused is never remembered (each event gets its own error).
 * Written lists are never changed in place once written (see `mergeValues`), so sharing one is safe.
 */
import type { WireItem } from '../values'
import type { AttributeDef, OptionDef } from '../wire'

/** One value written: its items, what they take as JSON, and (once asked) their canonical text. */
export interface Written {
  readonly items: WireItem[]
  readonly bytes: number
  /** The default phone country the value was written with (`PrepareOptions.defaultCountry`). */
  readonly country: string | undefined
  /** The options or statuses it was written with (select and status attributes), as read. */
  readonly options: readonly OptionDef[] | undefined
  /** `canonical(items)`, made the first time a record is matched on this value. */
  key?: string
}

export type PlainValue = string | number | boolean | null

/** Longer texts are rarely repeated, and would be kept for the batch: written each time. */
const MAX_REMEMBERED_LENGTH = 256
/** A bound per attribute (a batch holds at most 10,000 events, each of a few values of an attribute). */
const MAX_PER_ATTRIBUTE = 20_000

export class WrittenValues {
  private readonly byAttribute = new Map<AttributeDef, Map<PlainValue, Written>>()

  /** Whether a value can be remembered (a plain value, not a long text). */
  static remembers(value: unknown): value is PlainValue {
    const kind = typeof value
    return (
      value === null ||
      (kind === 'number' && !Object.is(value, -0)) ||
      kind === 'boolean' ||
      (kind === 'string' && (value as string).length <= MAX_REMEMBERED_LENGTH)
    )
  }

  /** What was written of `value` for `attribute` with this default phone country and options, if it was. */
  find(
    attribute: AttributeDef,
    value: PlainValue,
    country: string | undefined,
    options?: readonly OptionDef[]
  ): Written | undefined {
    const written = this.byAttribute.get(attribute)?.get(value)
    return written !== undefined && written.country === country && written.options === options
      ? written
      : undefined
  }

  /** Remembers what was written of `value` for `attribute`. */
  add(attribute: AttributeDef, value: PlainValue, written: Written): void {
    let values = this.byAttribute.get(attribute)
    if (!values) this.byAttribute.set(attribute, (values = new Map()))
    else if (values.size >= MAX_PER_ATTRIBUTE) values.clear()
    values.set(value, written)
  }
}
