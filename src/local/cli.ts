#!/usr/bin/env node
/**
 * `attio-destination`: run the destination from the command line.
 *
 *   attio-destination send --action identifyUser --event event.json [--mapping m.json] [--settings s.json]
 *   attio-destination replay events.ndjson [--batch-size N] [--resume] [--failures out.ndjson]
 *
 * Exchanges and summaries go to stdout; notices and the progress bar to stderr.
 */
import { readFileSync } from 'node:fs'
import { DEFAULT_API_URL } from '../api/client'
import type { Settings } from '../destinations/attio/generated-types'
import { startEmulator, type RunningEmulator } from '../emulator'
import { parseArgs, USAGE, UsageError, type ReplayArgs, type SendArgs } from './cli-args'
import type { Exchange } from './exchanges'
import { Progress, formatDuration, type ProgressStream } from './progress'
import { replay, ReplayUsageError, type ReplayResult } from './replay'
import { LocalRunner, type ActionAnswer } from './runner'

export interface CliIo {
  stdout: { write(text: string): unknown }
  stderr: ProgressStream
  env: NodeJS.ProcessEnv
  /** Aborted on SIGINT/SIGTERM (replay finishes the events in flight, then stops). */
  signal?: AbortSignal
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

function readJsonFile(file: string, what: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${file}: ${(error as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UsageError(`the ${what} file ${file} is not valid JSON: ${(error as Error).message}`)
  }
}

function readObjectFile(file: string | undefined, what: string): Record<string, unknown> {
  if (!file) return {}
  const value = readJsonFile(file, what)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`the ${what} file ${file} must hold a JSON object`)
  }
  return value as Record<string, unknown>
}

interface Target {
  runner: LocalRunner
  settings: Partial<Settings>
  emulator?: RunningEmulator
}

/** Where events go: the key and URL given, or an in-process emulator when there is no key. */
export async function resolveTarget(settingsFile: string | undefined, io: CliIo): Promise<Target> {
  const { api_url: fileUrl, ...fileSettings } = readObjectFile(settingsFile, 'settings')
  const settings = fileSettings as Partial<Settings>
  const apiKey =
    (typeof settings.api_key === 'string' && settings.api_key.trim()) || io.env.ATTIO_API_KEY?.trim()
  const givenUrl = (typeof fileUrl === 'string' && fileUrl.trim()) || io.env.ATTIO_API_URL?.trim()
  if (apiKey) {
    const url = givenUrl || DEFAULT_API_URL
    process.env.ATTIO_API_URL = url.replace(/\/+$/, '')
    return { runner: new LocalRunner({ defaultApiKey: apiKey }), settings: { ...settings, api_key: apiKey } }
  }
  const emulator = await startEmulator({ port: 0, rateLimits: true })
  process.env.ATTIO_API_URL = emulator.url
  io.stderr.write(
    `No Attio credential (ATTIO_API_KEY, or api_key in a settings file): using an in-process Attio emulator at ${emulator.url} (seeded, rate limits on). Its records vanish when this command exits.\n`
  )
  if (givenUrl) {
    io.stderr.write('ATTIO_API_URL / api_url is ignored without a key.\n')
  }
  return { runner: new LocalRunner({ defaultApiKey: emulator.apiKey }), settings, emulator }
}

const compact = (value: unknown, max: number): string => {
  if (value === undefined) return ''
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > max ? `${text.slice(0, max - 1)}… (${text.length} characters)` : text
}

export function formatExchange(exchange: Exchange): string {
  const lines = [`${exchange.method.padEnd(5)} ${exchange.url}  → ${exchange.status}`]
  if (exchange.request.body !== undefined)
    lines.push(`      sent:     ${compact(exchange.request.body, 4000)}`)
  if (exchange.response.body !== undefined) {
    const max = exchange.method === 'GET' ? 200 : 600
    lines.push(`      received: ${compact(exchange.response.body, max)}`)
  }
  return lines.join('\n')
}

export function formatAnswer(answer: ActionAnswer): string {
  const lines: string[] = []
  const outcome = answer.ok ? 'ok' : 'FAILED'
  lines.push(
    `${answer.action}${answer.batch ? ` (batch of ${answer.multistatus?.length ?? '?'})` : ''}: ${outcome} in ${answer.durationMs} ms, ${answer.exchanges.length} HTTP exchange${answer.exchanges.length === 1 ? '' : 's'} with Attio`
  )
  for (const exchange of answer.exchanges) lines.push(formatExchange(exchange))
  if (answer.error) {
    const error = answer.error
    lines.push(
      `error: ${error.status}${error.code ? ` ${error.code}` : ''}${error.field ? ` (field ${error.field})` : ''}: ${error.message}`
    )
  }
  if (answer.result !== undefined) lines.push(`result: ${compact(answer.result, 4000)}`)
  answer.multistatus?.forEach((entry, index) => {
    const ok = entry.status >= 200 && entry.status < 300
    lines.push(
      `event ${index + 1}: ${entry.status} ${ok ? 'ok' : `${entry.errortype ?? 'error'}${entry.field ? ` (field ${entry.field})` : ''}: ${entry.errormessage ?? ''}`}`
    )
  })
  return `${lines.join('\n')}\n`
}

async function send(args: SendArgs, io: CliIo): Promise<number> {
  const event = readJsonFile(args.event, 'event')
  const mapping = readObjectFile(args.mapping, 'mapping')
  const actions = new LocalRunner()
  if (!actions.hasAction(args.action)) {
    throw new UsageError(
      `unknown action "${args.action}": the actions are ${actions.actionSlugs().join(', ')}`
    )
  }
  const target = await resolveTarget(args.settings, io)
  try {
    const answer = await target.runner.runAction(args.action, {
      payload: event,
      mapping,
      settings: target.settings
    })
    io.stdout.write(args.json ? `${JSON.stringify(answer, null, 2)}\n` : formatAnswer(answer))
    return answer.ok ? EXIT.ok : EXIT.failed
  } finally {
    await target.emulator?.close()
  }
}

export function formatSummary(result: ReplayResult, file: string): string {
  const { tallies } = result
  const seconds = result.durationMs / 1000
  const rate = seconds > 0 ? result.doneThisRun / seconds : 0
  const lines: string[] = []
  const state = result.interrupted ? 'interrupted' : result.complete ? 'finished' : 'stopped'
  lines.push(
    `Replay of ${file} ${state}: ${result.alreadyDone + result.doneThisRun} of ${result.total} events processed` +
      (result.alreadyDone > 0 ? ` (${result.alreadyDone} by earlier runs)` : '') +
      `; this run: ${result.doneThisRun} in ${formatDuration(result.durationMs)} (${rate.toFixed(1)} events/s).`
  )
  const byAction = Object.entries(tallies.deliveredByAction)
    .map(([action, count]) => `${action} ${count}`)
    .join(', ')
  lines.push(`  delivered ${tallies.delivered}${byAction ? ` (${byAction})` : ''}`)
  lines.push(`  failed    ${tallies.failed}`)
  for (const [reason, count] of Object.entries(tallies.failureReasons).sort((a, b) => b[1] - a[1])) {
    lines.push(`    ${String(count).padStart(6)}  ${reason}`)
  }
  lines.push(`  skipped   ${tallies.skipped}`)
  for (const [reason, count] of Object.entries(tallies.skipReasons).sort((a, b) => b[1] - a[1])) {
    lines.push(`    ${String(count).padStart(6)}  ${reason}`)
  }
  lines.push(`  retries ${tallies.retries}, 429 answers from Attio ${tallies.rateLimited}`)
  if (result.failuresFile) {
    lines.push(
      `Failed events: ${result.failuresFile} (reasons, line by line: ${result.reasonsFile}). Fix them and send them again with: attio-destination replay ${result.failuresFile}`
    )
  }
  if (!result.complete) {
    lines.push(
      `Checkpoint: ${result.checkpointFile}. Continue with: attio-destination replay ${file} --resume`
    )
  }
  return `${lines.join('\n')}\n`
}

async function replayCommand(args: ReplayArgs, io: CliIo): Promise<number> {
  const target = await resolveTarget(args.settings, io)
  try {
    const result = await replay({
      file: args.file,
      runner: target.runner,
      settings: target.settings,
      batchSize: args.batchSize,
      concurrency: args.concurrency,
      resume: args.resume,
      failuresFile: args.failures,
      retries: args.retries,
      signal: io.signal,
      progress: new Progress(io.stderr),
      notice: (line) => io.stderr.write(`${line}\n`)
    })
    io.stdout.write(formatSummary(result, args.file))
    if (result.interrupted) return EXIT.interrupted
    return result.tallies.failed > 0 ? EXIT.failed : EXIT.ok
  } finally {
    await target.emulator?.close()
  }
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv)
    if (args.command === 'help') {
      io.stdout.write(`${USAGE}\n`)
      return EXIT.ok
    }
    return args.command === 'send' ? await send(args, io) : await replayCommand(args, io)
  } catch (error) {
    if (error instanceof UsageError || error instanceof ReplayUsageError) {
      io.stderr.write(`attio-destination: ${error.message}\n`)
      if (error instanceof UsageError) io.stderr.write(`Run "attio-destination help" for the usage.\n`)
      return EXIT.usage
    }
    throw error
  }
}

if (require.main === module) {
  const controller = new AbortController()
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1
    if (signals > 1) {
      process.stderr.write(
        `\n${signal} again: quitting now; events in flight may be sent again on --resume.\n`
      )
      process.exit(EXIT.interrupted)
    }
    process.stderr.write(
      `\n${signal}: finishing the events in flight and writing the checkpoint (${signal} again quits at once).\n`
    )
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal
  }).then(
    (code) => {
      process.exitCode = code
      // Idle keep-alive sockets to Attio must not hold the process open.
      setTimeout(() => process.exit(code), 200).unref()
    },
    (error: unknown) => {
      process.stderr.write(`attio-destination: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = EXIT.failed
    }
  )
}
