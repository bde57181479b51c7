/**
 * Fleet mode: the one question a write this process's memory does not cover asks Redis before it is sent
 * (./shared.ts has the rules). Without fleet mode it asks nothing.
 */
import type { WireValues } from '../core/wire-types'
import { sharedWrites, writeDigest } from './shared'
import type { WriteInProgress, WriteMemory } from './write-memory'

/**
 * Whether another worker's write left exactly these values in the record (its id: skip the write), else
 * undefined: the write's keys are claimed for it (`write.shared`), or it is marked sent unasked.
 */
export async function askShared(
  memory: WriteMemory,
  write: WriteInProgress,
  prepared: { object: string; matchingAttribute: string },
  assertValues: WireValues,
  appendValues: WireValues
): Promise<string | undefined> {
  const shared = sharedWrites.memory
  const keys = [...write.write.identities]
  if (!shared || keys.length === 0) return undefined
  const values = writeDigest(prepared.object, prepared.matchingAttribute, assertValues, appendValues)
  const answer = await shared.lookupOrClaim(memory.workspaceKey, keys, values)
  if ('skip' in answer) {
    // Its id is known here now (a later refusal of a link to it forgets it, and with it the shared entry).
    memory.indexRecord(answer.skip, keys, prepared.object)
    return answer.skip
  }
  write.shared = 'claim' in answer ? answer.claim : 'unasked'
  return undefined
}
