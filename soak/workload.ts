/**
 * The soak's workload: a deterministic stream of identify and group events (same seed, same events),
 * with what real event streams carry: repeats, trait changes, mixed-case emails with spaces, URLs as
 * websites, nulls that unset values, and a little garbage that must be refused.
 *
 * Entities are clustered by company: a company's users and workspaces only ever meet each other. The
 * clusters are spread over lanes, and each lane's events are replayed in order by one worker of the host,
 * so lanes can run in parallel (each with its own token, as separate workspaces' traffic would) without
 * two workers ever writing the same record. A share of each lane's events is delivered through the batch
 * path (performBatch) in chunks.
 *
 * Three more faults, drawn from a random stream of their own (the base events stay those of the seed):
 * - **Concurrent writes**: now and then an identify event is delivered at the same time as a decoy (the same
 *   event with another plan), then delivered once more on its own: the write memory must not keep either.
 * - **Deletions**: a person working in Attio deletes a User, Person, Company or Workspace of the lane between
 *   two deliveries; later events re-create it or not (Group Workspace never creates a User).
 * - **Schema drift**: once per lane, an option ("Team") and an attribute (`users.tier`) are created in Attio;
 *   only events after that step in the lane use them.
 */
import type { JSONObject } from '@segment/actions-core'
import { Random } from './random'

export type SoakAction = 'identifyUser' | 'groupWorkspace'

export interface SoakEvent {
  /** Position in the workload (0-based). */
  index: number
  action: SoakAction
  lane: number
  /** The CDP event, as a host would hand it to the destination. */
  event: JSONObject
  /** The user an identify event is about, for the deletion checks. */
  userId?: string
  /** Part of a concurrent pair (the decoy and the event), or the event delivered again after it. */
  pinned?: 'decoy' | 'pair' | 'settle'
}

/** A record deleted in Attio by hand, found by its unique value. */
export interface Deletion {
  object: 'users' | 'people' | 'companies' | 'workspaces'
  attribute: string
  value: string
}

/**
 * One step of a lane: a call of the destination (a single event through perform, a chunk through performBatch,
 * or two single events at once), or a change made in Attio by hand (a deletion, new schema).
 */
export interface Delivery {
  path: 'single' | 'batch' | 'concurrent' | 'delete' | 'schema'
  action: SoakAction
  /** Indexes into `events`, in the order they are handed over (none for a deletion or schema change). */
  events: number[]
  deletion?: Deletion
}

/** What the schema-drift step creates in Attio, and the events after it use. */
export const DRIFT = {
  object: 'users',
  option: { attribute: 'plan', title: 'Team' },
  attribute: 'tier'
} as const

export interface Workload {
  seed: number
  events: SoakEvent[]
  /** Per lane, the deliveries in the order that lane's worker makes them. */
  lanes: Delivery[][]
  /** The mapping of each action (on top of its default mappings). */
  mappings: Record<SoakAction, JSONObject>
}

export interface WorkloadOptions {
  events: number
  seed: number
  lanes: number
  /** Share of events delivered through the batch path (about). */
  batchShare?: number
  /** Bulk assertions per request inside performBatch (its `batch_size`), so chunks split. */
  batchSize?: number
  /** Share of identify events delivered at the same time as a decoy (default 0.02). */
  concurrentShare?: number
  /** Chance, per event, of a deletion in Attio before it (default 0.01). */
  deletionRate?: number
  /** Whether each lane creates an option and an attribute in Attio part way through (default true). */
  schemaDrift?: boolean
}

/** One item of the generated stream: an event, or a step made in Attio by hand. */
type Item = { event: SoakEvent } | { step: Delivery; lane: number }

const FIRST = ['ada', 'grace', 'alan', 'edsger', 'barbara', 'donald', 'frances', 'ken', 'margaret', 'linus']
const LAST = ['lovelace', 'hopper', 'turing', 'dijkstra', 'liskov', 'knuth', 'allen', 'thompson', 'hamilton']
const PLANS = ['Free', 'Pro', 'Enterprise', 'pro', 'ENTERPRISE']
const TITLES = ['Engineer', 'CTO', 'Head of Data', 'Founder', 'Analyst']

interface User {
  id: string
  first: string
  last: string
  /** Bumped when the user changes email address. */
  emailVersion: number
  identified: boolean
}

interface Company {
  n: number
  domain: string
  users: User[]
  workspaces: string[]
}

const at = (index: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + index * 1000).toISOString()

/** The user's current address, written the way sloppy sources write it. */
function messyEmail(random: Random, company: Company, user: User): string {
  const local = `${user.first}.${user.last}${user.emailVersion > 1 ? `.v${user.emailVersion}` : ''}`
  const email = `${local}@${company.domain}`
  switch (random.int(0, 5)) {
    case 0:
      return email.toUpperCase()
    case 1:
      return `  ${email} `
    case 2:
      return `${local[0].toUpperCase()}${local.slice(1)}@${company.domain.toUpperCase()}`
    case 3:
      return `\t${email}\n`
    default:
      return email
  }
}

const BAD_EMAILS = ['ada.lovelace@', 'ada(at)example.com', '@example.com', 'ada lovelace@example.com', 'n/a']
const BAD_WEBSITES = [
  'not a domain',
  'mailto:info@example.com',
  'http://localhost',
  'acme',
  'ftp://files.example'
]

/** A website in one of the shapes event sources send; all of them mean the company's domain. */
function messyWebsite(random: Random, company: Company): Record<string, string> {
  const d = company.domain
  switch (random.int(0, 6)) {
    case 0:
      return { website: `https://www.${d}/pricing?ref=ad&utm_source=x` }
    case 1:
      return { website: `HTTP://${d.toUpperCase()}:8080/` }
    case 2:
      return { website: ` www.${d} ` }
    case 3:
      return { website: `${d}.` }
    case 4:
      return { domain: `//${d}/about#team` }
    case 5:
      return { domain: d.toUpperCase() }
    default:
      return { website: d }
  }
}

function phone(random: Random): string {
  const n = String(random.int(100, 199)).slice(1)
  return random.pick([`+1 415 555 01${n}`, `+1 (415) 555-01${n}`, `+1415555 01${n}`, `0044 20 7946 00${n}`])
}

function identifyEvent(random: Random, company: Company, user: User, index: number): JSONObject {
  const traits: JSONObject = {}
  if (random.chance(0.015)) traits.email = random.pick(BAD_EMAILS)
  else if (random.chance(0.005)) traits.email = ''
  else traits.email = messyEmail(random, company, user)
  if (random.chance(0.4)) traits.name = `${cap(user.first)} ${cap(user.last)}`
  if (random.chance(0.3)) traits.title = random.chance(0.15) ? null : random.pick(TITLES)
  if (random.chance(0.2)) traits.phone = phone(random)
  if (random.chance(0.5)) traits.plan = random.pick(PLANS)
  if (random.chance(0.4)) traits.seats = random.chance(0.3) ? String(random.int(1, 500)) : random.int(1, 500)
  if (random.chance(0.2)) traits.is_admin = random.pick<boolean | string>([true, false, 'true', 'false'])
  if (random.chance(0.2)) traits.nps = random.chance(0.1) ? null : random.int(0, 5)
  // No userId is an explicit null: actions-core's test events would otherwise fill in "user1234".
  const userId = random.chance(0.005) ? null : user.id
  return { type: 'identify', userId, receivedAt: at(index), timestamp: at(index), traits }
}

function groupEvent(random: Random, company: Company, index: number): JSONObject {
  const workspace = random.pick(company.workspaces)
  const traits: JSONObject = random.chance(0.01)
    ? { website: random.pick(BAD_WEBSITES) }
    : messyWebsite(random, company)
  if (random.chance(0.5)) traits.name = `${cap(company.domain.split('.')[0])} ${workspace.split('-').pop()}`
  if (random.chance(0.4)) traits.plan = random.pick(PLANS)
  if (random.chance(0.3)) traits.mrr = random.pick<number | string>([99, 499.5, '1200.25', 0, 12345.6789])
  if (random.chance(0.3)) traits.company_name = `${cap(company.domain.split('.')[0])} Inc.`
  const event: JSONObject = {
    type: 'group',
    groupId: workspace,
    userId: null,
    receivedAt: at(index),
    timestamp: at(index),
    traits
  }
  const identified = company.users.filter((u) => u.identified)
  const link = random.next()
  if (link < 0.7 && identified.length > 0) event.userId = random.pick(identified).id
  else if (link < 0.75) event.userId = `${company.users[0].id}-ghost`
  return event
}

const cap = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

export function generateWorkload(options: WorkloadOptions): Workload {
  const random = new Random(options.seed)
  const companyCount = Math.max(2, Math.ceil(options.events / 20))
  const companies: Company[] = Array.from({ length: companyCount }, (_, n) => {
    const domain = `${random.pick(['acme', 'globex', 'initech', 'umbrella', 'hooli'])}${n}.${random.pick(['com', 'io', 'co.uk', 'dev'])}`
    const users = Array.from({ length: random.int(1, 5) }, (_, k) => ({
      id: `u${n}-${k}`,
      first: FIRST[(n + k) % FIRST.length],
      last: `${LAST[(n * 7 + k) % LAST.length]}${k}`,
      emailVersion: 1,
      identified: false
    }))
    const workspaces = Array.from({ length: random.int(1, 2) }, (_, k) => `ws-${n}-${k}`)
    return { n, domain, users, workspaces }
  })

  const events: SoakEvent[] = []
  const items: Item[] = []
  // The extra faults draw from a stream of their own, so the base events stay those of the seed.
  const extra = new Random((options.seed ^ 0x5eed) >>> 0)
  const concurrentShare = options.concurrentShare ?? 0.02
  const deletionRate = options.deletionRate ?? 0.01
  // Each lane's schema change comes a fifth to a half of the way through the events.
  const driftAt = Array.from({ length: options.lanes }, () =>
    options.schemaDrift === false ? Infinity : Math.floor(options.events * (0.2 + 0.3 * extra.next()))
  )
  const drifted = new Set<number>()
  /** Per company, a user just deleted in Attio: its next group event links it (Group Workspace must not create it). */
  const deletedUser = new Map<number, string>()
  const push = (action: SoakAction, lane: number, event: JSONObject, more: Partial<SoakEvent> = {}) => {
    const soakEvent: SoakEvent = { index: events.length, action, lane, event, ...more }
    events.push(soakEvent)
    items.push({ event: soakEvent })
    return soakEvent
  }
  for (let index = 0; index < options.events; index++) {
    const company = random.pick(companies)
    const lane = company.n % options.lanes
    if (!drifted.has(lane) && index >= driftAt[lane]) {
      drifted.add(lane)
      items.push({ lane, step: { path: 'schema', action: 'identifyUser', events: [] } })
    }
    if (extra.chance(deletionRate)) {
      const deletion = deletionIn(extra, company)
      if (deletion)
        items.push({ lane, step: { path: 'delete', action: 'identifyUser', events: [], deletion } })
      if (deletion?.object === 'users') deletedUser.set(company.n, deletion.value)
    }
    const fresh = company.users.filter((u) => !u.identified)
    if ((fresh.length > 0 && random.chance(0.5)) || random.chance(0.55)) {
      const user = fresh.length > 0 && random.chance(0.6) ? fresh[0] : random.pick(company.users)
      if (user.identified && random.chance(0.02)) user.emailVersion += 1
      const event = identifyEvent(random, company, user, index)
      user.identified = true
      if (deletedUser.get(company.n) === user.id) deletedUser.delete(company.n)
      if (drifted.has(lane)) driftTraits(extra, event)
      const traits = event.traits as JSONObject
      const valid =
        typeof traits.plan === 'string' && event.userId !== null && !BAD_EMAILS.includes(String(traits.email))
      if (valid && extra.chance(concurrentShare)) {
        // A decoy with another plan goes out at the same time; then the event once more, on its own.
        const decoy = structuredClone(event)
        ;(decoy.traits as JSONObject).plan =
          PLANS.find((plan) => plan.toLowerCase() !== String(traits.plan).toLowerCase()) ?? 'Free'
        push('identifyUser', lane, decoy, { userId: user.id, pinned: 'decoy' })
        push('identifyUser', lane, event, { userId: user.id, pinned: 'pair' })
        push('identifyUser', lane, structuredClone(event), { userId: user.id, pinned: 'settle' })
      } else {
        push('identifyUser', lane, event, { userId: user.id })
      }
    } else {
      const event = groupEvent(random, company, index)
      const deleted = deletedUser.get(company.n)
      if (deleted !== undefined) {
        deletedUser.delete(company.n)
        if (extra.chance(0.8)) event.userId = deleted
      }
      push('groupWorkspace', lane, event)
    }
  }

  const lanes = Array.from({ length: options.lanes }, (_, lane) =>
    deliveriesOf(
      random,
      items.filter((item) => ('event' in item ? item.event.lane : item.lane) === lane),
      options.batchShare ?? 0.4
    )
  )
  const batchSize = options.batchSize ?? 8
  return {
    seed: options.seed,
    events,
    lanes,
    mappings: {
      identifyUser: {
        batch_size: batchSize,
        person_attributes: {
          name: { '@path': '$.traits.name' },
          job_title: { '@path': '$.traits.title' },
          phone_numbers: { '@path': '$.traits.phone' },
          nps: { '@path': '$.traits.nps' }
        },
        user_attributes: {
          plan: { '@path': '$.traits.plan' },
          seats: { '@path': '$.traits.seats' },
          is_admin: { '@path': '$.traits.is_admin' },
          [DRIFT.attribute]: { '@path': `$.traits.${DRIFT.attribute}` }
        }
      },
      groupWorkspace: {
        batch_size: batchSize,
        company_attributes: { name: { '@path': '$.traits.company_name' } },
        workspace_attributes: {
          name: { '@path': '$.traits.name' },
          plan: { '@path': '$.traits.plan' },
          mrr: { '@path': '$.traits.mrr' }
        }
      }
    }
  }
}

/** After a lane's schema change: some identify events use the new option and the new attribute. */
function driftTraits(random: Random, event: JSONObject): void {
  const traits = event.traits as JSONObject
  if (random.chance(0.15)) traits.plan = DRIFT.option.title
  if (random.chance(0.15)) traits[DRIFT.attribute] = random.pick(['gold', 'silver', 'bronze'])
}

/** A record of the company for a person working in Attio to delete (an identified user's, or the company's). */
function deletionIn(random: Random, company: Company): Deletion | undefined {
  const identified = company.users.filter((u) => u.identified)
  switch (random.int(0, 3)) {
    case 0:
    case 1: {
      if (identified.length === 0) return undefined
      return { object: 'users', attribute: 'user_id', value: random.pick(identified).id }
    }
    case 2: {
      if (identified.length === 0) return undefined
      const user = random.pick(identified)
      const local = `${user.first}.${user.last}${user.emailVersion > 1 ? `.v${user.emailVersion}` : ''}`
      return {
        object: 'people',
        attribute: 'email_addresses',
        value: `${local}@${company.domain}`.toLowerCase()
      }
    }
    default:
      return random.chance(0.5)
        ? { object: 'companies', attribute: 'domains', value: company.domain }
        : { object: 'workspaces', attribute: 'workspace_id', value: random.pick(company.workspaces) }
  }
}

/**
 * A lane's deliveries: mostly one event at a time; now and then a chunk of the lane's next events of one
 * action (the events of the other action in between wait until after the chunk, as a host that batches
 * per action would send them). A change made in Attio by hand is a barrier: no chunk reaches across it. A
 * concurrent pair is one delivery, never part of a chunk, and the event delivered again after it follows it.
 */
function deliveriesOf(random: Random, laneItems: Item[], batchShare: number): Delivery[] {
  const deliveries: Delivery[] = []
  // A chunk averages ~14 events, so starting one at this rate gives about `batchShare` of the events.
  const startChunk = batchShare / (14 * (1 - batchShare) + batchShare)
  let position = 0
  while (position < laneItems.length) {
    const item = laneItems[position]
    if ('step' in item) {
      deliveries.push(item.step)
      position += 1
      continue
    }
    // The events up to the next step.
    let end = position
    while (end < laneItems.length && 'event' in laneItems[end]) end += 1
    const pending = laneItems.slice(position, end).map((entry) => (entry as { event: SoakEvent }).event)
    position = end
    while (pending.length > 0) {
      const first = pending[0]
      if (first.pinned === 'decoy') {
        const [decoy, pair, settle] = pending.splice(0, 3)
        deliveries.push({ path: 'concurrent', action: 'identifyUser', events: [decoy.index, pair.index] })
        deliveries.push({ path: 'single', action: 'identifyUser', events: [settle.index] })
      } else if (random.chance(startChunk)) {
        const size = random.int(4, 24)
        const chunk = pending.filter((e) => e.action === first.action && !e.pinned).slice(0, size)
        if (chunk.length === 0) continue
        for (const e of chunk) pending.splice(pending.indexOf(e), 1)
        deliveries.push({ path: 'batch', action: first.action, events: chunk.map((e) => e.index) })
      } else {
        pending.shift()
        deliveries.push({ path: 'single', action: first.action, events: [first.index] })
      }
    }
  }
  return deliveries
}
