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

// eslint-disable-next-line max-lines-per-function -- Over 80 lines: one branch per documented option; to be a table of options (issue 14).
export function parseCliArgs(argv: string[]): CliArgs {
  const options: EmulatorOptions = { rateLimits: true }
  const args: CliArgs = { options, quiet: false, help: false }
  let faultRate: number | undefined
  let faultSeed = 1
  let faultKinds: FaultKind[] | undefined
  let hangMs: number | undefined
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
  while (rest.length > 0) {
    const arg = rest.shift() as string
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0) {
      rest.unshift(arg.slice(eq + 1))
      rest.unshift(arg.slice(0, eq))
      continue
    }
    switch (arg) {
      case '--port':
        options.port = int(arg)
        break
      case '--token':
        args.token = value(arg)
        break
      case '--seed':
        options.seed = value(arg)
        break
      case '--spec':
        options.spec = value(arg)
        break
      case '--no-rate-limits':
        options.rateLimits = false
        break
      case '--faults': {
        const v = value(arg)
        faultRate = Number(v)
        if (!(faultRate >= 0 && faultRate <= 1))
          throw new Error(`--faults: "${v}" is not a rate between 0 and 1`)
        break
      }
      case '--fault-seed':
        faultSeed = int(arg)
        break
      case '--fault-kinds': {
        const kinds = value(arg)
          .split(',')
          .map((k) => k.trim())
        for (const k of kinds)
          if (!(FAULT_KINDS as readonly string[]).includes(k))
            throw new Error(`--fault-kinds: unknown kind "${k}"`)
        faultKinds = kinds as FaultKind[]
        break
      }
      case '--hang-ms':
        hangMs = int(arg)
        break
      case '--no-bulk':
        options.bulkEndpoint = false
        break
      case '--bulk-delay-ms':
        options.bulkDelayMs = int(arg)
        break
      case '--deactivate': {
        const objects: Partial<Record<OptionalObjectSlug, boolean>> = {}
        for (const o of value(arg)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          if (!(OPTIONAL as readonly string[]).includes(o))
            throw new Error(`--deactivate: "${o}" is not one of ${OPTIONAL.join(', ')}`)
          objects[o as OptionalObjectSlug] = false
        }
        options.objects = objects
        break
      }
      case '--quiet':
        args.quiet = true
        break
      case '--help':
      case '-h':
        args.help = true
        break
      default:
        throw new Error(`unknown flag "${arg}"`)
    }
  }
  if (faultRate !== undefined && faultRate > 0)
    options.faults = { seed: faultSeed, rate: faultRate, kinds: faultKinds, hangMs }
  return args
}
