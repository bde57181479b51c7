/**
 * The worker processes of `npm run fleet` (soak/fleet-worker.ts), seen from the parent: fork one and wait
 * until it is loaded, give it a task and take its result (a worker stays up for further tasks, with its own
 * write memory), and stop it.
 */
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { WorkerResult, WorkerTask } from './fleet-worker'

/** Forks one worker process and waits until it is loaded; a variable `env` maps to undefined is left unset. */
export function startWorker(env: Record<string, string | undefined>): Promise<ChildProcess> {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.test.json'),
    ...env
  }
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name]
  const child = fork(path.join(__dirname, 'fleet-worker.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: merged,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  return new Promise((resolve, reject) => {
    child.once('message', () => {
      child.removeAllListeners('exit')
      resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`a fleet worker exited with ${code} before it was loaded`)))
  })
}

/** Gives a loaded worker a task, answers its waits for the emulator, takes its result. */
export function work(
  child: ChildProcess,
  task: WorkerTask,
  settle: () => Promise<void>
): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const done = () => {
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    const onMessage = (message: { type: string; id?: number; result?: WorkerResult; message?: string }) => {
      if (message.type === 'settle') void settle().then(() => child.send({ type: 'settled', id: message.id }))
      else if (message.type === 'result' && message.result) {
        done()
        resolve(message.result)
      } else if (message.type === 'error') {
        done()
        reject(new Error(`a fleet worker failed: ${message.message}`))
      }
    }
    const onExit = (code: number | null) => {
      done()
      reject(new Error(`a fleet worker exited with ${code} during its task`))
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
    child.send({ type: 'task', task })
  })
}

/** Asks a worker to close its shared state and exit, and waits for it (killed if it takes over 5 s). */
export function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    if (child.connected) child.send({ type: 'close' })
    else child.kill('SIGKILL')
  })
}
