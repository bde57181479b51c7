/**
 * The load-time check that the host's install can run this destination at all.
 *
 * actions-core keeps one ajv instance and registers every schema it validates under a key: the settings
 * under `${definition.name}:settings` (`Destination.validateSettings`, run by testAuthentication, onEvent
 * and onBatch) and each action's fields under `${definition.name}:${action.title}` (`Action.execute` and
 * `executeBatch`). ajv treats such a key as a URI: `getSchema` and `addSchema` pass it through its URI
 * resolver, fast-uri. From 3.1.6 on, fast-uri refuses a URI scheme that is not RFC 3986's
 * `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`, and "Attio (Actions)" (everything before the first
 * colon) has a space and parentheses: every call would fail with "URI scheme is malformed.".
 *
 * package.json asks for a fast-uri that accepts the key, and npm places it where a fresh host's ajv finds
 * it. A host whose tree already gives ajv a later fast-uri (it installed ajv or fast-uri itself first) is
 * not fixed by that, and nothing inside a package can fix it; so loading fails at once, naming the cause
 * and the line the host adds, rather than every event failing later.
 *
 * The same goes for a second copy of actions-core. actions-core recognises what performBatch returns by
 * class (`instanceof MultiStatusResponse`): when the host's Destination comes from one copy and this
 * package's MultiStatusResponse from another, onBatch answers every event 200, failed ones included. A
 * host that pins another version gets such a copy; when the host has loaded it before this package (as
 * it does to get `Destination`), loading fails too.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

/** Loads a module by its resolved path (the ajv actions-core finds, wherever npm put it). */
const loadModule = createRequire(__filename)

/** What this check needs of ajv: the two calls actions-core makes with the key. */
interface AjvLike {
  getSchema(key: string): unknown
  addSchema(schema: object, key: string): AjvLike
}
export type AjvConstructor = new (options: Record<string, unknown>) => AjvLike

/** The fast-uri version hosts pin; the last one that accepts the destination's name as a URI scheme. */
export const WORKING_FAST_URI = '3.1.5'

/** The line a host adds to its package.json (npm), scoped to ajv so the host's own fast-uri is untouched. */
export const NPM_OVERRIDE_LINE = `"overrides": { "ajv": { "fast-uri": "${WORKING_FAST_URI}" } }`

/** The keys actions-core registers schemas under for this definition. */
export function schemaKeys(definition: {
  name: string
  actions: Record<string, { title: string }>
}): string[] {
  return [
    `${definition.name}:settings`,
    ...Object.values(definition.actions).map((action) => `${definition.name}:${action.title}`)
  ]
}

/** The first key this ajv cannot register a schema under, with ajv's error; undefined when all work. */
export function unusableKey(
  keys: string[],
  Ajv: AjvConstructor
): { key: string; reason: string } | undefined {
  // A throwaway instance: actions-core's own one must not get schemas under its keys from here.
  const ajv = new Ajv({ meta: false, validateSchema: false })
  for (const key of keys) {
    try {
      // The exact calls of actions-core's validateSchema.
      if (!ajv.getSchema(key)) ajv.addSchema({ type: 'object' }, key).getSchema(key)
    } catch (error) {
      return { key, reason: error instanceof Error ? error.message : String(error) }
    }
  }
  return undefined
}

export class IncompatibleInstallError extends Error {
  readonly code = 'ATTIO_DESTINATION_INCOMPATIBLE_INSTALL'
  constructor(message: string) {
    super(message)
    this.name = 'IncompatibleInstallError'
  }
}

interface Copy {
  dir: string
  version: string
}

function versionAt(packageDir: string): string {
  try {
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
      version?: unknown
    }
    return typeof manifest.version === 'string' ? manifest.version : 'unknown'
  } catch {
    return 'unknown'
  }
}

/** The directory of a package as `require` resolves it from `from`. */
function packageDirectory(name: string, from: string): string {
  const entry = require.resolve(name, { paths: [from] })
  const marker = path.join(path.sep, 'node_modules', name, path.sep)
  const at = entry.lastIndexOf(marker)
  return at === -1 ? path.dirname(entry) : entry.slice(0, at + marker.length - 1)
}

/** actions-core's CommonJS entry below its package folder. */
const ACTIONS_CORE_ENTRY = path.join(path.sep, '@segment', 'actions-core', 'dist', 'cjs', 'index.js')

/** Folders of the actions-core copies whose CommonJS entry this process has loaded, `ours` (an entry) aside. */
export function otherLoadedCopies(
  ours: string,
  loaded: string[] = Object.keys(require.cache ?? {})
): string[] {
  const below = path.join('dist', 'cjs', 'index.js').length + 1
  return loaded
    .filter((file) => file !== ours && file.endsWith(ACTIONS_CORE_ENTRY))
    .map((file) => file.slice(0, -below))
}

export function twoCopiesMessage(ours: Copy, theirs: Copy): string {
  return (
    `attio-destination cannot run with this install: this process has loaded @segment/actions-core ` +
    `${theirs.version} (${theirs.dir}), and attio-destination uses another copy, ${ours.version} ` +
    `(${ours.dir}). actions-core recognises a batch's per-event results by class, so with two copies ` +
    `onBatch would answer every event 200, failed ones included. Fix: install the version ` +
    `attio-destination uses, so that npm keeps one copy:\n\n  npm install @segment/actions-core@${ours.version}\n`
  )
}

/** The message a host sees; it names the files involved so the host can check its tree. */
export function incompatibleInstallMessage(found: {
  name: string
  key: string
  reason: string
  ajvDir: string
  fastUri: Copy
}): string {
  return (
    `attio-destination cannot run with this install: the ajv that @segment/actions-core uses ` +
    `(${found.ajvDir}) loads fast-uri ${found.fastUri.version} (${found.fastUri.dir}), which refuses ` +
    `the schema key "${found.key}" (${found.reason}). fast-uri 3.1.6 and later refuse a URI scheme ` +
    `with spaces or parentheses, and actions-core builds its schema keys from the destination's name ` +
    `"${found.name}", so every testAuthentication, onEvent and onBatch would fail. Fix: add this line ` +
    `to your package.json and run npm install again:\n\n  ${NPM_OVERRIDE_LINE}\n\n` +
    `(yarn: "resolutions": { "ajv/fast-uri": "${WORKING_FAST_URI}" }; ` +
    `pnpm: "pnpm": { "overrides": { "ajv>fast-uri": "${WORKING_FAST_URI}" } }).`
  )
}

/**
 * Throws IncompatibleInstallError when the actions-core this package loads cannot validate under the
 * definition's schema keys. `from` is where resolution starts (this package's folder).
 */
export function assertInstallCanRun(
  definition: { name: string; actions: Record<string, { title: string }> },
  from: string = __dirname
): void {
  const located = locate(from)
  // Where the install cannot be inspected (a bundle, an unusual loader), there is nothing to report:
  // the check only ever refuses on what it found.
  if (!located) return
  const { entry, ours, ajvDir, Ajv } = located
  const [theirs] = otherLoadedCopies(entry)
  if (theirs) {
    throw new IncompatibleInstallError(
      twoCopiesMessage({ dir: ours, version: versionAt(ours) }, { dir: theirs, version: versionAt(theirs) })
    )
  }
  const found = unusableKey(schemaKeys(definition), Ajv)
  if (!found) return
  let fastUri: Copy = { dir: 'not found', version: 'unknown' }
  try {
    const dir = packageDirectory('fast-uri', ajvDir)
    fastUri = { dir, version: versionAt(dir) }
  } catch {
    // Named as "not found"; the message still names ajv's folder.
  }
  throw new IncompatibleInstallError(
    incompatibleInstallMessage({ name: definition.name, ...found, ajvDir, fastUri })
  )
}

/** actions-core's entry and folder as this package resolves them, and the ajv that entry loads. */
function locate(
  from: string
): { entry: string; ours: string; ajvDir: string; Ajv: AjvConstructor } | undefined {
  try {
    const entry: unknown = require.resolve('@segment/actions-core', { paths: [from] })
    if (typeof entry !== 'string') return undefined
    // actions-core's `require('ajv')` starts from its entry's folder; so does this.
    const ajvDir = packageDirectory('ajv', path.dirname(entry))
    const ajvModule = loadModule(ajvDir) as { default?: AjvConstructor } & AjvConstructor
    const Ajv = ajvModule.default ?? ajvModule
    if (typeof Ajv !== 'function') return undefined
    return { entry, ours: packageDirectory('@segment/actions-core', from), ajvDir, Ajv }
  } catch {
    return undefined
  }
}
