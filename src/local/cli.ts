#!/usr/bin/env node
/**
 * `attio-destination`: run the destination from the command line.
 *
 *   attio-destination send --event event.json [--action identifyUser] [--mapping subscriptions.json]
 *   attio-destination replay events.ndjson [--mapping subscriptions.json] [--batch-size N] [--resume]
 *   attio-destination doctor [--mapping subscriptions.json] [--json] [--probe [--yes]]
 *   attio-destination delete --user-id <id> [--scope user|user_and_person]
 *
 * Exchanges and summaries go to stdout; notices and the progress bar to stderr. Every file is read and
 * checked before anything starts (an emulator included), so a mistake costs nothing.
 */
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { DEFAULT_API_URL } from '../api/client'
import * as config from '../api/core/config'
import type { Settings } from '../destinations/attio/generated-types'
import { startEmulator, type RunningEmulator } from '../emulator'
import {
  parseArgs,
  USAGE,
  usageOf,
  UsageError,
  type CliArgs,
  type DeleteArgs,
  type DoctorArgs,
  type ReplayArgs,
  type SendArgs
} from './cli-args'
import { formatAnswer, formatSummary } from './cli-format'
import { formatJson, formatReport, runDoctor } from './doctor'
import { MappingFileError, parseMappingFile, type Subscription } from './mapping-file'
import { Progress, type ProgressStream } from './progress'
import { checkReplay, replay, ReplayUsageError } from './replay'
import { presetSubscriptions, SubscriptionRouter, triggerMatches } from './routing'
import { LocalRunner, type ActionAnswer } from './runner'

export interface CliIo {
  stdout: { write(text: string): unknown }
  stderr: ProgressStream
  env: NodeJS.ProcessEnv
  /** Where `doctor --probe` reads its confirmation from (none: not confirmed). */
  stdin?: NodeJS.ReadableStream
  /** Aborted on SIGINT/SIGTERM (replay finishes the events in flight, then stops). */
  signal?: AbortSignal
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${file}: ${(error as Error).message}`)
  }
}

function readJsonFile(file: string, what: string): unknown {
  const text = readText(file, what)
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

/** The subscriptions of a mapping file, checked against the destination; a usage error when unusable. */
function readMappingFile(file: string, runner: LocalRunner): Subscription[] {
  try {
    return parseMappingFile(readText(file, 'mapping'), file, runner.actionCatalog()).subscriptions
  } catch (error) {
    if (error instanceof MappingFileError) throw new UsageError(error.message)
    throw error
  }
}

interface Target {
  runner: LocalRunner
  settings: Partial<Settings>
  emulator?: RunningEmulator
}

/** The settings file's settings, and the API key and URL from it or from the environment. */
function credentialsFrom(settingsFile: string | undefined, env: NodeJS.ProcessEnv) {
  const { api_url: fileUrl, ...fileSettings } = readObjectFile(settingsFile, 'settings')
  const settings = fileSettings as Partial<Settings>
  const fileKey = typeof settings.api_key === 'string' ? settings.api_key.trim() : ''
  const apiKey = fileKey || config.apiKey(env)
  const givenUrl = (typeof fileUrl === 'string' && fileUrl.trim()) || config.configuredApiUrl(env)
  const keySource = fileKey ? `the api_key of ${settingsFile}` : 'ATTIO_API_KEY'
  return { settings, apiKey, keySource, givenUrl }
}

/** Where events go: the key and URL given, or an in-process emulator when there is no key. */
export async function resolveTarget(settingsFile: string | undefined, io: CliIo): Promise<Target> {
  const { settings, apiKey, givenUrl } = credentialsFrom(settingsFile, io.env)
  if (apiKey) {
    const url = givenUrl || DEFAULT_API_URL
    config.useApiUrl(url.replace(/\/+$/, ''))
    return { runner: new LocalRunner({ defaultApiKey: apiKey }), settings: { ...settings, api_key: apiKey } }
  }
  const emulator = await startEmulator({ port: 0, rateLimits: true })
  config.useApiUrl(emulator.url)
  io.stderr.write(
    `No Attio credential (ATTIO_API_KEY, or api_key in a settings file): using an in-process Attio emulator at ${emulator.url} (seeded, rate limits on). Its records vanish when this command exits.\n`
  )
  if (givenUrl) {
    io.stderr.write('ATTIO_API_URL / api_url is ignored without a key.\n')
  }
  return { runner: new LocalRunner({ defaultApiKey: emulator.apiKey }), settings, emulator }
}

/** One run `send` makes: an action on the event (or events), with the subscription it comes from. */
interface SendRun {
  subscription?: Subscription
  action: string
  payload: unknown
}

/** The runs for `send --action`: that action, with the first subscription of the file for it. */
async function runsForAction(args: SendArgs, event: unknown, file: Subscription[] | undefined, io: CliIo) {
  const action = args.action as string
  const runner = new LocalRunner()
  if (!runner.hasAction(action)) {
    throw new UsageError(`unknown action "${action}": the actions are ${runner.actionSlugs().join(', ')}`)
  }
  const ofAction = file?.filter((subscription) => subscription.partnerAction === action)
  if (file && ofAction?.length === 0) {
    const has = [...new Set(file.map((subscription) => subscription.partnerAction))].join(', ')
    throw new UsageError(`${args.mapping} has no subscription for ${action} (it has ${has})`)
  }
  const subscription = ofAction?.[0]
  const trigger = subscription?.subscribe ?? runner.definition.actions[action].defaultSubscription
  const events = Array.isArray(event) ? event : [event]
  if (trigger && !(await Promise.all(events.map((e) => triggerMatches(trigger, e)))).every(Boolean)) {
    io.stderr.write(
      `warning: ${events.length > 1 ? 'some events do' : 'the event does'} not match the trigger ${trigger} of ${action}: a host would not send ${events.length > 1 ? 'them' : 'it'} to ${action} (replay would skip ${events.length > 1 ? 'them' : 'it'}). Sending as asked.\n`
    )
  }
  return [{ subscription, action, payload: event }]
}

/** The runs for `send --mapping` without --action: every subscription the event (each event) matches. */
async function runsForSubscriptions(
  args: SendArgs,
  event: unknown,
  file: Subscription[]
): Promise<SendRun[]> {
  const router = new SubscriptionRouter(file, args.mapping)
  const events = Array.isArray(event) ? event : [event]
  const groups = new Map<number, { subscription: Subscription; events: unknown[] }>()
  const reasons: string[] = []
  for (const item of events) {
    const routed = await router.route(item)
    if (!routed.ok) reasons.push(routed.reason)
    else
      for (const route of routed.routes) {
        const group = groups.get(route.index) ?? { subscription: file[route.index], events: [] }
        group.events.push(item)
        groups.set(route.index, group)
      }
  }
  if (groups.size === 0) throw new NothingToSend(`nothing was sent: ${reasons[0] ?? 'no event'}`)
  return [...groups.values()].map(({ subscription, events: matched }) => ({
    subscription,
    action: subscription.partnerAction,
    payload: Array.isArray(event) ? matched : matched[0]
  }))
}

class NothingToSend extends Error {}

async function send(args: SendArgs, io: CliIo): Promise<number> {
  const event = readJsonFile(args.event, 'event')
  const file = args.mapping ? readMappingFile(args.mapping, new LocalRunner()) : undefined
  let runs: SendRun[]
  try {
    runs = args.action
      ? await runsForAction(args, event, file, io)
      : await runsForSubscriptions(args, event, file as Subscription[])
  } catch (error) {
    if (!(error instanceof NothingToSend)) throw error
    io.stderr.write(`attio-destination: ${error.message}\n`)
    return EXIT.failed
  }
  const target = await resolveTarget(args.settings, io)
  try {
    const answers: Array<{ subscription?: string; answer: ActionAnswer }> = []
    for (const run of runs) {
      const answer = await target.runner.runAction(run.action, {
        payload: run.payload,
        mapping: run.subscription?.mapping,
        settings: target.settings
      })
      answers.push({ subscription: run.subscription?.name, answer })
    }
    if (args.json) {
      const shown = args.action ? answers[0].answer : answers
      io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
    } else {
      for (const { subscription, answer } of answers) {
        io.stdout.write(
          `${subscription && !args.action ? `subscription "${subscription}": ` : ''}${formatAnswer(answer)}`
        )
      }
    }
    return answers.every(({ answer }) => answer.ok) ? EXIT.ok : EXIT.failed
  } finally {
    await target.emulator?.close()
  }
}

async function replayCommand(args: ReplayArgs, io: CliIo): Promise<number> {
  // Everything the replay reads is checked before an emulator starts.
  const subscriptions = args.mapping ? readMappingFile(args.mapping, new LocalRunner()) : undefined
  checkReplay({ file: args.file, failuresFile: args.failures, resume: args.resume })
  const target = await resolveTarget(args.settings, io)
  try {
    const result = await replay({
      file: args.file,
      runner: target.runner,
      settings: target.settings,
      subscriptions,
      subscriptionsFrom: args.mapping,
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
    if (result.credentialRefused) {
      io.stderr.write(
        `Stopped: Attio refused the credential (${result.credentialRefused}). No more events were sent, and the refused ones are not failures: fix ATTIO_API_KEY (or api_key in the settings file), then run again with --resume.\n`
      )
      return EXIT.failed
    }
    if (result.interrupted) return EXIT.interrupted
    return result.tallies.failed > 0 ? EXIT.failed : EXIT.ok
  } finally {
    await target.emulator?.close()
  }
}

/** Asks a yes/no question on stderr and reads the answer from stdin: yes only for "y" or "yes". */
async function confirm(question: string, io: CliIo): Promise<boolean> {
  io.stderr.write(question)
  if (!io.stdin) return false
  const lines = createInterface({ input: io.stdin, terminal: false })
  try {
    for await (const line of lines) return /^\s*y(es)?\s*$/i.test(line)
    return false
  } finally {
    lines.close()
  }
}

async function doctorCommand(args: DoctorArgs, io: CliIo): Promise<number> {
  const runner = new LocalRunner()
  const subscriptions = args.mapping ? readMappingFile(args.mapping, runner) : undefined
  const { settings, apiKey, keySource, givenUrl } = credentialsFrom(args.settings, io.env)
  const token = config.accessToken(io.env)
  const report = await runDoctor({
    apiUrl: (givenUrl || DEFAULT_API_URL).replace(/\/+$/, ''),
    credential: apiKey ?? token ?? '',
    credentialSource: apiKey ? keySource : token ? 'ATTIO_ACCESS_TOKEN (OAuth)' : 'no credential',
    settings,
    subscriptions: subscriptions ?? presetSubscriptions(runner.definition),
    subscriptionsFrom: args.mapping ?? 'the presets',
    runner,
    probe: args.probe ? { confirm: async (question) => args.yes || (await confirm(question, io)) } : undefined
  })
  io.stdout.write(args.json ? formatJson(report) : formatReport(report))
  return report.ready ? EXIT.ok : EXIT.failed
}

/**
 * A deletion's answer for a person: what was deleted and kept (actions-core does not hand a deletion's
 * HTTP exchanges to the caller, so there are none to print).
 */
function formatDeletion(answer: ActionAnswer, userId: string): string {
  if (!answer.ok) return formatAnswer(answer)
  const report = answer.result as
    | {
        scope: string
        deleted: Array<{ object: string; record_id: string }>
        kept: Array<{ record_id: string; reason: string }>
      }
    | undefined
  const lines = [`onDelete: ok in ${answer.durationMs} ms (scope ${report?.scope ?? '?'})`]
  if (!report || report.deleted.length === 0)
    lines.push(`  nothing to delete: Attio has no User with user_id ${JSON.stringify(userId)}`)
  for (const record of report?.deleted ?? []) lines.push(`  deleted ${record.object} ${record.record_id}`)
  for (const record of report?.kept ?? []) lines.push(`  kept people ${record.record_id}: ${record.reason}`)
  return `${lines.join('\n')}\n`
}

async function deleteCommand(args: DeleteArgs, io: CliIo): Promise<number> {
  const { settings } = credentialsFrom(args.settings, io.env)
  const scope = args.scope ?? settings.on_delete_request
  if (scope !== 'user' && scope !== 'user_and_person') {
    throw new UsageError(
      'delete needs --scope user or --scope user_and_person (or on_delete_request in the settings file): what to delete'
    )
  }
  const target = await resolveTarget(args.settings, io)
  try {
    const answer = await target.runner.runDeletion(args.userId, {
      settings: { ...target.settings, on_delete_request: scope }
    })
    io.stdout.write(args.json ? `${JSON.stringify(answer, null, 2)}\n` : formatDeletion(answer, args.userId))
    return answer.ok ? EXIT.ok : EXIT.failed
  } finally {
    await target.emulator?.close()
  }
}

type Command = Exclude<CliArgs, { command: 'help' } | { command: 'none' }>

/** The commands, by name: each takes its own parsed arguments. */
const COMMANDS: {
  [Name in Command['command']]: (args: Extract<Command, { command: Name }>, io: CliIo) => Promise<number>
} = { send, replay: replayCommand, doctor: doctorCommand, delete: deleteCommand }

function runCommand<C extends Command>(args: C, io: CliIo): Promise<number> {
  // The table pairs each name with the handler of that name's arguments.
  const handler = COMMANDS[args.command] as (args: C, io: CliIo) => Promise<number>
  return handler(args, io)
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv)
    if (args.command === 'help') {
      io.stdout.write(`${usageOf(args.topic)}\n`)
      return EXIT.ok
    }
    if (args.command === 'none') {
      io.stderr.write(`${USAGE}\n`)
      return EXIT.usage
    }
    return await runCommand(args, io)
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
    stdin: process.stdin,
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
