/**
 * Reading what an event carries, for every type's writer: `{key: x}` wrappers, strings, numbers, and how an
 * input is described in a message.
 */
import { ValueProblem } from './types'

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads `{key: x}` wrappers (`{value}`, `{domain}`, …) that Attio accepts as an alternative form. */
export function unwrap(input: unknown, key: string): unknown {
  if (isPlainObject(input) && Object.keys(input).length === 1 && key in input) return input[key]
  return input
}

export function asString(input: unknown, what: string): string {
  if (typeof input === 'string') return input
  if (typeof input === 'number' && Number.isFinite(input)) return String(input)
  throw new ValueProblem(`is ${describeType(input)}, not ${what}`)
}

export function describeType(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'an array'
  if (typeof input === 'object') return 'an object'
  if (typeof input === 'number' && !Number.isFinite(input)) return 'a non-finite number'
  return `a ${typeof input}`
}

export function toNumber(input: unknown, key: string): number {
  const raw = unwrap(input, key)
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new ValueProblem('is not a finite number')
    return raw
  }
  if (typeof raw === 'string') {
    const trimmed = raw.trim()
    if (trimmed !== '' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) {
      const parsed = Number(trimmed)
      if (Number.isFinite(parsed)) return parsed
    }
    throw new ValueProblem('is not a number or a numeric string')
  }
  throw new ValueProblem(`is ${describeType(raw)}, not a number`)
}

/** Attio keeps four decimal places for numbers and currencies. */
export const fourDecimals = (value: number): number => Math.round(value * 10_000) / 10_000
