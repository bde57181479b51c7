import type { EmulatorOptions, RunningEmulator } from '../../src/emulator'
import { useEmulatorPerFile } from '../helpers/emulator-setup'

/** The project's structure-only copy of Attio's OpenAPI document (spec/, made by npm run spec:copy). */
export { COPY_PATH as SPEC_PATH } from '../../scripts/spec-copy'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are only inspected through expect(); any keeps deep property access readable in tests
export type Body = any

export interface Res {
  status: number
  body: Body
  headers: Headers
}

export type Call = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>
) => Promise<Res>

export function caller(emu: RunningEmulator, token: string | null = emu.apiKey): Call {
  return async (method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...headers }
    if (token !== null && !('authorization' in h)) h.authorization = `Bearer ${token}`
    if (body !== undefined) h['content-type'] = 'application/json'
    const r = await fetch(emu.url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    })
    const text = await r.text()
    return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers }
  }
}

/**
 * Starts an emulator for a describe block (the one setup, test/helpers/emulator-setup.ts: emptied before
 * each test, closed afterwards), with the options as given, and a caller with its API key.
 */
export function useEmulator(options: EmulatorOptions = {}): { emu: () => RunningEmulator; call: () => Call } {
  let call: Call | undefined
  const handle = useEmulatorPerFile(options, { started: (emulator) => (call = caller(emulator)) })
  return {
    emu: () => handle.emulator,
    call: () => call as Call
  }
}

export const assertPath = (object: string, matching: string): string =>
  `/v2/objects/${object}/records?matching_attribute=${encodeURIComponent(matching)}`

/** The active values of one attribute in a record response's `data`. */
export const vals = (record: Body, slug: string): Body[] => record.values[slug]

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
