// An ES module TypeScript host: `npm run test:package` type-checks this file against the installed package.
import pkg, { destination, type Settings } from 'attio-destination'
import { createRequire } from 'node:module'

// actions-core's ES build does not load in Node; an ES host takes its CommonJS build, as this package does.
const { Destination } = createRequire(import.meta.url)(
  '@segment/actions-core'
) as typeof import('@segment/actions-core')

const settings: Settings = { api_key: 'key' }
const same: boolean = pkg.default === destination
const loaded = new Destination<Settings>(destination)

export const used = [settings, same, loaded]
