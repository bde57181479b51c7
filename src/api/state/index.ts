/**
 * Where the destination keeps what must be shared by every worker that writes with one credential: in this
 * process (the default), or in Redis when `ATTIO_STATE_URL=redis://…` is set (fleet mode, docs/fleet.md).
 * Everything in Redis is keyed by the client's workspace key (a hash of base URL and credential), so tenants
 * never see each other's state and no credential is ever stored or logged.
 */
import { stateUrl as configuredStateUrl, stateUrlProblem } from '../core/config'
import { limiterFor } from '../pacing'
import { METRICS, type Telemetry } from '../telemetry'
import { Invalidations } from './invalidations'
import { RedisState, type SharedStateStatus, type Warn } from './redis'
import { SharedBulk } from './shared-bulk'
import { SharedMemory } from './shared-memory'
import { SharedWriteSlots } from './slots'
import { sharedBulk, sharedWrites } from '../suppression'
import type { WriteSlots } from './types'

export type { SharedStateStatus } from './redis'
export type { WriteSlots } from './types'

let state: RedisState | undefined
let invalidations: Invalidations | undefined
let memory: SharedMemory | undefined
let bulk: SharedBulk | undefined
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
    state = url ? connect(url) : undefined
    invalidations = state ? new Invalidations(state) : undefined
    memory = state ? new SharedMemory(state) : undefined
    if (memory) sharedWrites.memory = memory
    bulk = state ? new SharedBulk(state) : undefined
    if (bulk) sharedBulk.memory = bulk
    toldFallbacks = 0
  }
  const problem = url ? undefined : stateUrlProblem()
  if (problem) warnIgnored(`is set but ${problem}`)
  return state
}

/** A connection to the URL, or undefined (warned once) should the client refuse it: per-process state then. */
function connect(url: string): RedisState | undefined {
  try {
    return new RedisState(url, warn)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    warnIgnored(`could not be used${typeof code === 'string' ? ` (${code})` : ''}`)
    return undefined
  }
}

/** Once per configuration: `ATTIO_STATE_URL` is ignored, and why (never the value: it may carry a password). */
function warnIgnored(why: string): void {
  if (warnedIgnored) return
  warnedIgnored = true
  warn(
    `attio-destination: ATTIO_STATE_URL ${why}, so it is ignored: this process keeps its own state (write budget, write memory), as without fleet mode.`
  )
}

let warnOf: Warn = (message) => console.warn(message)
let warnedIgnored = false

/**
 * Where the shared state's warnings go at once (console.warn by default; a host may take them). Each is also
 * told to the next invocation's host logger (`reportSharedState`).
 */
export function setSharedStateWarn(warn: Warn): void {
  warnOf = warn
}

/** Warnings no invocation has told its host yet (a few: one per outage at most, one a minute). */
const untold: string[] = []
/** The outages (`fallbacks`) already counted through a host's metrics. */
let toldFallbacks = 0

function warn(message: string): void {
  warnOf(message)
  if (untold.length < 10) untold.push(message)
}

/**
 * Tells the host of an invocation what the shared state went through since the last invocation told its own:
 * each outage counted as `attio.state.fallbacks`, each warning through the host's logger. Outages happen
 * between invocations (a connection drops), so the next one reports them.
 */
export function reportSharedState(telemetry: Telemetry): void {
  for (const line of untold.splice(0)) telemetry.warn(line)
  const fallbacks = state?.status().fallbacks ?? 0
  if (fallbacks > toldFallbacks) telemetry.count(METRICS.stateFallbacks, fallbacks - toldFallbacks)
  toldFallbacks = fallbacks
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
  // Configured is what the environment says, before the first write connects (a host's check at start-up).
  return (
    state?.status() ?? { configured: stateUrlFromEnv() !== undefined, shared: false, fallbacks: 0, errors: 0 }
  )
}

/**
 * Waits until the shared state answers and this process hears the other workers' messages (true), or
 * `timeoutMs` passed or none is configured (false). A worker that writes before then may miss what another
 * worker tells it at that moment.
 */
export async function sharedStateReady(timeoutMs = 2000): Promise<boolean> {
  const shared = sharedState()
  if (!shared) return false
  const deadline = Date.now() + timeoutMs
  if (!(await shared.ready(timeoutMs))) return false
  while (invalidations && !invalidations.hears && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10))
  return invalidations?.hears === true
}

/** The shared write memory in use (fleet mode), for tests and harnesses that wait for its commands. */
export function sharedWriteMemory(): SharedMemory | undefined {
  return memory
}

/** Closes the connection (tests, harnesses, a host shutting down); the next use connects again. */
export async function closeSharedState(): Promise<void> {
  const closing = state
  invalidations?.close()
  invalidations = undefined
  if (memory && sharedWrites.memory === memory) delete sharedWrites.memory
  memory = undefined
  if (bulk && sharedBulk.memory === bulk) delete sharedBulk.memory
  bulk = undefined
  state = undefined
  stateUrl = undefined
  // A configuration after this one is told of again, should it be ignored too.
  warnedIgnored = false
  slots.clear()
  await closing?.close()
}
