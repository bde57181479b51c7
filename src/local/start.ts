/**
 * `npm start`: the destination server with its Edit Mapping / Send test event page, against the embedded
 * Attio emulator (seeded, with Attio's rate limits) or, when ATTIO_API_KEY is set, against that Attio.
 * Prints the page's URL, and for the emulator the eval-able ATTIO_API_URL / ATTIO_API_KEY lines on stdout;
 * the request log goes to stderr. Ctrl+C (or SIGTERM) stops everything.
 */
import { DEFAULT_API_URL } from '../api/client'
import { startEmulator, type RunningEmulator } from '../emulator'
import { LocalRunner } from './runner'
import { startLocalServer, type RunningLocalServer } from './server'

export const DEFAULT_PORT = 3000

/** PORT from the environment: a port number, or the default. */
export function portFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT="${value}" is not a port number (0-65535).`)
  }
  return port
}

export interface StartedLocal {
  server: RunningLocalServer
  emulator?: RunningEmulator
  apiUrl: string
  close(): Promise<void>
}

/** Starts the emulator (unless a key is given) and the server; used by `npm start` and its test. */
export async function startLocal(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void = () => undefined
): Promise<StartedLocal> {
  const port = portFrom(env.PORT)
  const apiKey = env.ATTIO_API_KEY?.trim()
  let emulator: RunningEmulator | undefined
  let apiUrl: string
  if (apiKey) {
    apiUrl = (env.ATTIO_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '')
  } else {
    emulator = await startEmulator({
      port: 0,
      rateLimits: true,
      log: (line) => log(`[attio-emulator] ${line}`)
    })
    apiUrl = emulator.url
  }
  // The destination reads its base URL at call time.
  process.env.ATTIO_API_URL = apiUrl
  const runner = new LocalRunner({ defaultApiKey: apiKey || emulator?.apiKey })
  let server: RunningLocalServer
  try {
    server = await startLocalServer({
      port,
      runner,
      apiUrl,
      emulatorUrl: emulator?.url,
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
    close: async () => {
      await server.close()
      await emulator?.close()
    }
  }
}

async function main(): Promise<void> {
  const quiet = process.env.LOCAL_QUIET === '1'
  const log = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`)
  }
  const started = await startLocal(process.env, log)
  const { server, emulator, apiUrl } = started
  process.stdout.write(`Attio destination: ${server.url}/\n`)
  if (emulator) {
    process.stdout.write(`ATTIO_API_URL=${emulator.url}\nATTIO_API_KEY=${emulator.apiKey}\n`)
    process.stderr.write(
      `Running against the embedded Attio emulator (seeded workspace, rate limits on: 100 reads / 25 writes per second). Its records live in memory and vanish on exit. Set ATTIO_API_KEY to use a real workspace.\n`
    )
  } else {
    process.stdout.write(`ATTIO_API_URL=${apiUrl}\n`)
    process.stderr.write(
      `Running against ${apiUrl} with the key in ATTIO_API_KEY: test events write to that workspace.\n`
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
    process.exit(1)
  })
}
