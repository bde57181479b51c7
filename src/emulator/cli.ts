#!/usr/bin/env node
/**
 * CLI of the Attio emulator. Prints exactly two eval-able lines on stdout:
 *   ATTIO_API_URL=http://127.0.0.1:PORT
 *   ATTIO_API_KEY=<token>
 * and everything else on stderr. Ctrl+C / SIGTERM close it cleanly.
 */
import { parseCliArgs, USAGE } from './cli-args'
import { ALL_SCOPES } from './auth'
import { startEmulator } from './server'

async function main(): Promise<void> {
  let args
  try {
    args = parseCliArgs(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`attio-emulator: ${(e as Error).message}\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  if (args.help) {
    process.stderr.write(`${USAGE}\n`)
    return
  }
  const options = { ...args.options }
  if (args.token) options.tokens = [{ token: args.token, scopes: ALL_SCOPES }]
  if (!args.quiet) options.log = (line: string) => process.stderr.write(`[attio-emulator] ${line}\n`)
  const emulator = await startEmulator(options)
  process.stdout.write(`ATTIO_API_URL=${emulator.url}\nATTIO_API_KEY=${emulator.apiKey}\n`)
  const limits = options.rateLimits === false ? 'off' : '100 reads/25 writes per second per token'
  process.stderr.write(
    `[attio-emulator] listening on ${emulator.url} (rate limits: ${limits}; faults: ${
      options.faults ? `${options.faults.rate} seed ${options.faults.seed}` : 'off'
    }; spec validation: ${options.spec ?? 'off'}); Ctrl+C to stop\n`
  )
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    process.stderr.write(`[attio-emulator] ${signal}: closing\n`)
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((e: unknown) => {
  process.stderr.write(`attio-emulator: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
