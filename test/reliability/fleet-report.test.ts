/**
 * `npm run fleet`'s report: a state difference names the events of each differing record with how the fleet
 * and the reference delivered them.
 */
import { diagnose } from '../../soak/fleet-report'
import type { EventOutcome } from '../../soak/host'

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
