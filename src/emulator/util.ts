import { randomUUID } from 'node:crypto'

export const uuid = (): string => randomUUID()

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Attio's timestamp format: ISO 8601 in UTC with nanosecond precision (`2023-04-03T15:21:06.447000000Z`). */
export const formatTimestamp = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000000Z')

export const nowTimestamp = (): string => formatTimestamp(Date.now())

/** JSON type name in the words of Attio's validation errors. */
export const jsonType = (v: unknown): string => {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (v === undefined) return 'undefined'
  return typeof v
}

export const describe = (v: unknown): string => {
  const s = JSON.stringify(v)
  if (s === undefined) return String(v)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}
