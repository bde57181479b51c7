/**
 * `npm run soak [-- --events 50000 --seed 2 …]`: the fault soak from the command line. Prints the figures
 * and ends with `soak: N events, D delivered, F failed (non-retryable), L lost, U duplicated, state
 * equal: yes|no`; exits non-zero unless nothing was lost or duplicated and both runs left the same state.
 */
import { DEFAULT_SOAK_OPTIONS, formatReport, runSoak, type SoakOptions } from './soak'
import type { FaultKind } from '../src/emulator'

const USAGE = `usage: npm run soak -- [options]
  --events <n>          events in the workload (default ${DEFAULT_SOAK_OPTIONS.events})
  --seed <n>            workload seed (default ${DEFAULT_SOAK_OPTIONS.seed})
  --lanes <n>           parallel host workers, one token each (default ${DEFAULT_SOAK_OPTIONS.lanes})
  --fault-rate <0..1>   share of requests faulted (default ${DEFAULT_SOAK_OPTIONS.faultRate})
  --fault-seed <n>      seed of the emulator's fault injector (default ${DEFAULT_SOAK_OPTIONS.faultSeed})
  --fault-kinds <list>  subset of 500,503,hang,reset (default all)
  --apply-before-fault <0..1>  share of faulted requests processed first (default ${DEFAULT_SOAK_OPTIONS.applyBeforeFault})
  --hang-ms <n>         how long a hang holds its answer (default ${DEFAULT_SOAK_OPTIONS.hangMs})
  --timeout-ms <n>      the destination's request time-out (default ${DEFAULT_SOAK_OPTIONS.timeoutMs})
  --write-limit <n>     emulator writes a second per token in the fault run (default ${DEFAULT_SOAK_OPTIONS.writesPerSecond})
  --max-attempts <n>    attempts per event before it counts as lost (default ${DEFAULT_SOAK_OPTIONS.host.maxAttempts})
  --suppression <on|off>            redundant-write suppression in the fault run (default on)
  --reference-suppression <on|off>  the same in the fault-free reference run (default off)
  --latency-ms <n>      the fault run's answers held up to this long after processing (default ${DEFAULT_SOAK_OPTIONS.latencyMs}; 0: none)
  --concurrent-share <0..1>  share of identify events sent at the same time as a decoy (default ${DEFAULT_SOAK_OPTIONS.concurrentShare})
  --deletion-rate <0..1>     chance per event of a record deleted in Attio by hand (default ${DEFAULT_SOAK_OPTIONS.deletionRate})
  --no-schema-drift     no option and attribute created in Attio part way through
  --no-spec             do not validate requests against Attio's OpenAPI document`

/** The options the command line asks for (throws with the usage on a mistake). */
export function parseArgs(argv: string[]): Partial<SoakOptions> {
  const options: Partial<SoakOptions> = {}
  const host = { ...DEFAULT_SOAK_OPTIONS.host }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${flag} needs a value`)
      return next
    }
    const number = (min: number, max = Number.MAX_SAFE_INTEGER) => {
      const raw = value()
      const parsed = Number(raw)
      if (!Number.isFinite(parsed) || parsed < min || parsed > max)
        throw new Error(`${flag}: "${raw}" is not a number from ${min} to ${max}`)
      return parsed
    }
    switch (flag) {
      case '--events':
        options.events = Math.floor(number(1))
        break
      case '--seed':
        options.seed = Math.floor(number(0))
        break
      case '--lanes':
        options.lanes = Math.floor(number(1, 64))
        break
      case '--fault-rate':
        options.faultRate = number(0, 1)
        break
      case '--fault-seed':
        options.faultSeed = Math.floor(number(0))
        break
      case '--fault-kinds': {
        const kinds = value().split(',').filter(Boolean)
        const unknown = kinds.filter((kind) => !['500', '503', 'hang', 'reset'].includes(kind))
        if (unknown.length > 0) throw new Error(`--fault-kinds: unknown ${unknown.join(', ')}`)
        options.faultKinds = kinds as FaultKind[]
        break
      }
      case '--apply-before-fault':
        options.applyBeforeFault = number(0, 1)
        break
      case '--hang-ms':
        options.hangMs = Math.floor(number(1))
        break
      case '--timeout-ms':
        options.timeoutMs = Math.floor(number(1))
        break
      case '--write-limit':
        options.writesPerSecond = Math.floor(number(1))
        break
      case '--max-attempts':
        host.maxAttempts = Math.floor(number(1, 100))
        break
      case '--suppression':
      case '--reference-suppression': {
        const raw = value()
        if (raw !== 'on' && raw !== 'off') throw new Error(`${flag}: "${raw}" is not on or off`)
        if (flag === '--suppression') options.suppression = raw === 'on'
        else options.referenceSuppression = raw === 'on'
        break
      }
      case '--latency-ms':
        options.latencyMs = Math.floor(number(0))
        break
      case '--concurrent-share':
        options.concurrentShare = number(0, 1)
        break
      case '--deletion-rate':
        options.deletionRate = number(0, 1)
        break
      case '--no-schema-drift':
        options.schemaDrift = false
        break
      case '--no-spec':
        options.spec = false
        break
      case '--help':
      case '-h':
        console.log(USAGE)
        process.exit(0)
        break
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`)
    }
  }
  options.host = host
  return options
}

async function main(): Promise<void> {
  let options: Partial<SoakOptions>
  try {
    options = parseArgs(process.argv.slice(2))
  } catch (error) {
    console.error((error as Error).message)
    process.exit(2)
  }
  const started = Date.now()
  const report = await runSoak(options)
  for (const line of formatReport(report).slice(0, -1)) console.log(line)
  console.log(`soak: total ${((Date.now() - started) / 1000).toFixed(1)} s`)
  console.log(formatReport(report).at(-1))
  process.exitCode = report.ok ? 0 : 1
}

if (require.main === module) {
  process.on('unhandledRejection', (reason) => {
    console.error('soak: unhandled rejection:', reason)
    process.exitCode = 1
  })
  main().catch((error: unknown) => {
    console.error('soak: crashed:', error)
    process.exit(1)
  })
}
