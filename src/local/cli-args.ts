/** Command-line arguments of `attio-destination`. */

export const USAGE = `Usage: attio-destination <command> [flags]

Commands:
  send --event <file.json> [--action <slug>] [--mapping <subscriptions.json>] [--settings <file.json>] [--json]
      Runs an action on the event in the file (an array of events runs the batch path), prints every
      HTTP exchange with Attio, and exits 1 when the action (or any event of the batch) failed.
      With --mapping and no --action, the event goes to every subscription of the file whose trigger it
      matches, as a host would send it; with --action, to that action (with its subscription's mapping).

  replay <events.ndjson> [--mapping <subscriptions.json>] [--batch-size N] [--concurrency N] [--resume]
                         [--failures <out.ndjson>] [--settings <file.json>] [--retries N]
      Sends every event to the subscriptions whose trigger it matches: the presets (identify →
      identifyUser, group → groupWorkspace), or those of the mapping file. Under Attio's rate limit, with
      retries, a checkpoint (<events>.checkpoint) and a failures file. Exits 1 when any event failed, 130
      when interrupted (resume with --resume).

  doctor [--mapping <subscriptions.json>] [--settings <file.json>] [--json] [--probe [--yes]]
      Checks that the workspace is ready, reading only: the token and its scopes, the objects (Users and
      Workspaces activated), every attribute the mapping (default: the presets) writes, the lists it
      names, rate limits and the clock. Exits 1 when anything blocks delivery.
      --probe also checks, with test records it deletes afterwards, what the destination assumes of
      Attio beyond its reference (the bulk endpoint, nested links, multiselect, Retry-After); it asks
      before writing unless --yes. Sandbox workspaces only.

  delete --user-id <id> [--scope user|user_and_person] [--settings <file.json>] [--json]
      Runs a user deletion request, as a host sends one: deletes the User whose user_id is <id>
      (--scope user), or it and the Person it links to unless another User links to it (user_and_person).
      The scope defaults to on_delete_request of the settings file. Never Companies or Workspaces.
      Already gone is a success. Exits 1 when a request failed.

  help
      Prints this help.

The mapping file holds subscriptions, as a host keeps them and as the local page exports them:
  {"subscriptions": [{"partnerAction": "identifyUser", "subscribe": "type = \\"identify\\"", "mapping": {…}}]}

Credentials: ATTIO_API_KEY / ATTIO_API_URL from the environment, or api_key / api_url in the settings
file (doctor also takes an OAuth access token in ATTIO_ACCESS_TOKEN). Without any, send and replay start
an in-process Attio emulator (its records vanish on exit).`

export interface SendArgs {
  command: 'send'
  action?: string
  event: string
  mapping?: string
  settings?: string
  json: boolean
}

export interface ReplayArgs {
  command: 'replay'
  file: string
  mapping?: string
  batchSize: number
  concurrency?: number
  resume: boolean
  failures?: string
  settings?: string
  retries?: number
}

export interface DoctorArgs {
  command: 'doctor'
  mapping?: string
  settings?: string
  json: boolean
  probe: boolean
  yes: boolean
}

export interface DeleteArgs {
  command: 'delete'
  userId: string
  scope?: 'user' | 'user_and_person'
  settings?: string
  json: boolean
}

/** The commands with a usage of their own (`<command> --help`, `help <command>`). */
export type HelpTopic = 'send' | 'replay' | 'doctor' | 'delete'
const TOPICS: readonly HelpTopic[] = ['send', 'replay', 'doctor', 'delete']

/**
 * `help` asks for the usage (exit 0): a command's own with `topic`; `none` is no command at all (the usage,
 * exit 2).
 */
export type CliArgs =
  | SendArgs
  | ReplayArgs
  | DoctorArgs
  | DeleteArgs
  | { command: 'help'; topic?: HelpTopic }
  | { command: 'none' }

/**
 * One command's usage, taken from `USAGE` (its lines under "Commands:", up to the blank line after them),
 * with the credentials paragraph; the full usage without a topic.
 */
export function usageOf(topic?: HelpTopic): string {
  if (!topic) return USAGE
  const lines = USAGE.split('\n')
  const start = lines.findIndex((line) => line.startsWith(`  ${topic} `))
  let end = start
  while (end < lines.length && lines[end].trim() !== '') end += 1
  const [first, ...rest] = lines.slice(start, end)
  const credentials = USAGE.slice(USAGE.indexOf('Credentials:'))
  return [`Usage: attio-destination ${first.trim()}`, ...rest, '', credentials].join('\n')
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): CliArgs {
  const rest: string[] = []
  for (const arg of argv) {
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0) rest.push(arg.slice(0, eq), arg.slice(eq + 1))
    else rest.push(arg)
  }
  const command = rest.shift()
  if (command === undefined) return { command: 'none' }
  if (command === 'help' || command === '--help' || command === '-h') {
    const topic = rest[0] as HelpTopic | undefined
    return topic !== undefined && TOPICS.includes(topic) ? { command: 'help', topic } : { command: 'help' }
  }
  const value = (flag: string): string => {
    const next = rest.shift()
    if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`)
    return next
  }
  const integer = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const text = value(flag)
    const number = Number(text)
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new UsageError(`${flag}: "${text}" is not a whole number from ${min} to ${max}`)
    }
    return number
  }

  if (command === 'send') {
    const args: Partial<SendArgs> = { command: 'send', json: false }
    while (rest.length > 0) {
      const flag = rest.shift() as string
      if (flag === '--action') args.action = value(flag)
      else if (flag === '--event') args.event = value(flag)
      else if (flag === '--mapping') args.mapping = value(flag)
      else if (flag === '--settings') args.settings = value(flag)
      else if (flag === '--json') args.json = true
      else if (flag === '--help' || flag === '-h') return { command: 'help', topic: 'send' }
      else throw new UsageError(`send: unknown flag "${flag}"`)
    }
    if (!args.event) throw new UsageError('send needs --event <file.json>')
    if (!args.action && !args.mapping) {
      throw new UsageError(
        'send needs --action <slug> (e.g. --action identifyUser), or --mapping <subscriptions.json> to send the event to the subscriptions it matches'
      )
    }
    return args as SendArgs
  }

  if (command === 'replay') {
    const args: Partial<ReplayArgs> = { command: 'replay', batchSize: 1, resume: false }
    while (rest.length > 0) {
      const flag = rest.shift() as string
      if (flag === '--batch-size') args.batchSize = integer(flag, 1, 10_000)
      else if (flag === '--mapping') args.mapping = value(flag)
      else if (flag === '--concurrency') args.concurrency = integer(flag, 1, 16)
      else if (flag === '--resume') args.resume = true
      else if (flag === '--failures') args.failures = value(flag)
      else if (flag === '--settings') args.settings = value(flag)
      else if (flag === '--retries') args.retries = integer(flag, 0, 20)
      else if (flag === '--help' || flag === '-h') return { command: 'help', topic: 'replay' }
      else if (flag.startsWith('--')) throw new UsageError(`replay: unknown flag "${flag}"`)
      else if (args.file === undefined) args.file = flag
      else throw new UsageError(`replay takes one events file; "${flag}" is one too many`)
    }
    if (!args.file) throw new UsageError('replay needs the events file: replay events.ndjson')
    return args as ReplayArgs
  }

  if (command === 'doctor') return parseDoctor(rest, value)
  if (command === 'delete') return parseDelete(rest, value)

  throw new UsageError(`unknown command "${command}"`)
}

function parseDoctor(rest: string[], value: (flag: string) => string): CliArgs {
  const args: DoctorArgs = { command: 'doctor', json: false, probe: false, yes: false }
  while (rest.length > 0) {
    const flag = rest.shift() as string
    if (flag === '--mapping') args.mapping = value(flag)
    else if (flag === '--settings') args.settings = value(flag)
    else if (flag === '--json') args.json = true
    else if (flag === '--probe') args.probe = true
    else if (flag === '--yes' || flag === '-y') args.yes = true
    else if (flag === '--help' || flag === '-h') return { command: 'help', topic: 'doctor' }
    else throw new UsageError(`doctor: unknown flag "${flag}"`)
  }
  if (args.yes && !args.probe) throw new UsageError('doctor: --yes confirms --probe; give both, or neither')
  return args
}

function parseDelete(rest: string[], value: (flag: string) => string): CliArgs {
  const args: Partial<DeleteArgs> = { command: 'delete', json: false }
  while (rest.length > 0) {
    const flag = rest.shift() as string
    if (flag === '--user-id') args.userId = value(flag)
    else if (flag === '--scope') {
      const scope = value(flag)
      if (scope !== 'user' && scope !== 'user_and_person')
        throw new UsageError(`delete: --scope "${scope}" is not one of user, user_and_person`)
      args.scope = scope
    } else if (flag === '--settings') args.settings = value(flag)
    else if (flag === '--json') args.json = true
    else if (flag === '--help' || flag === '-h') return { command: 'help', topic: 'delete' }
    else throw new UsageError(`delete: unknown flag "${flag}"`)
  }
  if (!args.userId?.trim())
    throw new UsageError('delete needs --user-id <id> (the userId of the User to delete)')
  return args as DeleteArgs
}
