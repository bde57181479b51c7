import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator'
import { FaultInjector } from '../../src/emulator/faults'
import { assertPath, caller } from './helpers'

async function withEmulator<T>(options: EmulatorOptions, fn: (e: RunningEmulator) => Promise<T>): Promise<T> {
  const e = await startEmulator({ port: 0, ...options })
  try {
    return await fn(e)
  } finally {
    await e.close()
  }
}

const assertPerson = (e: RunningEmulator, i: number): Promise<number> =>
  caller(e)('PUT', assertPath('people', 'email_addresses'), {
    data: { values: { email_addresses: [`p${i}@x.com`] } }
  }).then(
    (r) => r.status,
    () => -1
  )

describe('fault injection', () => {
  test('same seed and same request sequence give the same faults; another seed differs', async () => {
    const run = (seed: number): Promise<number[]> =>
      withEmulator({ faults: { seed, rate: 0.5, kinds: ['500', '503'] } }, async (e) => {
        const out: number[] = []
        for (let i = 0; i < 24; i++) out.push(await assertPerson(e, i))
        return out
      })
    const first = await run(42)
    expect(await run(42)).toEqual(first)
    expect(first).toContain(200)
    expect(first.some((s) => s === 500 || s === 503)).toBe(true)
    expect(await run(7)).not.toEqual(first)
  })

  test('the injector is deterministic on its own', () => {
    const a = new FaultInjector({ seed: 3, rate: 0.3 })
    const b = new FaultInjector({ seed: 3, rate: 0.3 })
    const seq = (f: FaultInjector): unknown[] => Array.from({ length: 200 }, () => f.decide())
    const sa = seq(a)
    expect(seq(b)).toEqual(sa)
    const faulted = sa.filter((d) => d !== null).length
    expect(faulted).toBeGreaterThan(30)
    expect(faulted).toBeLessThan(90)
  })

  test('faulted writes are sometimes applied first and sometimes not; stats count both', async () => {
    await withEmulator({ faults: { seed: 1, rate: 1, kinds: ['500'] } }, async (e) => {
      const statuses: number[] = []
      for (let i = 0; i < 30; i++) statuses.push(await assertPerson(e, i))
      expect(new Set(statuses)).toEqual(new Set([500]))
      const applied = e.state().people.length
      expect(applied).toBeGreaterThan(0)
      expect(applied).toBeLessThan(30)
      const stats = e.stats()
      expect(stats.faults).toEqual({ total: 30, byKind: { '500': 30, '503': 0, hang: 0, reset: 0 }, applied })
    })
  })

  test('applyBeforeFault 1 applies every faulted write, 0 none; bodies are Attio-shaped', async () => {
    await withEmulator({ faults: { seed: 1, rate: 1, kinds: ['503'], applyBeforeFault: 1 } }, async (e) => {
      const r = await caller(e)('PUT', assertPath('people', 'email_addresses'), {
        data: { values: { email_addresses: ['a@x.com'] } }
      })
      expect(r.status).toBe(503)
      expect(r.body).toMatchObject({ status_code: 503, type: expect.any(String), code: expect.any(String) })
      expect(e.state().people).toHaveLength(1)
      expect(e.stats().faults.applied).toBe(1)
    })
    await withEmulator({ faults: { seed: 1, rate: 1, kinds: ['500'], applyBeforeFault: 0 } }, async (e) => {
      for (let i = 0; i < 5; i++) expect(await assertPerson(e, i)).toBe(500)
      expect(e.state().people).toHaveLength(0)
    })
  })

  test('never faults /_emulator routes', async () => {
    await withEmulator({ faults: { seed: 1, rate: 1, kinds: ['reset'] } }, async (e) => {
      for (const path of ['/_emulator/state', '/_emulator/stats', '/_emulator/bulk-log']) {
        const r = await fetch(e.url + path)
        expect(r.status).toBe(200)
      }
      expect((await fetch(`${e.url}/_emulator/reset`, { method: 'POST' })).status).toBe(200)
      expect(e.stats().faults.total).toBe(0)
    })
  })

  test("'reset' destroys the connection, after applying the write when applyBeforeFault says so", async () => {
    await withEmulator({ faults: { seed: 9, rate: 1, kinds: ['reset'], applyBeforeFault: 1 } }, async (e) => {
      expect(await assertPerson(e, 1)).toBe(-1)
      expect(e.state().people).toHaveLength(1)
      expect(e.stats().faults.byKind.reset).toBe(1)
    })
  })

  test("'hang' holds the response past a client time-out, then answers (applied) or drops (not applied)", async () => {
    await withEmulator(
      { faults: { seed: 2, rate: 1, kinds: ['hang'], hangMs: 300, applyBeforeFault: 1 } },
      async (e) => {
        const timedOut = await fetch(`${e.url}/v2/objects`, {
          headers: { authorization: `Bearer ${e.apiKey}` },
          signal: AbortSignal.timeout(100)
        }).then(
          () => 'answered',
          (err: Error) => err.name
        )
        expect(timedOut).toBe('TimeoutError')
        const started = Date.now()
        expect(await assertPerson(e, 1)).toBe(200)
        expect(Date.now() - started).toBeGreaterThanOrEqual(250)
      }
    )
    await withEmulator(
      { faults: { seed: 2, rate: 1, kinds: ['hang'], hangMs: 200, applyBeforeFault: 0 } },
      async (e) => {
        const started = Date.now()
        expect(await assertPerson(e, 1)).toBe(-1)
        expect(Date.now() - started).toBeGreaterThanOrEqual(150)
        expect(e.state().people).toHaveLength(0)
        expect(e.stats().faults).toMatchObject({ total: 1, applied: 0, byKind: { hang: 1 } })
      }
    )
  })

  test('latency holds each answer after processing, so answers to concurrent requests can come back in another order', async () => {
    await withEmulator({ latency: { minMs: 0, maxMs: 120, seed: 3 } }, async (e) => {
      const call = caller(e)
      const answered: number[] = []
      const applied: string[] = []
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          call('PUT', assertPath('people', 'email_addresses'), {
            data: { values: { email_addresses: ['ada@x.com'], job_title: `t${i}` } }
          }).then((r) => {
            expect(r.status).toBe(200)
            answered.push(i)
          })
        )
      )
      applied.push(...(e.state().people[0].values.job_title ?? []).map((v) => String(v.value)))
      expect(answered).toHaveLength(12)
      // Processed in arrival order (the last request's title stands), answered in another order.
      expect(applied).toEqual(['t11'])
      expect(answered).not.toEqual([...answered].sort((a, b) => a - b))
    })
    await expect(startEmulator({ latency: { minMs: 5, maxMs: 1 } })).rejects.toThrow(/latency/)
  })

  test('close() does not wait for hanging responses', async () => {
    const e = await startEmulator({ port: 0, faults: { seed: 2, rate: 1, kinds: ['hang'], hangMs: 60_000 } })
    const pending = assertPerson(e, 1)
    await new Promise((r) => setTimeout(r, 50))
    const started = Date.now()
    await e.close()
    expect(Date.now() - started).toBeLessThan(1000)
    expect(await pending).toBe(-1)
  })
})
