/** Helpers of the local tooling's tests: HTTP through got (as all HTTP outside actions-core is), events, the CLI. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { clearWriteMemory } from '../../src/api'
import { run } from '../../src/local/cli'
import { LocalRunner } from '../../src/local/runner'
import { startLocalServer, type RunningLocalServer } from '../../src/local/server'
import type { EmulatorHandle } from '../helpers/emulator'

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown
}

export async function http(
  url: string,
  options: {
    method?: 'GET' | 'POST'
    body?: unknown
    rawBody?: string
    headers?: Record<string, string>
  } = {}
): Promise<HttpAnswer> {
  const { default: got } = await import('got')
  const response = await got(url, {
    method: options.method ?? (options.body !== undefined || options.rawBody !== undefined ? 'POST' : 'GET'),
    ...(options.body !== undefined ? { json: options.body } : {}),
    ...(options.rawBody !== undefined ? { body: options.rawBody } : {}),
    headers: options.headers,
    throwHttpErrors: false,
    retry: { limit: 0 },
    timeout: { request: 20_000 }
  })
  let json: unknown
  try {
    json = JSON.parse(response.body)
  } catch {
    json = undefined
  }
  return { status: response.statusCode, headers: response.headers, text: response.body, json }
}

/** An identify event as a CDP sends it. */
export function identify(userId: string, email: string, traits: Record<string, unknown> = {}) {
  return {
    type: 'identify',
    userId,
    messageId: `msg-${userId}`,
    receivedAt: '2026-11-22T10:00:00.000Z',
    traits: { email, ...traits }
  }
}

export function group(groupId: string, website: string, userId?: string) {
  return {
    type: 'group',
    groupId,
    ...(userId ? { userId } : {}),
    messageId: `msg-${groupId}`,
    receivedAt: '2026-11-22T10:00:00.000Z',
    traits: { website }
  }
}

/** Runs the attio-destination CLI in-process, capturing what it prints. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = ''
  let stderr = ''
  const code = await run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env
  })
  return { code, stdout, stderr }
}

/**
 * A temporary directory per test, and `file(name, content)` writing into it (content as it is when a
 * string, JSON otherwise). The CLI points ATTIO_API_URL at what it talks to: it is put back after each test.
 */
export function useTempDir(prefix: string) {
  const handle = { dir: '', file: (_name: string, _content: unknown): string => '' }
  let previousUrl: string | undefined
  beforeEach(() => {
    handle.dir = mkdtempSync(path.join(tmpdir(), prefix))
    previousUrl = process.env.ATTIO_API_URL
  })
  afterEach(() => {
    process.env.ATTIO_API_URL = previousUrl
    rmSync(handle.dir, { recursive: true, force: true })
  })
  handle.file = (name: string, content: unknown): string => {
    const target = path.join(handle.dir, name)
    writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content))
    return target
  }
  return handle
}

/** An NDJSON text of events (strings are lines as they are). */
export const ndjson = (lines: unknown[]): string =>
  lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n'

/**
 * The local destination server, in-process, started once per file against the emulator `ctx` holds (with
 * its default API key), and closed after; the destination's write memory is cleared before each test, since
 * the emulator forgets between tests. Returns the running server.
 */
export function useLocalServer(ctx: EmulatorHandle): () => RunningLocalServer {
  let server: RunningLocalServer | undefined
  beforeEach(() => clearWriteMemory())
  beforeAll(async () => {
    server = await startLocalServer({
      port: 0,
      runner: new LocalRunner({ defaultApiKey: ctx.emulator.apiKey }),
      apiUrl: ctx.emulator.url,
      emulatorUrl: ctx.emulator.url
    })
  })
  afterAll(async () => {
    await server?.close()
  })
  return () => {
    if (!server) throw new Error('the local server is not started yet (use it inside a test)')
    return server
  }
}
