/**
 * attio-destination: `require('attio-destination').default` (or `import { destination } from …`) is the
 * actions-core destination definition, ready for `new Destination(definition)` or a CDP host.
 *
 * Loading checks that the install can run it (see install-check.ts) and throws IncompatibleInstallError,
 * naming the cause and the fix, when it cannot: once, here, instead of on every event.
 */
import destination from './destinations/attio'
import { assertInstallCanRun } from './install-check'

assertInstallCanRun(destination)

export default destination
export { destination }
export { IncompatibleInstallError } from './install-check'
export type { Settings } from './destinations/attio/generated-types'
// Fleet mode (ATTIO_STATE_URL, docs/fleet.md): the shared state's health for a host's metric, and its shutdown.
export { closeSharedState, setSharedStateWarn, sharedStateReady, sharedStateStatus } from './api/state'
export type { SharedStateStatus } from './api/state'
