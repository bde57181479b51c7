/** Command-line flags of the emulator CLI. */
import { FAULT_KINDS, type EmulatorOptions, type FaultKind, type OptionalObjectSlug } from './types'

export const USAGE = `Usage: attio-emulator [flags]
  --port <n>              port on 127.0.0.1 (default: random free port)
  --token <t>             API token to accept, with all scopes (default: a random one)
  --seed <file>           seed JSON (custom objects and attributes, members); default: the bundled seed
  --spec <file>           validate requests against Attio's openapi.json
  --no-rate-limits        disable the 100 reads / 25 writes per second per token limits
  --faults <rate>         inject faults into this share (0..1) of requests
  --fault-seed <n>        seed of the fault injector (default 1)
  --fault-kinds <list>    comma-separated subset of 500,503,hang,reset (default: all)
  --hang-ms <n>           how long a 'hang' fault holds the response (default 15000)
  --no-bulk               answer 404 on PUT /v2/batch/records
  --bulk-delay-ms <n>     delay before bulk assertions are applied (default 50)
  --deactivate <list>     comma-separated optional objects to deactivate: deals,users,workspaces
  --quiet                 do not log requests to stderr
  --help                  show this help`

export interface CliArgs {
  options: EmulatorOptions
  token?: string
  quiet: boolean
  help: boolean
}

const OPTIONAL: readonly OptionalObjectSlug[] = ['deals', 'users', 'workspaces']

/** A parse in progress: the result so far, the fault flags (combined at the end), the next values. */
interface Parse {
  args: CliArgs
  options: EmulatorOptions
  faults: { rate?: number; seed: number; kinds?: FaultKind[]; hangMs?: number }
  /** The flag's value: the next argument, which must not be a flag. */
  value(flag: string): string
  /** The flag's value as an integer >= `min` (default 0). */
  int(flag: string, min?: number): number
}

/** A comma-separated list, items trimmed. */
const listOf = (v: string): string[] => v.split(',').map((s) => s.trim())

function faultRate(p: Parse, flag: string): void {
  const v = p.value(flag)
  p.faults.rate = Number(v)
  if (!(p.faults.rate >= 0 && p.faults.rate <= 1))
    throw new Error(`--faults: "${v}" is not a rate between 0 and 1`)
}

function faultKinds(p: Parse, flag: string): void {
  const kinds = listOf(p.value(flag))
  for (const k of kinds)
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`--fault-kinds: unknown kind "${k}"`)
  p.faults.kinds = kinds as FaultKind[]
}

function deactivate(p: Parse, flag: string): void {
  const objects: Partial<Record<OptionalObjectSlug, boolean>> = {}
  for (const o of listOf(p.value(flag)).filter(Boolean)) {
    if (!(OPTIONAL as readonly string[]).includes(o))
      throw new Error(`--deactivate: "${o}" is not one of ${OPTIONAL.join(', ')}`)
    objects[o as OptionalObjectSlug] = false
  }
  p.options.objects = objects
}

/** Every flag (USAGE lists them) and what it sets. */
const FLAGS = new Map<string, (p: Parse, flag: string) => void>([
  ['--port', (p, f) => (p.options.port = p.int(f))],
  ['--token', (p, f) => (p.args.token = p.value(f))],
  ['--seed', (p, f) => (p.options.seed = p.value(f))],
  ['--spec', (p, f) => (p.options.spec = p.value(f))],
  ['--no-rate-limits', (p) => (p.options.rateLimits = false)],
  ['--faults', faultRate],
  ['--fault-seed', (p, f) => (p.faults.seed = p.int(f))],
  ['--fault-kinds', faultKinds],
  ['--hang-ms', (p, f) => (p.faults.hangMs = p.int(f))],
  ['--no-bulk', (p) => (p.options.bulkEndpoint = false)],
  ['--bulk-delay-ms', (p, f) => (p.options.bulkDelayMs = p.int(f))],
  ['--deactivate', deactivate],
  ['--quiet', (p) => (p.args.quiet = true)],
  ['--help', (p) => (p.args.help = true)],
  ['-h', (p) => (p.args.help = true)]
])

export function parseCliArgs(argv: string[]): CliArgs {
  const options: EmulatorOptions = { rateLimits: true }
  const rest = [...argv]
  const value = (flag: string): string => {
    const v = rest.shift()
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`)
    return v
  }
  const int = (flag: string, min = 0): number => {
    const v = value(flag)
    const n = Number(v)
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: "${v}" is not an integer >= ${min}`)
    return n
  }
  const p: Parse = { args: { options, quiet: false, help: false }, options, faults: { seed: 1 }, value, int }
  while (rest.length > 0) {
    const arg = rest.shift() as string
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0) {
      // --flag=value reads as --flag value.
      rest.unshift(arg.slice(eq + 1))
      rest.unshift(arg.slice(0, eq))
      continue
    }
    const set = FLAGS.get(arg)
    if (!set) throw new Error(`unknown flag "${arg}"`)
    set(p, arg)
  }
  const { rate, seed, kinds, hangMs } = p.faults
  if (rate !== undefined && rate > 0) options.faults = { seed, rate, kinds, hangMs }
  return p.args
}
