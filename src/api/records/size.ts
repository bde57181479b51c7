/**
 * The size bound of one event's values (`prepareRecord`): what its values take as JSON, nested records
 * included, and the largest of them, named in the error when the bound is passed.
 */
import type { RecordSize } from './assertion'

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
