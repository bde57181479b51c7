// A CommonJS TypeScript host with classic (node10) module resolution: `npm run test:package` type-checks
// this file against the installed package, so the subpath `attio-destination/emulator` resolves there too.
import destination from 'attio-destination'
import { startEmulator, type EmulatorOptions } from 'attio-destination/emulator'

const options: EmulatorOptions = { port: 0 }
export const used = [destination.name, startEmulator, options]
