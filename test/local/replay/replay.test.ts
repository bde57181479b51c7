/**
 * Replay (in-process) against the emulator: preset routing, skips and failures with their reasons, a
 * failures file that can be replayed, retries of faults and 429s, pacing under Attio's limits, the batch
 * path, and stopping and resuming without sending an event twice.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readCheckpoint } from '../../../src/local/checkpoint'
import type { ProgressCounts } from '../../../src/local/progress'
import { replay, ReplayUsageError, type ReplayOptions } from '../../../src/local/replay'
import { LocalRunner } from '../../../src/local/runner'
import { clearWriteMemory } from '../../../src/api'
import { recordsOf, useEmulator, valuesOf } from '../../helpers/emulator'
import { group, identify } from '../helpers'

let dir: string
// The destination remembers what it wrote (to skip unchanged writes); the emulator forgets between tests.
beforeEach(() => clearWriteMemory())
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'local-replay-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function eventsFile(lines: unknown[], name = 'events.ndjson'): string {
  const file = path.join(dir, name)
  writeFileSync(
    file,
    lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n'
  )
  return file
}

const FAST_BACKOFF = { baseMs: 20, maxMs: 200 }

function run(file: string, apiKey: string, options: Partial<ReplayOptions> = {}) {
  return replay({
    file,
    runner: new LocalRunner({ defaultApiKey: apiKey }),
    backoff: FAST_BACKOFF,
    ...options
  })
}

const users = (count: number, prefix = 'user') =>
  Array.from({ length: count }, (_, i) => identify(`${prefix}-${i}`, `${prefix}${i}@example.com`))

describe('replay with Attio rate limits', () => {
  const ctx = useEmulator({ rateLimits: true })

  it('routes by preset, skips and fails with reasons, and writes a failures file that replays', async () => {
    const file = eventsFile([
      identify('u1', 'one@example.com'),
      identify('u2', 'not-an-email'),
      { type: 'track', event: 'Signed Up', userId: 'u1' },
      group('ws-1', 'https://www.acme.com/pricing', 'u1'),
      group('ws-2', 'globex.com', 'ghost'),
      '',
      '{"type": "identify", broken',
      { type: 'page', name: 'Home' },
      identify('u3', 'three@example.com')
    ])
    const result = await run(file, ctx.emulator.apiKey)
    expect(result).toMatchObject({
      total: 8,
      alreadyDone: 0,
      doneThisRun: 8,
      complete: true,
      interrupted: false
    })
    expect(result.tallies).toMatchObject({
      delivered: 3,
      failed: 3,
      skipped: 2,
      deliveredByAction: { identifyUser: 2, groupWorkspace: 1 },
      retries: 0,
      rateLimited: 0
    })
    expect(Object.keys(result.tallies.skipReasons).sort()).toEqual([
      expect.stringMatching(/^no preset subscribes to type "page"/),
      expect.stringMatching(/^no preset subscribes to type "track"/)
    ])
    expect(Object.keys(result.tallies.failureReasons).sort()).toEqual([
      expect.stringMatching(/^400 email_address: "…" is not a valid email address/),
      expect.stringMatching(/^400 line 7 is not valid JSON/),
      expect.stringMatching(
        /^404 user_id: Attio has no User with user_id "…": run Identify User for this user first/
      )
    ])

    // The failed events, as they were (in the order they finished), and their reasons line for line.
    const failed = readFileSync(result.failuresFile, 'utf8').trim().split('\n')
    expect([...failed].sort()).toEqual(
      [
        JSON.stringify(identify('u2', 'not-an-email')),
        JSON.stringify(group('ws-2', 'globex.com', 'ghost')),
        '{"type": "identify", broken'
      ].sort()
    )
    const reasons = readFileSync(result.reasonsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: number; action?: string; field?: string; status: number })
    const source = readFileSync(file, 'utf8').split('\n')
    reasons.forEach((reason, index) => expect(source[reason.line - 1]).toBe(failed[index]))
    expect(reasons.map((reason) => [reason.line, reason.action, reason.field, reason.status]).sort()).toEqual(
      [
        [2, 'identifyUser', 'email_address', 400],
        [5, 'groupWorkspace', 'user_id', 404],
        [7, undefined, undefined, 400]
      ]
    )
    expect(readCheckpoint(result.checkpointFile)).toMatchObject({ complete: true, completedBelow: 10 })
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(2)

    // Once the missing User exists, the failures file is replayed: the group goes through this time.
    await run(eventsFile([identify('ghost', 'ghost@example.com')], 'ghost.ndjson'), ctx.emulator.apiKey)
    const again = await run(result.failuresFile, ctx.emulator.apiKey)
    expect(again.tallies).toMatchObject({ delivered: 1, failed: 2, deliveredByAction: { groupWorkspace: 1 } })
    expect(recordsOf(ctx.emulator, 'workspaces')).toHaveLength(2)
  })

  it('keeps under 25 writes a second with 4 events in flight: no 429', async () => {
    const file = eventsFile(users(30))
    const started = Date.now()
    const result = await run(file, ctx.emulator.apiKey, { concurrency: 4 })
    const seconds = (Date.now() - started) / 1000
    expect(result.tallies.delivered).toBe(30)
    expect(ctx.emulator.stats().rateLimited).toBe(0)
    expect(ctx.emulator.stats().requests['PUT /v2/objects/{object}/records']).toBe(60)
    // 60 writes at most 25 a second.
    expect(seconds).toBeGreaterThan(60 / 25 - 0.5)
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(30)
  }, 20_000)

  it('keeps the events about one user in file order while others are in flight', async () => {
    const lines = Array.from({ length: 6 }, (_, i) => [
      identify(`user-${i}`, `user${i}@example.com`),
      group(`ws-${i}`, `company${i}.com`, `user-${i}`)
    ]).flat()
    const result = await run(eventsFile(lines), ctx.emulator.apiKey, { concurrency: 4 })
    // Each group event links the User the identify just before it creates: it must not overtake it.
    expect(result.tallies).toMatchObject({ delivered: 12, failed: 0 })
    expect(recordsOf(ctx.emulator, 'workspaces')).toHaveLength(6)
  }, 20_000)

  it('stops after the events in flight and resumes where it stopped, sending no event twice', async () => {
    const file = eventsFile(users(24))
    const controller = new AbortController()
    const progress = {
      update: (counts: ProgressCounts) => {
        if (counts.done >= 6) controller.abort()
      },
      finish: () => undefined
    }
    const first = await run(file, ctx.emulator.apiKey, { signal: controller.signal, progress })
    expect(first.interrupted).toBe(true)
    expect(first.complete).toBe(false)
    const checkpoint = readCheckpoint(first.checkpointFile)
    expect(checkpoint?.complete).toBe(false)
    const sentBefore = recordsOf(ctx.emulator, 'users').length
    expect(sentBefore).toBe(first.tallies.delivered)
    expect(sentBefore).toBeLessThan(24)

    await expect(run(file, ctx.emulator.apiKey)).rejects.toThrow(/pass --resume/)

    const second = await run(file, ctx.emulator.apiKey, { resume: true })
    expect(second.alreadyDone).toBe(sentBefore)
    expect(second.doneThisRun).toBe(24 - sentBefore)
    expect(second.tallies.delivered).toBe(24)
    expect(second.complete).toBe(true)
    // Exactly two writes (Person, User) per event over both runs: none was sent twice.
    expect(ctx.emulator.stats().requests['PUT /v2/objects/{object}/records']).toBe(48)
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(24)
  }, 20_000)

  it('refuses to resume from a checkpoint of a file that changed since', async () => {
    const file = eventsFile(users(3))
    const controller = new AbortController()
    controller.abort()
    await run(file, ctx.emulator.apiKey, { signal: controller.signal })
    writeFileSync(file, `${JSON.stringify(identify('other', 'other@example.com'))}\n`)
    await expect(run(file, ctx.emulator.apiKey, { resume: true })).rejects.toThrow(ReplayUsageError)
    await expect(run(file, ctx.emulator.apiKey, { resume: true })).rejects.toThrow(/changed since/)
  })

  it('goes through performBatch in chunks with --batch-size', async () => {
    const file = eventsFile([...users(10), group('ws-1', 'acme.com'), group('ws-2', 'globex.com')])
    const result = await run(file, ctx.emulator.apiKey, { batchSize: 4 })
    expect(result.tallies).toMatchObject({ delivered: 12, failed: 0 })
    // identify: 4 + 4 + 2, group: 2.
    expect(ctx.emulator.stats().requests['PUT /v2/batch/records']).toBe(4)
    await ctx.emulator.settle()
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(10)
    expect(recordsOf(ctx.emulator, 'workspaces')).toHaveLength(2)
    expect(existsSync(path.join(dir, 'events.failures.ndjson'))).toBe(false)
  })
})

describe('replay in batches while Attio applies them asynchronously', () => {
  const ctx = useEmulator({ bulkDelayMs: 1000 })
  const lines = [
    ...users(4),
    ...Array.from({ length: 4 }, (_, i) => group(`ws-${i}`, `company${i}.com`, `user-${i}`))
  ]

  /** Replays in batches, keeping the notices (the 404 retry waits 1,500 ms here, after the emulator applied the batches). */
  async function batched(file: string, options: Partial<ReplayOptions>) {
    const notices: string[] = []
    const result = await run(file, ctx.emulator.apiKey, {
      deferMs: 1500,
      notice: (line) => notices.push(line),
      ...options
    })
    return { result, notices: notices.join('\n') }
  }
  const lookups = () => ctx.emulator.stats().requests['POST /v2/objects/{object}/records/query'] ?? 0

  /** Each workspace's linked users, by user_id. */
  function workspaceUsers(): Record<string, unknown[]> {
    const ids = new Map(
      recordsOf(ctx.emulator, 'users').map((u) => [u.record_id, valuesOf(u, 'user_id', 'value')[0]])
    )
    return Object.fromEntries(
      recordsOf(ctx.emulator, 'workspaces').map((w) => [
        valuesOf(w, 'workspace_id', 'value')[0],
        valuesOf(w, 'users', 'target_record_id').map((id) => ids.get(String(id)))
      ])
    )
  }

  it('links users the earlier bulk request sent and Attio has not applied yet, with no lookup', async () => {
    const { result, notices } = await batched(eventsFile(lines), { batchSize: 4 })
    expect(notices).not.toContain('(404)')
    expect(result.tallies).toMatchObject({ delivered: 8, failed: 0 })
    expect(lookups()).toBe(0)
    await ctx.emulator.settle()
    expect(workspaceUsers()).toEqual({
      'ws-0': ['user-0'],
      'ws-1': ['user-1'],
      'ws-2': ['user-2'],
      'ws-3': ['user-3']
    })
  })

  it('sends the identify batch before the group batch that links its users, however the lines interleave', async () => {
    // With batches of 2 the identify chunk fills at line 6; the open group chunk starts earlier (line 3)
    // but links user-2, whose identify (line 4) is in that identify chunk.
    const interleaved = [
      identify('user-0', 'user0@example.com'),
      identify('user-1', 'user1@example.com'),
      group('ws-0', 'company0.com', 'user-1'),
      identify('user-2', 'user2@example.com'),
      group('ws-2', 'company2.com', 'user-2'),
      identify('user-3', 'user3@example.com')
    ]
    const { result, notices } = await batched(eventsFile(interleaved), { batchSize: 2 })
    expect(notices).not.toContain('(404)')
    expect(result.tallies).toMatchObject({ delivered: 6, failed: 0 })
    expect(lookups()).toBe(0)
    await ctx.emulator.settle()
    expect(workspaceUsers()).toEqual({ 'ws-0': ['user-1'], 'ws-2': ['user-2'] })
  })

  it('with batches in parallel, a group batch waits for the identify batches before it to be answered', async () => {
    // Identify batches answer slowly here; with --concurrency 4 the group batch would otherwise go first.
    class SlowIdentifies extends LocalRunner {
      override async runAction(slug: string, input: Parameters<LocalRunner['runAction']>[1]) {
        if (slug === 'identifyUser') await new Promise((resolve) => setTimeout(resolve, 150))
        return super.runAction(slug, input)
      }
    }
    const { result, notices } = await batched(eventsFile(lines), {
      runner: new SlowIdentifies({ defaultApiKey: ctx.emulator.apiKey }),
      batchSize: 2,
      concurrency: 4
    })
    expect(notices).not.toContain('(404)')
    expect(result.tallies).toMatchObject({ delivered: 8, failed: 0 })
    expect(lookups()).toBe(0)
  })

  it('tries events answered 404 once more at the end when another process sent the users', async () => {
    await run(eventsFile(users(4), 'identify.ndjson'), ctx.emulator.apiKey, { batchSize: 4 })
    clearWriteMemory() // a destination process of its own: it has sent none of these users
    const { result, notices } = await batched(eventsFile(lines.slice(4), 'group.ndjson'), { batchSize: 4 })
    expect(notices).toContain('4 events referred to records Attio did not have yet (404)')
    // The summary counts what the notice announced.
    expect(result.tallies).toMatchObject({ delivered: 4, failed: 0, deferred: 4 })
    expect(lookups()).toBeGreaterThan(0)
    await ctx.emulator.settle()
    expect(workspaceUsers()).toEqual({
      'ws-0': ['user-0'],
      'ws-1': ['user-1'],
      'ws-2': ['user-2'],
      'ws-3': ['user-3']
    })
  })
})

describe('replay retries', () => {
  describe('server errors', () => {
    const ctx = useEmulator({ faults: { seed: 7, rate: 0.25, kinds: ['500', '503'] } })

    it('retries 5xx answers with back-off until every event is delivered', async () => {
      const result = await run(eventsFile(users(12)), ctx.emulator.apiKey, { retries: 8 })
      expect(result.tallies.delivered).toBe(12)
      expect(result.tallies.failed).toBe(0)
      expect(result.tallies.retries).toBeGreaterThan(0)
      expect(ctx.emulator.stats().faults.total).toBeGreaterThan(0)
      expect(recordsOf(ctx.emulator, 'users')).toHaveLength(12)
    })
  })

  describe('a workspace with a lower write limit', () => {
    const ctx = useEmulator({ rateLimits: { readsPerSecond: 100, writesPerSecond: 5 } })

    it("retries 429 answers after Attio's Retry-After and delivers everything", async () => {
      const result = await run(eventsFile(users(6)), ctx.emulator.apiKey, { concurrency: 4, retries: 8 })
      expect(result.tallies.delivered).toBe(6)
      expect(result.tallies.rateLimited).toBeGreaterThan(0)
      expect(result.tallies.retries).toBeGreaterThan(0)
      expect(recordsOf(ctx.emulator, 'users')).toHaveLength(6)
    }, 20_000)
  })
})
