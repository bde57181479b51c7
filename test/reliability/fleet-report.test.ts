/**
 * `npm run fleet`'s report: a state difference names the events of each differing record with how the fleet
 * and the reference delivered them; the crossing phase's sample (soak/crossing.ts) and its line.
 */
import { crossingSample } from '../../soak/crossing'
import { DEFAULT_FLEET_OPTIONS, formatFleet, type FleetReport } from '../../soak/fleet'
import { diagnose } from '../../soak/fleet-report'
import type { EventOutcome } from '../../soak/host'
import type { Delivery, SoakEvent, Workload } from '../../soak/workload'

const events = [
  {
    index: 0,
    lane: 4,
    action: 'identifyUser',
    event: { userId: 'u4-0', traits: { email: 'ada@globex4.dev' } }
  },
  {
    index: 1,
    lane: 1,
    action: 'identifyUser',
    event: { userId: 'u1-0', traits: { email: 'bob@acme1.dev' } }
  },
  {
    index: 2,
    lane: 4,
    action: 'identifyUser',
    event: { userId: 'u4-0', traits: { email: 'ada@globex4.dev' } }
  }
]

describe('fleet report', () => {
  it("lists the events naming a differing record, the fleet's outcome against the reference's", () => {
    const fleet = new Map<number, EventOutcome>([
      [0, { result: 'delivered', attempts: 1, status: 200, path: 'single' }],
      [2, { result: 'failed', attempts: 2, status: 400, reason: 'no attribute "tier"', path: 'batch' }]
    ])
    const reference = new Map<number, EventOutcome>([
      [0, { result: 'delivered', attempts: 1, status: 200, path: 'single' }],
      [2, { result: 'delivered', attempts: 1, status: 200, path: 'batch' }]
    ])
    const lines = diagnose([{ object: 'users', identity: 'u4-0' }], events, fleet, reference)
    expect(lines).toEqual([
      'users "u4-0": 2 event(s) name it',
      '  event 0 (lane 4, identifyUser): fleet delivered (single, 1 attempt, 200); reference delivered (single, 1 attempt, 200)',
      '  event 2 (lane 4, identifyUser): fleet failed (batch, 2 attempts, 400: no attribute "tier"); reference delivered (batch, 1 attempt, 200)'
    ])
  })
})

describe('fleet crossing phase', () => {
  const identify = (index: number, lane: number, userId: string | null): SoakEvent => ({
    index,
    action: 'identifyUser',
    lane,
    event: { type: 'identify', userId, traits: {} }
  })
  const group = (index: number, lane: number, groupId: string): SoakEvent => ({
    index,
    action: 'groupWorkspace',
    lane,
    event: { type: 'group', groupId, userId: null, traits: {} }
  })
  const single = (event: SoakEvent): Delivery => ({
    path: 'single',
    action: event.action,
    events: [event.index]
  })
  const delivered: EventOutcome = { result: 'delivered', attempts: 1, status: 200, path: 'single' }

  it("re-delivers each company's last delivered event after its lane's last change by hand, on the next worker", () => {
    const events = [
      identify(0, 0, 'u24-0'), // company 24's last event, but before lane 0's deletion: not taken
      identify(1, 0, 'u0-1'), // company 0, later than the deletion but not its last event
      group(2, 0, 'ws-8-0'), // company 8: its last event, failed: company 8 has none
      identify(3, 0, 'u8-0'), // company 8, earlier than its failed last event: not taken
      group(4, 0, 'ws-0-0'), // company 0's last event, in a batch with event 5
      identify(5, 0, 'u16-0'), // company 16's last event
      identify(6, 1, null), // lane 1: no company: a barrier
      identify(7, 1, 'u1-0'), // company 1's last event
      identify(8, 1, 'u9-0'), // company 9's last event, half of a concurrent pair: not taken
      identify(9, 1, 'u17-0') // company 17's last event, before the barrier: not taken
    ]
    events[8].pinned = 'pair'
    const workload: Workload = {
      seed: 1,
      events,
      lanes: [
        [
          single(events[0]),
          {
            path: 'delete',
            action: 'identifyUser',
            events: [],
            deletion: { object: 'users', attribute: 'user_id', value: 'u0-0' }
          },
          single(events[1]),
          single(events[3]),
          single(events[2]),
          { path: 'batch', action: 'groupWorkspace', events: [4, 5] }
        ],
        [single(events[9]), single(events[6]), single(events[7]), single(events[8])]
      ],
      mappings: { identifyUser: {}, groupWorkspace: {} }
    }
    const outcomes = new Map<number, EventOutcome>(events.map((event) => [event.index, delivered]))
    outcomes.set(2, { result: 'failed', attempts: 1, status: 400, path: 'single' })
    expect(crossingSample(workload, outcomes, 2)).toEqual([
      { index: 4, action: 'groupWorkspace', lane: 0, from: 0, to: 1 },
      { index: 5, action: 'identifyUser', lane: 0, from: 0, to: 1 },
      { index: 7, action: 'identifyUser', lane: 1, from: 1, to: 0 }
    ])
  })

  it('prints its line just before the closing line, which stays last and unchanged', () => {
    const report: FleetReport = {
      options: { ...DEFAULT_FLEET_OPTIONS, events: 200 },
      events: 202,
      delivered: 190,
      lost: 0,
      duplicated: 0,
      rateLimited: 0,
      writesPerEvent: 1.2574,
      singleWritesPerEvent: 1.25,
      eventsPerSecond: 17.9,
      singleEventsPerSecond: 17.2,
      singleRateLimited: 0,
      singleLost: 0,
      equal: true,
      singleEqual: true,
      singleDiagnosis: [],
      differences: [],
      diagnosis: [],
      fallbacks: 0,
      leaks: 0,
      bulkDropped: 0,
      crossing: { events: 10, writes: 12, writesWithout: 24, notDelivered: [], messages: [] },
      crossingSkipped: 'one worker',
      crossingNotes: [],
      ok: true
    }
    const lines = formatFleet(report)
    expect(lines.slice(-2)).toEqual([
      'fleet: crossing: 10 re-delivered events on another worker, writes 12 (without shared memory: 24)',
      'fleet: 4 workers, 202 events, 190 delivered, 0 lost, 0 duplicated, 429s 0, writes/event 1.26 (single process 1.25), state equal: yes'
    ])
    expect(formatFleet({ ...report, crossing: undefined, crossingSkipped: 'no shared state' }).at(-2)).toBe(
      'fleet: crossing: not run (no shared state)'
    )
  })
})
