/**
 * `npm run bench [-- options]`: runs the benchmark, prints the machine, the table, the extra lines and
 * the targets, and exits non-zero when a target fails (after printing everything).
 *
 * Options: --write (also regenerate BENCHMARKS.md), --profile (profile the batch path's CPU run), --json <file> (the raw figures), --events <n>,
 * --batch-identifies <n>, --batch-groups <n>, --batch-size <n>, --big-batch-events <n>, --big-batch-users <n>,
 * --warm-identifies <n>, --lanes <n>, --warmup-events <n>, --seed <n>, --cpu-events <n>, --cpu-rounds <n>.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { markdownReport, targets, textReport } from './report'
import { DEFAULT_CONFIG, runBench, type BenchConfig } from './runner'

type NumericOption = {
  [K in keyof BenchConfig]: BenchConfig[K] extends number ? K : never
}[keyof BenchConfig]

const NUMERIC: Record<string, NumericOption> = {
  '--events': 'events',
  '--batch-identifies': 'batchIdentifies',
  '--batch-groups': 'batchGroups',
  '--batch-size': 'batchSize',
  '--big-batch-events': 'bigBatchEvents',
  '--big-batch-users': 'bigBatchUsers',
  '--warm-identifies': 'warmIdentifies',
  '--lanes': 'lanes',
  '--warmup-events': 'warmupEvents',
  '--seed': 'seed',
  '--cpu-events': 'cpuEvents',
  '--cpu-rounds': 'cpuRounds'
}

interface Cli {
  config: BenchConfig
  write: boolean
  json?: string
}

export function parseArgs(args: readonly string[]): Cli {
  const cli: Cli = { config: { ...DEFAULT_CONFIG }, write: false }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '--write') cli.write = true
    else if (arg === '--profile') cli.config.profile = true
    else if (arg === '--json') cli.json = args[++i]
    else if (arg in NUMERIC) {
      const value = Number(args[++i])
      if (
        !Number.isInteger(value) ||
        value < (['--seed', '--warmup-events', '--batch-groups'].includes(arg) ? 0 : 1)
      )
        throw new Error(`${arg} needs a whole number, got "${args[i]}"`)
      cli.config[NUMERIC[arg]] = value
    } else throw new Error(`unknown option "${arg}" (see bench/run.ts)`)
  }
  return cli
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const cli = parseArgs(args)
  const result = await runBench(cli.config, (line) => process.stderr.write(`bench: ${line}\n`))
  console.log(textReport(result))
  if (cli.json) writeFileSync(cli.json, `${JSON.stringify(result, null, 2)}\n`)
  if (cli.write) {
    const file = path.resolve(__dirname, '../BENCHMARKS.md')
    const command = ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ')
    writeFileSync(file, markdownReport(result, command, new Date()))
    console.log(`Wrote ${path.relative(process.cwd(), file)}.`)
  }
  if (targets(result).some((target) => !target.pass)) process.exitCode = 1
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 2
  })
}
