/**
 * The parent's side of the emulator child process (`emulator-process.ts`): starts it, asks it for its
 * stats, resets and settles it, and closes it.
 */
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { BulkLogEntry, EmulatorStats } from '../src/emulator'
import type {
  EmulatorOp,
  EmulatorReady,
  EmulatorReply,
  EmulatorRequest,
  EmulatorSpawnOptions
} from './emulator-process'

/**
 * Forks one of this folder's TypeScript files through ts-node (transpile only), the way `npm run bench`
 * runs the runner itself; `nodeOptions` go before the script (e.g. `--expose-gc`).
 */
export function forkTypeScript(
  file: string,
  env: Record<string, string>,
  nodeOptions: string[] = []
): ChildProcess {
  return fork(path.join(__dirname, file), [], {
    execArgv: [...nodeOptions, '-r', require.resolve('ts-node/register/transpile-only')],
    env: { ...process.env, TS_NODE_PROJECT: path.resolve(__dirname, '../tsconfig.test.json'), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
}

export class EmulatorProcess {
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (e: Error) => void }
  >()

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly apiKey: string
  ) {
    child.on('message', (message: EmulatorReply) => {
      const waiting = this.pending.get(message.id)
      if (!waiting) return
      this.pending.delete(message.id)
      if (message.error !== undefined) waiting.reject(new Error(`emulator: ${message.error}`))
      else waiting.resolve(message.result)
    })
    child.on('exit', (code) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`the emulator exited (${code})`))
      this.pending.clear()
    })
  }

  static start(options: EmulatorSpawnOptions = {}): Promise<EmulatorProcess> {
    const child = forkTypeScript('emulator-process.ts', { BENCH_EMULATOR_OPTIONS: JSON.stringify(options) })
    return new Promise((resolve, reject) => {
      const fail = (code: number | null) => reject(new Error(`the emulator process exited early (${code})`))
      child.once('exit', fail)
      child.once('error', reject)
      child.once('message', (message: EmulatorReady) => {
        child.off('exit', fail)
        resolve(new EmulatorProcess(child, message.url, message.apiKey))
      })
    })
  }

  private call<T>(op: EmulatorOp): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.child.send({ id, op } satisfies EmulatorRequest)
    })
  }

  stats(): Promise<EmulatorStats> {
    return this.call('stats')
  }

  resetStats(): Promise<void> {
    return this.call('resetStats')
  }

  /** Empties every record (definitions stay). */
  reset(): Promise<void> {
    return this.call('reset')
  }

  /** Resolves when every accepted bulk request has been applied. */
  settle(): Promise<void> {
    return this.call('settle')
  }

  bulkLog(): Promise<BulkLogEntry[]> {
    return this.call('bulkLog')
  }

  /** The emulator process's own CPU time so far. */
  cpu(): Promise<NodeJS.CpuUsage> {
    return this.call('cpu')
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    await this.call('close').catch(() => undefined)
    await exited
  }
}
