/**
 * Request bodies: reading one (at most 64 MB, else 413), parsing it as JSON (else Attio's invalid_json
 * validation error), and the `data.values` object a record write carries.
 */
import type { IncomingMessage } from 'node:http'

import { ApiError, payloadError } from './errors'

const MAX_BODY_BYTES = 64 * 1024 * 1024

/** The raw body, or null when the request has none. Rejects with a 413 ApiError past the size cap. */
export const readBody = (req: IncomingMessage): Promise<Buffer | null> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'invalid_request_error', 'content_too_large', 'Request body too large.'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(size === 0 ? null : Buffer.concat(chunks)))
    req.on('error', reject)
  })

/** The parsed JSON of a raw body (undefined without one); throws a 400 on invalid JSON. */
export function parseJsonBody(raw: Buffer | null): unknown {
  if (raw === null) return undefined
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch (e) {
    throw payloadError([{ code: 'invalid_json', path: [], message: `Invalid JSON: ${(e as Error).message}` }])
  }
}

const required = (path: string[]): ApiError =>
  payloadError([
    { code: 'invalid_type', path, message: 'Required', expected: 'object', received: 'undefined' }
  ])

/** `data.values` of a record write's body; throws Attio's "Required" error for a missing `data` or `values`. */
export function recordValues(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('data' in body))
    throw required(['data'])
  const data = (body as { data: unknown }).data
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('values' in data))
    throw required(['data', 'values'])
  return (data as { values: unknown }).values
}
