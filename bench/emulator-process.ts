/**
 * The Attio emulator in a child process of its own, so the benchmark's CPU and memory figures for the
 * destination do not include the emulator's work. Started by `EmulatorProcess.start` with its options in
 * `BENCH_EMULATOR_OPTIONS` (JSON); answers requests from the parent over the IPC channel.
 */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/emulator'
import { ALL_SCOPES } from '../src/emulator/server'

export interface EmulatorSpawnOptions {
  /** Attio's limits (100 reads / 25 writes a second per token) on or off. */
  rateLimits?: boolean
  /** Extra API tokens with every scope, one per run, so runs share no credential-keyed state. */
  tokens?: string[]
}

export type EmulatorOp = 'stats' | 'resetStats' | 'reset' | 'settle' | 'bulkLog' | 'cpu' | 'close'
export interface EmulatorRequest {
  id: number
  op: EmulatorOp
}
export interface EmulatorReply {
  id: number
  result?: unknown
  error?: string
}
export interface EmulatorReady {
  ready: true
  url: string
  apiKey: string
}

async function answer(emulator: RunningEmulator, request: EmulatorRequest): Promise<unknown> {
  switch (request.op) {
    case 'stats':
      return emulator.stats()
    case 'resetStats':
      emulator.resetStats()
      return null
    case 'reset':
      emulator.reset()
      return null
    case 'settle':
      await emulator.settle()
      return null
    case 'bulkLog':
      return emulator.bulkLog()
    case 'cpu':
      return process.cpuUsage()
    case 'close':
      await emulator.close()
      return null
  }
}

/** Starts the emulator and serves the parent's requests until it disconnects. */
export async function serveEmulator(): Promise<void> {
  const send = (message: unknown) => process.send?.(message)
  const spawn = JSON.parse(process.env.BENCH_EMULATOR_OPTIONS ?? '{}') as EmulatorSpawnOptions
  const options: EmulatorOptions = {
    port: 0,
    rateLimits: spawn.rateLimits ?? false,
    tokens: (spawn.tokens ?? []).map((token) => ({ token, scopes: ALL_SCOPES }))
  }
  const emulator = await startEmulator(options)
  process.on('message', (message: EmulatorRequest) => {
    answer(emulator, message)
      .then(
        (result) => send({ id: message.id, result } satisfies EmulatorReply),
        (error: unknown) => send({ id: message.id, error: String(error) } satisfies EmulatorReply)
      )
      .finally(() => {
        if (message.op === 'close') process.disconnect?.()
      })
  })
  // The parent going away (a crash, Ctrl+C) ends the emulator too.
  process.on('disconnect', () => {
    void emulator.close().then(() => process.exit(0))
  })
  send({ ready: true, url: emulator.url, apiKey: emulator.apiKey } satisfies EmulatorReady)
}

if (require.main === module) {
  serveEmulator().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
