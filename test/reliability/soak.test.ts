/**
 * The fault soak at a small size, so CI runs it on every change and it cannot rot (`npm run soak` runs
 * it at 2,000 events). A higher fault rate than the full run's, so every kind of fault happens in
 * 200 events; more concurrent pairs and deletions too, so some happen. (The workload adds a decoy and a repeat
 * for each concurrent pair, so there are a few more than 200 events.)
 */
import { parseArgs } from '../../soak/run'
import { DEFAULT_HOST_OPTIONS } from '../../soak/host'
import { formatReport, runSoak } from '../../soak/soak'

describe('fault soak (200 events)', () => {
  it('loses nothing, duplicates nothing, and leaves the state a fault-free run leaves', async () => {
    const report = await runSoak({
      events: 200,
      faultRate: 0.15,
      timeoutMs: 500,
      hangMs: 700,
      concurrentShare: 0.05,
      deletionRate: 0.03,
      // At a 15% fault rate an event of four or five requests fails an attempt about half the time, so
      // 8 attempts (the full soak's, at 5%) leave one event in a few runs retryable by bad luck alone; a
      // host keeps retrying far longer than 16 attempts.
      host: { ...DEFAULT_HOST_OPTIONS, maxAttempts: 16 }
    })
    const lines = formatReport(report)
    // The figures, for whoever reads a failure.
    if (!report.ok) console.log(lines.join('\n'))
    expect(lines.at(-1)).toMatch(
      /^soak: 2\d\d events, \d+ delivered, \d+ failed \(non-retryable\), 0 lost, 0 duplicated, state equal: yes$/
    )
    // Failure reasons group the thrown (single path) and reported (batch) forms of one error together.
    const reasons = lines.filter((line) => /^soak: +\d+ × /.test(line))
    expect(reasons.length).toBeGreaterThan(0)
    for (const line of reasons) {
      expect(line).not.toMatch(/× \S+ [A-Z]\w*Error: /)
      expect(line).toMatch(/ \(single \d+, batch \d+\)$/)
    }
    expect(report.events).toBeGreaterThanOrEqual(200)
    expect(report.delivered + report.failed + report.lost).toBe(report.events)
    expect(report.faulty.outcomes.size).toBe(report.events)
    expect(report.differences).toEqual([])
    expect(report.faulty.leaks).toEqual([])
    expect(report.ok).toBe(true)
    // The run was a real soak: every kind of fault happened, some of them after the write was applied,
    // retries happened, and both paths were used.
    const { faults } = report.faulty.stats
    expect(faults.byKind).toEqual({
      '500': expect.any(Number),
      '503': expect.any(Number),
      hang: expect.any(Number),
      reset: expect.any(Number)
    })
    for (const count of Object.values(faults.byKind)) expect(count).toBeGreaterThan(0)
    expect(faults.applied).toBeGreaterThan(0)
    expect(report.faulty.counters.retries).toBeGreaterThan(0)
    expect(report.workload.batched).toBeGreaterThan(0)
    expect(report.clean.stats.faults.total).toBe(0)
    // The changes made in Attio by hand and the concurrent writes happened, and no deleted User came back.
    expect(report.workload.concurrent).toBeGreaterThan(0)
    expect(report.faulty.byHand.deleted).toBeGreaterThan(0)
    expect(report.faulty.byHand.schemaChanges).toBeGreaterThan(0)
    expect(report.faulty.resurrected).toEqual([])
    expect(report.clean.resurrected).toEqual([])
  }, 120_000)
})

describe('npm run soak options', () => {
  it('reads the command line', () => {
    expect(
      parseArgs(['--events', '50000', '--fault-kinds', 'hang,reset', '--suppression', 'off'])
    ).toMatchObject({
      events: 50000,
      faultKinds: ['hang', 'reset'],
      suppression: false,
      host: expect.objectContaining({ maxAttempts: 8 })
    })
    expect(
      parseArgs([
        '--latency-ms',
        '0',
        '--concurrent-share',
        '0.1',
        '--deletion-rate',
        '0',
        '--no-schema-drift'
      ])
    ).toMatchObject({ latencyMs: 0, concurrentShare: 0.1, deletionRate: 0, schemaDrift: false })
    expect(() => parseArgs(['--fault-rate', '2'])).toThrow('--fault-rate: "2" is not a number from 0 to 1')
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown option --bogus/)
  })
})
