/**
 * Runs the destination against the local Attio emulator: starts it once per test file (with the
 * project's copy of Attio's OpenAPI document, so every request the destination sends is also checked
 * against Attio's request schemas), points ATTIO_API_URL at it, and empties it before each test.
 */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator'
import { clearListCache, clearSchemaCache, clearWriteMemory } from '../../src/api'

import { COPY_PATH as SPEC_PATH } from '../../scripts/spec-copy'

export interface EmulatorHandle {
  emulator: RunningEmulator
  /** Settings carrying the emulator's API key. */
  settings: { api_key: string }
}

export function useEmulator(options: EmulatorOptions = {}): EmulatorHandle {
  const handle = {} as EmulatorHandle
  let previousUrl: string | undefined
  beforeAll(async () => {
    handle.emulator = await startEmulator({ port: 0, spec: SPEC_PATH, ...options })
    handle.settings = { api_key: handle.emulator.apiKey }
    previousUrl = process.env.ATTIO_API_URL
    process.env.ATTIO_API_URL = handle.emulator.url
  })
  beforeEach(() => {
    handle.emulator.reset()
    handle.emulator.resetStats()
    clearSchemaCache()
    clearWriteMemory()
    clearListCache()
  })
  afterAll(async () => {
    if (previousUrl === undefined) delete process.env.ATTIO_API_URL
    else process.env.ATTIO_API_URL = previousUrl
    await handle.emulator?.close()
  })
  return handle
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
