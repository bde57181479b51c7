/**
 * The size bound of one event's values (`prepareRecord`): what its values take as JSON, nested records
 * included, and the largest of them, named in the error when the bound is passed; `keep` counts each value
 * as it puts it into the record.
 */
import { jsonByteLength } from '../core/text'
import type { WireItem } from '../values'
import { NO_VALUES, type PreparedRecord, type RecordSize, type ValueInput } from './assertion'

/**
 * The most one event's values may take as JSON, nested records included: a text value may be up to Attio's
 * 10 MB, and an event carrying several large ones is refused before sending rather than building a request
 * Attio may refuse (its request size limit is not documented).
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024

export function addSize(size: RecordSize, add: RecordSize): void {
  size.valueBytes += add.valueBytes
  if (add.largestField !== undefined && add.largestBytes > size.largestBytes) {
    size.largestBytes = add.largestBytes
    size.largestField = add.largestField
  }
}

/**
 * Puts a written value into the record (appended or asserted) and counts its size (`measured`: its items'
 * JSON bytes, when known already).
 */
export function keep(
  prepared: PreparedRecord,
  input: ValueInput,
  slug: string,
  append: boolean,
  written: WireItem[],
  measured = jsonByteLength(written)
): void {
  // The values as JSON with the attribute's key around them.
  const bytes = measured + slug.length + 4
  prepared.valueBytes += bytes
  if (bytes > prepared.largestBytes) {
    prepared.largestBytes = bytes
    prepared.largestField = input.field
  }
  if (append) {
    if (written.length === 0) return
    if (prepared.appendValues === NO_VALUES) prepared.appendValues = {}
    prepared.appendValues[slug] = written
  } else {
    prepared.assertValues[slug] = written
  }
}
