/**
 * Runs the destination against the local Attio emulator, through the one setup (./emulator-setup.ts):
 * starts it once per test file (with the project's copy of Attio's OpenAPI document, so every request the
 * destination sends is also checked against Attio's request schemas), points ATTIO_API_URL at it, and
 * empties it and the destination's caches before each test.
 */
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator'
import { clearListCache, clearSchemaCache, clearWriteMemory } from '../../src/api'
import { useEmulatorPerFile, type EmulatorHandle } from './emulator-setup'

import { COPY_PATH as SPEC_PATH } from '../../scripts/spec-copy'

export type { EmulatorHandle } from './emulator-setup'

export function useEmulator(options: EmulatorOptions = {}): EmulatorHandle {
  let previousUrl: string | undefined
  return useEmulatorPerFile(
    { spec: SPEC_PATH, ...options },
    {
      started: (emulator) => {
        previousUrl = process.env.ATTIO_API_URL
        process.env.ATTIO_API_URL = emulator.url
      },
      reset: () => {
        clearSchemaCache()
        clearWriteMemory()
        clearListCache()
      },
      closing: () => {
        if (previousUrl === undefined) delete process.env.ATTIO_API_URL
        else process.env.ATTIO_API_URL = previousUrl
      }
    }
  )
}

type Values = Record<string, Array<Record<string, unknown>>>

/** The records of an object in the emulator, as Attio's read responses show their values. */
export function recordsOf(
  emulator: RunningEmulator,
  object: string
): Array<{ record_id: string; values: Values }> {
  const state = emulator.state() as unknown as Record<string, Array<{ record_id: string; values: Values }>>
  return state[object] ?? []
}

/** The first value property of each active value of an attribute, e.g. email_address of emails. */
export function valuesOf(
  record: { values: Values } | undefined,
  attribute: string,
  property: string
): unknown[] {
  return (record?.values[attribute] ?? []).map((value) => value[property])
}
