/**
 * A local Attio emulator: an in-memory Attio workspace behind an HTTP server, for local runs, end-to-end tests,
 * benchmarks and fault-injection soak tests. Independent of the rest of the project: it imports nothing from
 * outside `src/emulator` and follows Attio's docs and OpenAPI document.
 */
export { startEmulator } from './server'
export type {
  AttributeType,
  BulkLogEntry,
  EmulatorActor,
  EmulatorFaultOptions,
  EmulatorOptions,
  EmulatorRecordState,
  EmulatorSeed,
  EmulatorSeedAttribute,
  EmulatorSeedMember,
  EmulatorSeedObject,
  EmulatorState,
  EmulatorStats,
  EmulatorTokenConfig,
  EmulatorValue,
  FaultKind,
  RunningEmulator
} from './types'
