/**
 * Fleet mode's shared write memory (issue 19): what a write left in Attio, kept in Redis as one digest per
 * unique value's key, so a worker may skip a write another worker made. src/api/state sets the
 * implementation (`sharedWrites.memory`); without it (no `ATTIO_STATE_URL`) nothing here does anything.
 *
 * The rules (docs/fleet.md, "What is shared"): a write this process's own memory does not cover asks Redis,
 * in one round trip, whether every key it carries names the same record with exactly these values, committed
 * less than `SHARED_WINDOW_MS` ago in the current epoch with no write of it in flight; if so it is skipped,
 * else its keys are claimed (a token: a write in flight). After Attio's success the claim is committed (the
 * values' digest, the record id); anything else (a failure, an overlap, a cancellation, a deletion, a bulk
 * request) deletes the keys. A write made while Redis could not be asked leaves the process "dirty": before
 * its next use of Redis it moves the epoch on, which makes every entry written before it a miss.
 */
import { canonical } from '../core/text'
import type { WireValues } from '../core/wire-types'
import { digest } from './digests'

/**
 * How long after its commit a shared entry may make another worker skip a write (as `CONFIRM_MS`: a record
 * Attio named that recently is trusted to exist). Older entries are misses (and Redis drops them).
 */
export const SHARED_WINDOW_MS = 30 * 1000

/** The keys one write claimed, and what it must commit. */
export interface SharedClaim {
  workspaceKey: string
  /** The claimed keys (digests of the write's unique values). */
  keys: string[]
  token: string
  /** The epoch the claim was made in: a commit in a later epoch stores nothing. */
  epoch: string
  /** The digest of the write's values. */
  values: string
}

/** What Redis said of a write: skip it (the record's id), claimed, or not asked (Redis down or slow). */
export type SharedAnswer = { skip: string } | { claim: SharedClaim } | { unasked: true }

/** What fleet mode's Redis does for the write memory (src/api/state/shared-memory.ts). */
export interface SharedWriteMemory {
  lookupOrClaim(workspaceKey: string, keys: string[], values: string): Promise<SharedAnswer>
  /** Attio answered the write: the claim is stored, and the record's other keys deleted. */
  commit(claim: SharedClaim, recordId: string, otherKeys: string[]): void
  /** What Attio holds for these keys is uncertain (or changed by a write without a claim): deleted. */
  forget(workspaceKey: string, keys: string[]): void
  /** A write was sent without a claim while shared state is configured: the epoch must move on. */
  unclaimed(): void
  /**
   * A bulk request carries these keys: deleted, and for `BULK_UNSETTLED_MS` no worker's commit of the record
   * stores anything (Attio may still apply the request over it), also one that missed this worker's message.
   */
  unsettle(workspaceKey: string, keys: string[]): void
}

/** Set by src/api/state in fleet mode; absent otherwise. */
export const sharedWrites: { memory?: SharedWriteMemory } = {}

/** The digest of everything one write sends: equal digests, equal writes. */
export function writeDigest(
  object: string,
  matchingAttribute: string,
  assertValues: WireValues,
  appendValues: WireValues
): string {
  return digest(canonical([object, matchingAttribute, assertValues, appendValues]))
}

/**
 * What fleet mode's Redis keeps of the bulk-sent memory (src/api/state/shared-bulk.ts): which records were
 * sent in bulk less than `BULK_APPLY_WINDOW_MS` ago and not seen since, by any worker, so a worker that
 * missed the others' messages (it started later, or its subscriber was down) still answers a link to one of
 * them with a retryable 503, never a final 404. Keys are the bulk-sent memory's digests (workspace included).
 */
export interface SharedBulkMemory {
  /** A bulk request carrying the record went out: pending for `BULK_APPLY_WINDOW_MS`. */
  sent(key: string): void
  /** The record was seen in Attio: missing means deleted. */
  seen(key: string): void
  /** Whether any worker sent it in bulk within the window and none saw it since; undefined: Redis did not answer. */
  pending(key: string): Promise<boolean | undefined>
}

/** Set by src/api/state in fleet mode; absent otherwise. */
export const sharedBulk: { memory?: SharedBulkMemory } = {}
