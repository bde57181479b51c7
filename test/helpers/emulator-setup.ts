/**
 * The one emulator setup of the tests: the local Attio emulator started once per test file (or describe
 * block), emptied before each test and closed after the file. Both kinds of tests build on it:
 * - tests of the destination (e2e, local, reliability, snapshots): `useEmulator` in ./emulator.ts, which also
 *   gives the emulator Attio's OpenAPI document, points ATTIO_API_URL at it and empties the destination's
 *   caches before each test;
 * - tests of the emulator itself (test/emulator/): `useEmulator` in test/emulator/helpers.ts, which adds a
 *   raw HTTP caller and leaves everything else as the options say.
 * This file imports only the emulator, so the emulator's own tests never load the destination's code.
 */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator'

export interface EmulatorHandle {
  emulator: RunningEmulator
  /** Settings carrying the emulator's API key. */
  settings: { api_key: string }
}

export interface EmulatorHooks {
  /** Right after the emulator started, in the same beforeAll hook. */
  started?: (emulator: RunningEmulator) => void
  /** Before each test, after the emulator was emptied and its counters reset. */
  reset?: () => void
  /** After the file's tests, before the emulator is closed. */
  closing?: () => void
}

/** Starts an emulator (on a free port, with `options`) for the tests of the file or describe block it is called in. */
export function useEmulatorPerFile(options: EmulatorOptions = {}, hooks: EmulatorHooks = {}): EmulatorHandle {
  const handle = {} as EmulatorHandle
  beforeAll(async () => {
    handle.emulator = await startEmulator({ port: 0, ...options })
    handle.settings = { api_key: handle.emulator.apiKey }
    hooks.started?.(handle.emulator)
  })
  beforeEach(() => {
    handle.emulator?.reset()
    handle.emulator?.resetStats()
    hooks.reset?.()
  })
  afterAll(async () => {
    hooks.closing?.()
    await handle.emulator?.close()
  })
  return handle
}
