/**
 * Records the destination asserts, from an action's description of them to Attio's requests.
 *
 * An action describes each record as a `RecordAssertion` (object, matching attribute, mapped values, and
 * references to other records). `prepareRecord` checks it against the workspace's attributes and turns
 * every value into Attio's write form, before any write is sent; invalid input becomes a
 * `PayloadValidationError` naming the mapping field. `writeRecord` then performs the documented calls in
 * order: referenced records first, the assert, then the append update for multiselect values.
 *
 * The modules: `assertion` (the shapes and the references), `prepare` (checking and writing values, with
 * `write-value` and `schema-checks`, and `written`, what a batch wrote of each value), `write` (the single path's requests), `identity` (how a record is
 * named: its key, matching text and unique values) and `messages` (validation and missing-link errors).
 */
export { canonical, fieldPath, showValue } from '../core/text'
export {
  linkExisting,
  NO_VALUES,
  NONE,
  referTo,
  type AssertionReference,
  type ExistingReference,
  type PreparedLookup,
  type PreparedRecord,
  type PreparedReference,
  type PrepareOptions,
  type RecordAssertion,
  type Reference,
  type ValueInput
} from './assertion'
export {
  attributeSuggestion,
  describeAttribute,
  linkNotAppliedYet,
  missingLink,
  requiredAttributes,
  unwritableReason
} from './messages'
export { deepest, MAX_VALUE_DEPTH } from './depth'
export { prepareRecord } from './prepare'
export { WrittenValues } from './written'
export { MAX_EVENT_BYTES } from './size'
export { identitiesCarried, identitiesOf, isKeyedReference, matchingText, recordKey } from './identity'
export { writeRecord, type LinkFates, type WriteOutcome, type WrittenRecord } from './write'
