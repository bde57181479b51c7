/**
 * The batch path's shapes: what an action hands it (`BatchItem`), what it answers (`EventOutcome`,
 * `BatchReport`), the merged records it sends and the one run object every step reads and fills.
 */
import type { ErrorCodes } from '@segment/actions-core'
import type { AttioClient } from '../client'
import type { RecordId } from '../core/wire-types'
import type { AttioApiError } from '../errors'
import type { ExistingReference, PrepareOptions, PreparedRecord, RecordAssertion } from '../records'

export const MAX_BATCH_SIZE = 10_000
export const DEFAULT_BATCH_SIZE = 1000
/** How long the fallback queue may keep starting work; a CDP host allows an action about 30 s. */
export const DEFAULT_TIME_BUDGET_MS = 25_000

export interface BatchItem {
  /** Builds the event's record (normalising and checking its identities); throws what the single path would. */
  build: () => RecordAssertion
  options: PrepareOptions
  /** When the CDP received the event (ISO 8601); orders merging. */
  receivedAt?: string
}

/** The error types a host understands: the names of actions-core's `ErrorCodes` (HTTP ones and its own). */
export type ErrorType = keyof typeof ErrorCodes

export type EventOutcome =
  | { ok: true; status: number; sent: Record<string, unknown>; body: Record<string, unknown> }
  | { ok: false; status: number; errortype: ErrorType; message: string; sent?: Record<string, unknown> }

export interface BatchReport {
  outcomes: EventOutcome[]
  /** Requests and assertions sent, for the debug view and the benchmark. */
  requests: number
  assertions: number
  nestedAssertions: number
  path: 'bulk' | 'queue' | 'none'
}

export interface ReferenceSlot {
  attribute: string
  append: boolean
  multi: boolean
  keys: string[]
}

export interface LookupSlot {
  attribute: string
  append: boolean
  multi: boolean
  references: ExistingReference[]
}

/**
 * A record merged from every event of the batch that carries it: a prepared record's identity and values,
 * with its references, lookups and attribute lists kept as the merge needs them (by key, as sets).
 */
export interface MergedRecord extends Pick<
  PreparedRecord,
  | 'object'
  | 'label'
  | 'matchingAttribute'
  | 'matchingKey'
  | 'assertValues'
  | 'appendValues'
  | 'replaceMultiselect'
> {
  key: string
  multiValued: Set<string>
  references: Map<string, ReferenceSlot>
  lookups: Map<string, LookupSlot>
  /** Attributes Attio requires to create the record. */
  required: Set<string>
  /** The object's unique attributes. */
  unique: Set<string>
  receivedAt: string
  /** What its values take as JSON, at most: the sum over the events merged into it (see `assertionBytes`). */
  bytes: number
  /** The keys an event carrying this record alone carries (`[key]`), shared by those events (merge.ts). */
  alone?: readonly string[]
  /** The last list of keys an event carried before this record, and that list with this record's key. */
  carriedFrom?: readonly string[]
  carriedTo?: readonly string[]
}

export interface BatchOptions {
  batchSize?: number
  timeBudgetMs?: number
}

/**
 * A linked record this process sent through the bulk endpoint a moment ago: asserted again inside the link,
 * with the values its memory holds when the request is built (`BulkSentMemory`).
 */
export interface Reassert {
  reassert: true
}

export type Resolved = Map<string, RecordId | AttioApiError | Reassert>

/** Links of one record through one attribute, at most `LINKS_PER_ASSERTION`: one assertion. */
export interface LinkUnit {
  record: MergedRecord
  attribute: string
  references: ExistingReference[]
}

/**
 * One delivery of a batch, past merging: what the bulk step and the queue read (the client, the merged
 * records and their roots, the lookups resolved) and what they fill in (each record's outcome, each link's
 * fate, the report's counts). One object instead of a list of parameters, three of them mutated.
 */
export interface BatchRun {
  client: AttioClient
  /** The merged records, by key. */
  records: Map<string, MergedRecord>
  /** The records no other one references: each is one top-level assertion. */
  roots: MergedRecord[]
  /** Top-level assertions per bulk request, at most. */
  batchSize: number
  /** The existing records the batch links to, as the lookups found them. */
  resolved: Resolved
  /** Filled in: each merged record's outcome (by key; the worst one when several requests carry it). */
  status: Map<string, EventOutcome>
  /** Filled in: per link of a record to a linked record (`linkKey`), sent, or the linked record is missing. */
  linked: Map<string, true | AttioApiError>
  /** Filled in: the path taken and the assertions sent. */
  report: BatchReport
}
