// A CommonJS TypeScript host: `npm run test:package` type-checks this file against the installed package.
import { Destination } from '@segment/actions-core'
import destination, { IncompatibleInstallError, type Settings } from 'attio-destination'
import { startEmulator, type EmulatorOptions, type RunningEmulator } from 'attio-destination/emulator'

const settings: Settings = { api_key: 'key', default_phone_country: 'GB', suppress_unchanged_writes: true }
const loaded: Destination<Settings> = new Destination<Settings>(destination)
const options: EmulatorOptions = { port: 0, rateLimits: true }
const started: Promise<RunningEmulator> = startEmulator(options)
const refused = (error: unknown): boolean =>
  error instanceof IncompatibleInstallError && error.code.length > 0

export const used = [settings, loaded, started, refused, destination.presets?.length]
