/**
 * `npm start`: the destination server with its Edit Mapping / Send test event page, against the embedded
 * Attio emulator (seeded, with Attio's rate limits) or, when ATTIO_API_KEY is set, against that Attio —
 * which may be an emulator started on its own (`npm run emulator`): its records are then shown too.
 * Prints the page's URL, and for the emulator the eval-able ATTIO_API_URL / ATTIO_API_KEY lines on stdout;
 * the request log goes to stderr. Ctrl+C (or SIGTERM) stops everything.
 *
 *   npm start -- [--port N] [--emulator-port N] [--seed seed.json]
 */
import * as config from '../api/core/config'
import { startEmulator, type RunningEmulator } from '../emulator'
import { LocalRunner } from './runner'
import { startLocalServer, type RunningLocalServer } from './server'

export const DEFAULT_PORT = 3000

export const START_USAGE = `Usage: npm start -- [--port N] [--emulator-port N] [--seed <seed.json>]
  --port N            the page's port on 127.0.0.1 (default: PORT, or 3000; 0 = any free port)
  --emulator-port N   the embedded emulator's port (default: any free port)
  --seed <seed.json>  the embedded emulator's seed (default: the bundled one, with a custom object)
Environment: ATTIO_API_KEY (and ATTIO_API_URL) to use that Attio instead of the embedded emulator; a
separately started emulator given this way has its records shown on the page too.`

/** PORT from the environment: a port number, or the default. */
export function portFrom(value: string | undefined, what = 'PORT'): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${what}="${value}" is not a port number (0-65535).`)
  }
  return port
}

export interface StartOptions {
  /** The server's port (over PORT). */
  port?: number
  /** The embedded emulator's port (default: a free one). */
  emulatorPort?: number
  /** The embedded emulator's seed file (default: the bundled seed). */
  seed?: string
}

export class StartUsageError extends Error {}

/** `npm start`'s flags. */
export function parseStartArgs(argv: readonly string[]): StartOptions & { help?: boolean } {
  const options: StartOptions & { help?: boolean } = {}
  const rest = argv.flatMap((arg) =>
    arg.startsWith('--') && arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg]
  )
  const value = (flag: string): string => {
    const next = rest.shift()
    if (next === undefined || next.startsWith('--')) throw new StartUsageError(`${flag} needs a value`)
    return next
  }
  const port = (flag: string): number => {
    const text = value(flag)
    const number = Number(text)
    if (!Number.isInteger(number) || number < 0 || number > 65535)
      throw new StartUsageError(`${flag}: "${text}" is not a port number (0-65535)`)
    return number
  }
  while (rest.length > 0) {
    const flag = rest.shift() as string
    if (flag === '--port') options.port = port(flag)
    else if (flag === '--emulator-port') options.emulatorPort = port(flag)
    else if (flag === '--seed') options.seed = value(flag)
    else if (flag === '--help' || flag === '-h') options.help = true
    else throw new StartUsageError(`unknown flag "${flag}"`)
  }
  return options
}

/**
 * Whether the Attio at this URL is the emulator (its test-only stats route answers): then the page can
 * show its records. Only asked of addresses on this machine, where the emulator listens; never of Attio.
 */
export async function isEmulator(apiUrl: string): Promise<boolean> {
  let host: string
  try {
    host = new URL(apiUrl).hostname
  } catch {
    return false
  }
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) return false
  const { default: got } = await import('got')
  try {
    const stats = await got(`${apiUrl.replace(/\/+$/, '')}/_emulator/stats`, {
      timeout: { request: 1500 },
      retry: { limit: 0 }
    }).json<{ requests?: unknown }>()
    return typeof stats === 'object' && stats !== null && typeof stats.requests === 'object'
  } catch {
    return false
  }
}

export interface StartedLocal {
  server: RunningLocalServer
  /** The embedded emulator, when one was started. */
  emulator?: RunningEmulator
  apiUrl: string
  /** The emulator the page shows the records of: the embedded one, or the one ATTIO_API_URL points at. */
  emulatorUrl?: string
  close(): Promise<void>
}

/** Starts the emulator (unless a key is given) and the server; used by `npm start` and its test. */
export async function startLocal(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void = () => undefined,
  options: StartOptions = {}
): Promise<StartedLocal> {
  const port = options.port ?? portFrom(env.PORT)
  const apiKey = config.apiKey(env)
  let emulator: RunningEmulator | undefined
  let apiUrl: string
  let emulatorUrl: string | undefined
  if (apiKey) {
    if (options.emulatorPort !== undefined || options.seed !== undefined) {
      throw new StartUsageError(
        '--emulator-port and --seed are for the embedded emulator, which is not started when ATTIO_API_KEY is set. Start your emulator with them instead (npm run emulator -- --port N --seed file).'
      )
    }
    apiUrl = config.apiUrl(env)
    if (await isEmulator(apiUrl)) emulatorUrl = apiUrl
  } else {
    emulator = await startEmulator({
      port: options.emulatorPort ?? 0,
      rateLimits: true,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      log: (line) => log(`[attio-emulator] ${line}`)
    })
    apiUrl = emulator.url
    emulatorUrl = emulator.url
  }
  // The destination reads its base URL at call time.
  config.useApiUrl(apiUrl)
  const runner = new LocalRunner({ defaultApiKey: apiKey || emulator?.apiKey })
  let server: RunningLocalServer
  try {
    server = await startLocalServer({
      port,
      runner,
      apiUrl,
      emulatorUrl,
      log: (line) => log(`[local] ${line}`)
    })
  } catch (error) {
    await emulator?.close()
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new Error(
        `Port ${port} on 127.0.0.1 is already in use (another npm start?). Stop that process or choose another port: PORT=${port + 1} npm start`,
        { cause: error }
      )
    }
    throw error
  }
  return {
    server,
    emulator,
    apiUrl,
    emulatorUrl,
    close: async () => {
      await server.close()
      await emulator?.close()
    }
  }
}

async function main(): Promise<void> {
  const options = parseStartArgs(process.argv.slice(2))
  if (options.help) {
    process.stdout.write(`${START_USAGE}\n`)
    return
  }
  const quiet = process.env.LOCAL_QUIET === '1'
  const log = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`)
  }
  const started = await startLocal(process.env, log, options)
  const { server, emulator, apiUrl } = started
  process.stdout.write(`Attio destination: ${server.url}/\n`)
  if (emulator) {
    process.stdout.write(`ATTIO_API_URL=${emulator.url}\nATTIO_API_KEY=${emulator.apiKey}\n`)
    process.stderr.write(
      `Running against the embedded Attio emulator (${options.seed ? `seed ${options.seed}` : 'the bundled seed'}, rate limits on: 100 reads / 25 writes per second). Its records live in memory and vanish on exit. Set ATTIO_API_KEY to use a real workspace.\n`
    )
  } else {
    process.stdout.write(`ATTIO_API_URL=${apiUrl}\n`)
    process.stderr.write(
      started.emulatorUrl
        ? `Running against the emulator at ${apiUrl} with the key in ATTIO_API_KEY: the page shows its records.\n`
        : `Running against ${apiUrl} with the key in ATTIO_API_KEY: test events write to that workspace.\n`
    )
  }
  process.stderr.write(`Open ${server.url}/ in a browser. Ctrl+C to stop.\n`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`${signal}: stopping\n`)
    started.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Could not stop cleanly: ${(error as Error).message}\n`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`)
    if (error instanceof StartUsageError) process.stderr.write(`${START_USAGE}\n`)
    process.exit(error instanceof StartUsageError ? 2 : 1)
  })
}
