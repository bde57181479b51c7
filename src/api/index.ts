/**
 * The Attio client's public surface for the actions (everything about Attio's wire format is in here).
 */
export { Attio, connect, recordsWrittenBefore, toMultiStatus } from './attio'
export { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, deliverBatch } from './batch'
export type { BatchItem, BatchOptions, BatchReport, EventOutcome } from './batch'
export type { ConnectionInput } from './attio'
export { AttioClient, attioBaseUrl, credentialOf, secretsOf, NO_CREDENTIAL_MESSAGE } from './client'
export type { RecordId } from './client'
export { REQUIRED_SCOPES } from './errors'
export { identityDomain, identityEmail, identityId, identitySlug, optionalIdentityId } from './identities'
export { matchingAttributeChoices, objectChoices, writableAttributeChoices } from './pickers'
export { deepest, fieldPath, linkExisting, MAX_VALUE_DEPTH, referTo } from './records'
export type { ExistingReference, RecordAssertion, ValueInput, PrepareOptions, WriteOutcome } from './records'
export { normalizeDomain, normalizeEmail, phoneCountryProblem, ValueProblem } from './values'
export { clearSchemaCache } from './schema'
export { clearWriteMemory, writeMemorySize } from './suppression'
