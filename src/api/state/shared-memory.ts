/**
 * Fleet mode's shared write memory in Redis (the rules: src/api/suppression/shared.ts, docs/fleet.md). One
 * hash per unique value's key, `attio:mem:<workspace key>:<key digest>`: `v` the digest of the values
 * written, `r` the record id, `t` the commit time (Redis's clock), `e` the epoch, and while a write is in
 * flight `k` its token (and `x` when two writes' claims met). Nothing else: no credential, no value.
 *
 * The epoch (`attio:mem:epoch`) is what makes a lost command safe. A process that fell back (a command
 * failed or timed out, Redis was down, a write went out unasked) is dirty: before it uses the shared memory
 * again, and as soon as Redis answers, it increments the epoch, which makes every entry committed before a
 * miss (the lookup compares it atomically), and tells the others to forget what they remember themselves.
 */
import { randomBytes } from 'node:crypto'
import {
  BULK_UNSETTLED_MS,
  SHARED_WINDOW_MS,
  type SharedAnswer,
  type SharedClaim,
  type SharedWriteMemory
} from '../suppression'
import type { RedisState } from './redis'

export const EPOCH_KEY = 'attio:mem:epoch'
/** Told when the epoch moved: every process forgets what it remembers itself (see invalidations.ts). */
export const EPOCH_CHANNEL = 'attio:epoch'
/** How long a claim (a write in flight) holds its keys at most; then they are gone (a miss). */
export const CLAIM_TTL_MS = 2 * 60 * 1000

/**
 * KEYS[1]: the epoch, KEYS[2..]: the write's keys. ARGV: the values' digest, a token, the window (ms), the
 * claim's time to live (ms). Returns {1, record id} when every key names the same record with these values,
 * committed within the window in the current epoch with no write in flight; else claims every key (a key
 * another write had claimed is marked `x`: neither commits) and returns {0, epoch}.
 */
export const LOOKUP_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local epoch = redis.call('GET', KEYS[1]) or '0'
local record = false
local match = true
for i = 2, #KEYS do
  local e = redis.call('HMGET', KEYS[i], 'v', 'r', 't', 'e', 'k')
  if e[5] or not e[1] or e[1] ~= ARGV[1] or e[4] ~= epoch or now - tonumber(e[3]) > tonumber(ARGV[3])
    or (record and record ~= e[2]) then
    match = false
    break
  end
  record = e[2]
end
if match and record then return {1, record} end
for i = 2, #KEYS do
  local held = redis.call('HGET', KEYS[i], 'k')
  redis.call('DEL', KEYS[i])
  redis.call('HSET', KEYS[i], 'k', ARGV[2])
  if held then redis.call('HSET', KEYS[i], 'x', '1') end
  redis.call('PEXPIRE', KEYS[i], ARGV[4])
end
return {0, epoch}
`

/**
 * KEYS[1]: the epoch, KEYS[2..n+1]: the claimed keys, then the record's other keys, and last the u markers
 * of a bulk request in flight for those keys. ARGV: the token, the claim's epoch, the values' digest, the
 * record id, the entries' time to live (ms), n, u. Stores the entry under every claimed key only when each
 * still holds this token, unmarked, in the claim's epoch, and no marker says a bulk request carried one of
 * the record's keys (`BULK_UNSETTLED_MS`: Attio may still apply it); else deletes those that hold it. The
 * record's other keys are deleted either way. Returns 1 when stored.
 */
export const COMMIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[6])
local u = tonumber(ARGV[7])
local ok = (redis.call('GET', KEYS[1]) or '0') == ARGV[2]
for i = #KEYS - u + 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then ok = false end
end
local mine = {}
for i = 2, n + 1 do
  local e = redis.call('HMGET', KEYS[i], 'k', 'x')
  if e[1] == ARGV[1] then table.insert(mine, KEYS[i]) end
  if e[1] ~= ARGV[1] or e[2] then ok = false end
end
for _, key in ipairs(mine) do
  redis.call('DEL', key)
  if ok then
    redis.call('HSET', key, 'v', ARGV[3], 'r', ARGV[4], 't', now, 'e', ARGV[2])
    redis.call('PEXPIRE', key, ARGV[5])
  end
end
for i = n + 2, #KEYS - u do redis.call('DEL', KEYS[i]) end
if ok then return 1 end
return 0
`

export class SharedMemory implements SharedWriteMemory {
  /** This process fell back (or sent a write unasked) since it last moved the epoch on. */
  private dirty = false
  /** The fallbacks of the connection already answered by moving the epoch on. */
  private seenFallbacks: number
  private bumping?: Promise<boolean>
  /** Commands sent and not answered yet (`idle`). */
  private readonly pending = new Set<Promise<unknown>>()

  constructor(
    private readonly state: RedisState,
    private readonly windowMs = SHARED_WINDOW_MS
  ) {
    this.seenFallbacks = state.status().fallbacks
    // Dirty when the connection comes back: the epoch moves on at once, not at the next write.
    state.client.on('ready', () => void this.clean())
  }

  private key(workspaceKey: string, key: string): string {
    return `attio:mem:${workspaceKey}:${key}`
  }

  /** The marker that a bulk request carried the key less than `BULK_UNSETTLED_MS` ago (any worker's). */
  private unsettledKey(workspaceKey: string, key: string): string {
    return `attio:unsettled:${workspaceKey}:${key}`
  }

  /** Whether this process may have missed a delete of its own (a fallback since it last moved the epoch). */
  private get isDirty(): boolean {
    return this.dirty || this.state.status().fallbacks > this.seenFallbacks
  }

  /** When dirty: moves the epoch on (and tells the others). Whether the shared memory may be used. */
  private clean(): Promise<boolean> {
    if (!this.isDirty) return Promise.resolve(true)
    this.bumping ??= this.bump().finally(() => (this.bumping = undefined))
    return this.bumping
  }

  private async bump(): Promise<boolean> {
    const fallbacks = this.state.status().fallbacks
    this.dirty = false
    const epoch = await this.state.run((client) => client.incr(EPOCH_KEY))
    if (typeof epoch !== 'number') {
      this.dirty = true
      return false
    }
    this.seenFallbacks = Math.max(this.seenFallbacks, fallbacks)
    await this.state.run((client) => client.publish(EPOCH_CHANNEL, String(epoch)))
    return true
  }

  async lookupOrClaim(workspaceKey: string, keys: string[], values: string): Promise<SharedAnswer> {
    if (!(await this.clean())) return this.unasked()
    const token = randomBytes(12).toString('base64url')
    const names = keys.map((key) => this.key(workspaceKey, key))
    const answer = await this.track(
      this.state.run(
        (client) =>
          client.eval(
            LOOKUP_SCRIPT,
            1 + names.length,
            EPOCH_KEY,
            ...names,
            values,
            token,
            this.windowMs,
            CLAIM_TTL_MS
          ) as Promise<[number, string | number]>
      )
    )
    if (!Array.isArray(answer)) return this.unasked()
    if (answer[0] === 1) return { skip: String(answer[1]) }
    return { claim: { workspaceKey, keys, token, epoch: String(answer[1]), values } }
  }

  private unasked(): SharedAnswer {
    this.dirty = true
    return { unasked: true }
  }

  commit(claim: SharedClaim, recordId: string, otherKeys: string[]): void {
    const claimed = claim.keys.map((key) => this.key(claim.workspaceKey, key))
    const others = otherKeys.map((key) => this.key(claim.workspaceKey, key))
    const markers = [...claim.keys, ...otherKeys].map((key) => this.unsettledKey(claim.workspaceKey, key))
    const ttl = this.windowMs + 1000
    void this.command((client) =>
      client.eval(
        COMMIT_SCRIPT,
        1 + claimed.length + others.length + markers.length,
        EPOCH_KEY,
        ...claimed,
        ...others,
        ...markers,
        claim.token,
        claim.epoch,
        claim.values,
        recordId,
        ttl,
        claimed.length,
        markers.length
      )
    )
  }

  unsettle(workspaceKey: string, keys: string[]): void {
    if (keys.length === 0) return
    void this.command((client) => {
      const steps = client.multi()
      steps.del(...keys.map((key) => this.key(workspaceKey, key)))
      for (const key of keys) steps.set(this.unsettledKey(workspaceKey, key), '1', 'PX', BULK_UNSETTLED_MS)
      return steps.exec()
    })
  }

  forget(workspaceKey: string, keys: string[]): void {
    if (keys.length === 0) return
    const names = keys.map((key) => this.key(workspaceKey, key))
    void this.command((client) => client.del(...names))
  }

  unclaimed(): void {
    this.dirty = true
    void this.clean()
  }

  /** A command whose failure leaves this process dirty (a delete or commit that may not have happened). */
  private async command(run: Parameters<RedisState['run']>[0]): Promise<void> {
    const answer = await this.track(this.state.run(run))
    if (answer === undefined) {
      this.dirty = true
      void this.clean()
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise)
    void promise.finally(() => this.pending.delete(promise))
    return promise
  }

  /** Resolves once every command sent so far was answered (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.bumping) await Promise.all([...this.pending, this.bumping])
  }
}
