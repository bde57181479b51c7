/**
 * Where the destination keeps what must be shared by every worker that writes with one credential: in this
 * process (the default), or in Redis when `ATTIO_STATE_URL=redis://…` is set (fleet mode, docs/fleet.md).
 * Everything in Redis is keyed by the client's workspace key (a hash of base URL and credential), so tenants
 * never see each other's state and no credential is ever stored or logged.
 */
import { stateUrl as configuredStateUrl } from '../core/config'
import { limiterFor } from '../pacing'
import { Invalidations } from './invalidations'
import { RedisState, type SharedStateStatus, type Warn } from './redis'
import { SharedWriteSlots } from './slots'
import type { WriteSlots } from './types'

export type { SharedStateStatus } from './redis'
export type { WriteSlots } from './types'

let state: RedisState | undefined
let invalidations: Invalidations | undefined
let stateUrl: string | undefined
const slots = new Map<string, SharedWriteSlots>()

/** The URL of the shared state: `ATTIO_STATE_URL` when it is a redis:// or rediss:// URL. */
export function stateUrlFromEnv(): string | undefined {
  return configuredStateUrl()
}

/** The shared state in use, connecting on first use; undefined in the default (per-process) mode. */
export function sharedState(): RedisState | undefined {
  const url = stateUrlFromEnv()
  if (url !== stateUrl) {
    void closeSharedState()
    stateUrl = url
    state = url ? new RedisState(url, warnOf) : undefined
    invalidations = state ? new Invalidations(state) : undefined
  }
  return state
}

let warnOf: Warn = (message) => console.warn(message)

/** Where the shared state's warnings go (console.warn by default; tests and hosts may take them). */
export function setSharedStateWarn(warn: Warn): void {
  warnOf = warn
}

/** The write budget of this credential: across the fleet in shared mode, else this process's limiter. */
export function writeSlotsFor(workspaceKey: string): WriteSlots {
  const local = limiterFor(workspaceKey)
  const shared = sharedState()
  if (!shared) return local
  let found = slots.get(workspaceKey)
  if (!found) {
    found = new SharedWriteSlots(shared, workspaceKey, local)
    if (slots.size >= 10_000) slots.clear()
    slots.set(workspaceKey, found)
  }
  return found
}

/** Whether shared state is configured and in use, and how often this process fell back (a metric). */
export function sharedStateStatus(): SharedStateStatus {
  return state?.status() ?? { configured: false, shared: false, fallbacks: 0, errors: 0 }
}

/** Waits until the shared state answers (true), or `timeoutMs` passed or none is configured (false). */
export async function sharedStateReady(timeoutMs = 2000): Promise<boolean> {
  const shared = sharedState()
  return shared ? shared.ready(timeoutMs) : false
}

/** Closes the connection (tests, harnesses, a host shutting down); the next use connects again. */
export async function closeSharedState(): Promise<void> {
  const closing = state
  invalidations?.close()
  invalidations = undefined
  state = undefined
  stateUrl = undefined
  slots.clear()
  await closing?.close()
}
