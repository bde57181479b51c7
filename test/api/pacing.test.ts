/**
 * The write limiter's promises, on a fake clock (no real waiting, nothing timed): never more than 25 writes in
 * a window, and never a write sent more than `maxWaitMs` after it asked for a slot, whatever its place in the
 * queue. The writes that cannot be sent in time are handed back at once as retryable 429s, unsent.
 */
import { WriteLimiter } from '../../src/api/pacing'
import { AttioApiError } from '../../src/api/errors'

const WINDOW_MS = 1100

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  jest.useRealTimers()
})

interface Run {
  sentAfter: number[]
  refused: AttioApiError[]
  refusedAfter: number[]
}

/**
 * `count` writes asking for a slot at once; the clock then runs until every one is settled (with `meanwhile`
 * run once `meanwhile.afterMs` have passed).
 */
async function concurrentWrites(
  limiter: WriteLimiter,
  count: number,
  maxWaitMs: number,
  meanwhile?: { afterMs: number; run: () => void }
): Promise<Run> {
  const run: Run = { sentAfter: [], refused: [], refusedAfter: [] }
  const started = Date.now()
  const all = Array.from({ length: count }, () =>
    limiter.acquire(maxWaitMs).then(
      () => run.sentAfter.push(Date.now() - started),
      (error: AttioApiError) => {
        run.refused.push(error)
        run.refusedAfter.push(Date.now() - started)
      }
    )
  )
  if (meanwhile) {
    await jest.advanceTimersByTimeAsync(meanwhile.afterMs)
    meanwhile.run()
  }
  await jest.advanceTimersByTimeAsync(60_000)
  await Promise.all(all)
  return run
}

/** The most sends in any window of the limiter's length. */
function busiestWindow(sentAfter: number[]): number {
  const sorted = [...sentAfter].sort((a, b) => a - b)
  let most = 0
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j < sorted.length && sorted[j] < sorted[i] + WINDOW_MS) j++
    most = Math.max(most, j - i)
  }
  return most
}

describe('backpressure on the queue position', () => {
  it('300 concurrent writes: none sent after more than 5 s, the rest handed back at once as retryable 429s', async () => {
    const run = await concurrentWrites(new WriteLimiter(), 300, 5000)
    expect(run.sentAfter.length + run.refused.length).toBe(300)
    expect(Math.max(...run.sentAfter)).toBeLessThanOrEqual(5000)
    // 25 a window: at 0, 1.1, 2.2, 3.3 and 4.4 s.
    expect(run.sentAfter).toHaveLength(125)
    expect(busiestWindow(run.sentAfter)).toBeLessThanOrEqual(25)
    for (const error of run.refused) {
      expect(error).toBeInstanceOf(AttioApiError)
      expect(error.status).toBe(429)
      expect(error.retry).toBe(true)
      expect(error.retryAfter).toBeUndefined()
    }
    // Refused without waiting: the host gets them back to retry, not after the 5 s.
    expect(Math.max(...run.refusedAfter)).toBe(0)
  })

  it("a 429's Retry-After arriving while writes wait: those it would delay past their bound are refused, none is sent late", async () => {
    const limiter = new WriteLimiter()
    const started = Date.now()
    // After 1.5 s, Attio answers a 429 naming a second 3 s later.
    const run = await concurrentWrites(limiter, 100, 5000, {
      afterMs: 1500,
      run: () => limiter.blockUntil(started + 4500)
    })
    expect(Math.max(...run.sentAfter)).toBeLessThanOrEqual(5000)
    expect(run.sentAfter.filter((after) => after > 1500 && after < 4500)).toEqual([])
    expect(busiestWindow(run.sentAfter)).toBeLessThanOrEqual(25)
    expect(run.sentAfter.length + run.refused.length).toBe(100)
    // 25 at once, 25 at 1.1 s, then the block: one window's worth at 4.5 s; the rest refused.
    expect(run.sentAfter.filter((after) => after >= 4500)).toHaveLength(25)
    expect(run.refused).toHaveLength(25)
  })

  it('writes are sent in the order they asked', async () => {
    const limiter = new WriteLimiter()
    const order: number[] = []
    const all = Array.from({ length: 60 }, (_, index) => limiter.acquire(5000).then(() => order.push(index)))
    await jest.advanceTimersByTimeAsync(10_000)
    await Promise.all(all)
    expect(order).toEqual([...order].sort((a, b) => a - b))
  })
})

it('a clock set back does not hold writes for as long', async () => {
  jest.useFakeTimers({ now: 5_000_000 })
  const limiter = new WriteLimiter()
  const run = await concurrentWrites(limiter, 25, 5000)
  expect(run.sentAfter).toHaveLength(25)
  jest.setSystemTime(5_000_000 - 60_000)
  const after = await concurrentWrites(limiter, 25, 5000)
  expect(after.refused).toEqual([])
  expect(Math.max(...after.sentAfter)).toBeLessThanOrEqual(1100)
})

describe("the host's AbortSignal", () => {
  it('takes a cancelled write out of the queue at once, unsent and retryable, and lets the writes behind it move up', async () => {
    const limiter = new WriteLimiter(1, WINDOW_MS)
    await limiter.acquire(5000)
    const controller = new AbortController()
    const settled: string[] = []
    const first = limiter.acquire(5000, controller.signal).then(
      () => settled.push('first sent'),
      (error: AttioApiError) => settled.push(`first refused ${error.status}: ${error.message}`)
    )
    const second = limiter
      .acquire(5000)
      .then(() => settled.push(`second sent after ${Date.now() - 1_000_000}`))
    await jest.advanceTimersByTimeAsync(100)
    controller.abort()
    await first
    expect(settled).toEqual([expect.stringMatching(/^first refused 429: Not sent: the host cancelled/)])
    await jest.advanceTimersByTimeAsync(WINDOW_MS)
    await second
    // The second takes the slot the first would have had: one window after the first write, not two.
    expect(settled[1]).toBe(`second sent after ${WINDOW_MS}`)
  })

  it('refuses a write asking after the signal fired without queueing it', async () => {
    const limiter = new WriteLimiter(25, WINDOW_MS)
    const controller = new AbortController()
    controller.abort()
    await expect(limiter.acquire(5000, controller.signal)).rejects.toMatchObject({ status: 429 })
    // Nothing was taken: the window still has all its slots.
    expect(limiter.delay()).toBe(0)
  })
})
