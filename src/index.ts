/**
 * attio-destination: `require('attio-destination').default` (or `import destination from …`) is the
 * actions-core destination definition, ready for `new Destination(definition)` or a CDP host.
 */
import destination from './destinations/attio'

export default destination
export { destination }
