/**
 * A real redis-server for the fleet tests, started by the test on a free port (no persistence), which the
 * test may stop and start again on the same port. When Debian's redis-server is not installed the test
 * fails and says so: CI installs it (.ci/run), and never skips these tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, Socket } from 'node:net'

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server'

export function redisServerMissing(): string | undefined {
  if (existsSync(REDIS_SERVER)) return undefined
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim()
  if (found) return undefined
  return `redis-server is not installed (looked for ${REDIS_SERVER} and on PATH): install Debian's package (apt-get install redis-server; .ci/run does it as root)`
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(200, () => done(false))
    socket.once('error', () => done(false))
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

export class RedisServer {
  private child: ChildProcess | undefined

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  static async start(): Promise<RedisServer> {
    const missing = redisServerMissing()
    if (missing) throw new Error(missing)
    const server = new RedisServer(await freePort())
    await server.resume()
    return server
  }

  /** Starts the server (again) on its port, empty. */
  async resume(): Promise<void> {
    const command = existsSync(REDIS_SERVER) ? REDIS_SERVER : 'redis-server'
    this.child = spawn(
      command,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--enable-debug-command',
        'local'
      ],
      { stdio: 'ignore' }
    )
    const deadline = Date.now() + 5000
    while (!(await answers(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  /** Stops the server and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child
    this.child = undefined
    if (!child || child.exitCode !== null) return
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    })
  }
}
