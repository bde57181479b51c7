/**
 * Every `ATTIO_*` environment variable the destination and the local host read, each with its default.
 * Nothing else in src reads them (the emulator reads none: its options come from its command line, since it
 * shares no code with the destination). Each reader takes the environment as a parameter (default `process.env`), so a
 * caller holding another one (the local host's `io.env`, a test) passes it.
 *
 * | variable | default | what it changes |
 * | --- | --- | --- |
 * | `ATTIO_API_URL` | `https://api.attio.com` | Attio's base URL (local runs point it at the emulator) |
 * | `ATTIO_API_KEY` | none | the local host's credential (`send`, `replay`, `doctor`, `npm start`) |
 * | `ATTIO_ACCESS_TOKEN` | none | an OAuth access token for `doctor`, when there is no API key |
 * | `ATTIO_REQUEST_TIMEOUT_MS` | actions-core's 10 s | each request's time-out |
 * | `ATTIO_BATCH_TIME_BUDGET_MS` | 25 s | how long one batch may take, queue waits included |
 * | `ATTIO_BULK_NESTED_LINKS` | on | `off`/`false`/`0`/`no`: link users by a lookup, not a nested assertion |
 * | `ATTIO_STATE_URL` | none | a `redis://` or `rediss://` URL: fleet mode's shared state (docs/fleet.md) |
 *
 * A leaf: imports nothing.
 */

type Env = Readonly<Record<string, string | undefined>>

export const DEFAULT_API_URL = 'https://api.attio.com'

/** A set, non-blank variable's value, trimmed; otherwise undefined. */
function text(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined
}

/** A positive number of milliseconds, or undefined when unset or not one. */
function positiveMs(env: Env, name: string): number | undefined {
  const configured = Number(env[name])
  return Number.isFinite(configured) && configured > 0 ? configured : undefined
}

/** `ATTIO_API_URL` as given (trimmed), or undefined. */
export function configuredApiUrl(env: Env = process.env): string | undefined {
  return text(env, 'ATTIO_API_URL')
}

/** Attio's API base URL without a trailing slash: `ATTIO_API_URL` when set, else Attio's. */
export function apiUrl(env: Env = process.env): string {
  return (configuredApiUrl(env) ?? DEFAULT_API_URL).replace(/\/+$/, '')
}

/** Points every later request of this process at this Attio (the local host's emulator or `--api-url`). */
export function useApiUrl(url: string): void {
  process.env.ATTIO_API_URL = url
}

/** `ATTIO_API_KEY` (trimmed), or undefined. */
export function apiKey(env: Env = process.env): string | undefined {
  return text(env, 'ATTIO_API_KEY')
}

/** `ATTIO_ACCESS_TOKEN` (trimmed), or undefined. */
export function accessToken(env: Env = process.env): string | undefined {
  return text(env, 'ATTIO_ACCESS_TOKEN')
}

/** `ATTIO_REQUEST_TIMEOUT_MS`, or undefined for actions-core's own (10 s). */
export function requestTimeoutMs(env: Env = process.env): number | undefined {
  return positiveMs(env, 'ATTIO_REQUEST_TIMEOUT_MS')
}

/** `ATTIO_BATCH_TIME_BUDGET_MS`, or the given default. */
export function batchTimeBudgetMs(fallback: number, env: Env = process.env): number {
  return positiveMs(env, 'ATTIO_BATCH_TIME_BUDGET_MS') ?? fallback
}

/**
 * Whether the bulk path asserts a linked user again inside the link (the default), or (with
 * `ATTIO_BULK_NESTED_LINKS=off`) links every user by a lookup: the way back should Attio's bulk endpoint
 * not take nested assertions inside a multiselect reference's array (see docs/batching.md).
 */
export function bulkNestedLinks(env: Env = process.env): boolean {
  return !/^(off|false|0|no)$/i.test(env.ATTIO_BULK_NESTED_LINKS ?? '')
}

/**
 * `ATTIO_STATE_URL` when it is a redis:// or rediss:// URL that parses (fleet mode's shared state), else
 * undefined. A password holding `#`, `?` or `/` must be percent-encoded, or the URL does not parse.
 */
export function stateUrl(env: Env = process.env): string | undefined {
  return stateUrlProblem(env) === undefined ? text(env, 'ATTIO_STATE_URL') : undefined
}

/**
 * Why a set `ATTIO_STATE_URL` is ignored (undefined when it is not set, or is used), in words that never
 * repeat the value: it may carry a password.
 */
export function stateUrlProblem(env: Env = process.env): string | undefined {
  const url = text(env, 'ATTIO_STATE_URL')
  if (url === undefined) return undefined
  if (!/^rediss?:\/\//i.test(url)) return 'is not a redis:// or rediss:// URL'
  const encode = '(percent-encode a #, ? or / in the password: # is %23, ? is %3F, / is %2F)'
  try {
    const parsed = new URL(url)
    // A # ? or / left in a password of digits still parses, as a host and port made of the user name and
    // password: refused, so neither is ever connected to or shown.
    if (parsed.hash !== '' || (parsed.pathname + parsed.search).includes('@'))
      return `is not a URL that parses as meant ${encode}`
    return undefined
  } catch {
    return `is not a URL that parses ${encode}`
  }
}
