/**
 * The Attio client's public surface for the actions (everything about Attio's wire format is in here).
 */
export { Attio, connect, recordsWrittenBefore, toMultiStatus } from './attio'
export { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, bulkAssertion, deliverBatch } from './batch'
export type { BatchItem, BatchOptions, BatchReport, EventOutcome } from './batch'
export type { ConnectionInput } from './attio'
export { AttioClient, attioBaseUrl, credentialOf, secretsOf, NO_CREDENTIAL_MESSAGE } from './client'
export type { RecordId } from './client'
export {
  ACTION_SCOPES,
  ACTIVATED_OBJECTS,
  DEVELOPER_SETTINGS,
  LIST_ENTRY_SCOPES,
  LIST_READ_SCOPES,
  furtherScopeNotes,
  missingScopes,
  OBJECT_SETTINGS,
  REQUIRED_SCOPES
} from './requirements'
export { identityDomain, identityEmail, identityId, identitySlug, optionalIdentityId } from './identities'
export { matchingAttributeChoices, objectChoices, writableAttributeChoices } from './pickers'
export {
  attributeSuggestion,
  deepest,
  describeAttribute,
  fieldPath,
  linkExisting,
  MAX_VALUE_DEPTH,
  referTo,
  requiredAttributes,
  showValue,
  unwritableReason
} from './records'
export type { ExistingReference, RecordAssertion, ValueInput, PrepareOptions, WriteOutcome } from './records'
export {
  acceptedFormat,
  isMultiValued,
  normalizeDomain,
  normalizeEmail,
  phoneCountryProblem,
  writeAttributeValue,
  ValueProblem
} from './values'
export type { AttributeType, WireItem, WriteContext } from './values'
export type { AttributeDef, ObjectDef } from './wire'
export { AttioApiError } from './errors'
export { clearSchemaCache } from './schema'
export { clearWriteMemory, writeMemorySize } from './suppression'
export {
  clearListCache,
  DEFAULT_PARENT_MATCHING,
  listAttributeChoices,
  listChoices,
  parentAttributeChoices,
  parentMatchingChoices,
  syncListEntries,
  syncListEntry
} from './lists'
export type { ListDef, ListEntryOutcome, ListEntrySync } from './lists'
export { deleteMatching, noRecordToUpdate, syncBatch, syncModeOf, syncRecord, SYNC_MODES } from './modes'
export type { AssertSyncMode, ModeOutcome } from './modes'
export { DELETION_SCOPES, deleteUserData, deletionScopeOf } from './deletion'
export type { DeletionReport, DeletionScope } from './deletion'
