/**
 * A deterministic workload for the benchmark: the same seed always gives the same events.
 *
 * It models a product that sends Segment calls the way apps do: every login is an identify of the user
 * with all its traits (mostly unchanged since the last one), and most sessions also send a group call
 * for the user's workspace. Users belong to workspaces, workspaces to companies (some companies have
 * two). Emails arrive in messy forms (case, surrounding spaces) and company websites as URLs, so the
 * destination's normalisation decides whether two events describe the same record.
 */
import type { SegmentEvent } from '@segment/actions-core'

/** mulberry32: a small, fast, seedable 32-bit PRNG; good enough to pick events, not for anything secret. */
export function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface WorkloadOptions {
  /** PRNG seed (default 7). */
  seed?: number
  /** Number of events to generate (exactly), sessions deciding between identify and group. */
  events?: number
  /**
   * Instead of `events`: exactly this many identify and group events (e.g. whole batches per action).
   * Sessions then send a group call whenever identifies are used up, and only for identified users.
   */
  counts?: { identify: number; group: number }
  /** Only identify calls (no group calls). */
  identifyOnly?: boolean
  /** Number of users; default `events / eventsPerUser`. */
  users?: number
  /** Average events per user when `users` is not given (default 7). */
  eventsPerUser?: number
  /**
   * How users are picked: `skewed` (default) by weight 1/sqrt(rank), as some users log in far more often;
   * `rounds`: every user once per round, in a new random order each round (each user equally often).
   */
  order?: 'skewed' | 'rounds'
  /** Users per workspace on average (default 4). */
  usersPerWorkspace?: number
  /** Share of companies with a second workspace (default 0.2). */
  secondWorkspaceShare?: number
  /** Probability that a login's session also sends a group call (default 0.6). */
  groupShare?: number
  /** Probability that an identify carries a changed trait (default 0.08). */
  identifyChangeRate?: number
  /** Probability that a group call carries a changed trait (default 0.05). */
  groupChangeRate?: number
  /** When the first event was received (default 2026-01-05T09:00:00Z); events are 250 ms apart. */
  start?: number
}

export interface Workload {
  events: SegmentEvent[]
  identifies: number
  groups: number
  /** Distinct users, workspaces and companies the events mention. */
  users: number
  workspaces: number
  companies: number
  /** Events whose traits differ from the previous event for the same user or workspace. */
  changed: number
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim']
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman']
const TITLES = ['Engineer', 'Senior Engineer', 'Engineering Manager', 'CTO', 'Product Manager', 'Designer']
const PLANS = ['Free', 'Pro', 'Enterprise']

interface UserState {
  id: string
  email: string
  name: string
  title: string
  plan: string
  seats: number
  workspace: number
}

interface WorkspaceState {
  id: string
  name: string
  plan: string
  company: number
}

interface CompanyState {
  domain: string
  name: string
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]
}

/** A shuffled copy (Fisher-Yates). */
function shuffle<T>(random: () => number, list: readonly T[]): T[] {
  const copy = [...list]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}

/** The same address as people type it: sometimes capitalised, shouted, or with spaces around it. */
function messyEmail(random: () => number, email: string): string {
  const [local, domain] = email.split('@')
  switch (Math.floor(random() * 6)) {
    case 0:
      return `${local[0].toUpperCase()}${local.slice(1)}@${domain}`
    case 1:
      return `  ${email} `
    case 2:
      return `${local}@${domain.toUpperCase()}`
    case 3:
      return email.toUpperCase()
    default:
      return email
  }
}

/** The company's website as it shows up in group traits: a bare domain or any of several URLs. */
function messyWebsite(random: () => number, domain: string): string {
  switch (Math.floor(random() * 6)) {
    case 0:
      return `https://www.${domain}/pricing?ref=nav`
    case 1:
      return `http://${domain[0].toUpperCase()}${domain.slice(1)}/`
    case 2:
      return `www.${domain}`
    case 3:
      return `https://${domain.toUpperCase()}:443/about`
    default:
      return domain
  }
}

/** Builds a workload of exactly `options.events` events. */
export function generateWorkload(options: WorkloadOptions): Workload {
  const random = prng(options.seed ?? 7)
  const quota = options.counts
  if (quota && quota.group > 0 && quota.identify <= 0)
    throw new Error('group calls need identified users: ask for at least one identify')
  const total = quota ? quota.identify + quota.group : Math.max(0, Math.floor(options.events ?? 0))
  const userCount = Math.max(1, options.users ?? Math.round(total / (options.eventsPerUser ?? 7)))
  const workspaceCount = Math.max(1, Math.round(userCount / (options.usersPerWorkspace ?? 4)))
  const groupShare = options.identifyOnly ? 0 : (options.groupShare ?? 0.6)
  const identifyChangeRate = options.identifyChangeRate ?? 0.08
  const groupChangeRate = options.groupChangeRate ?? 0.05
  const start = options.start ?? Date.UTC(2026, 0, 5, 9, 0, 0)

  // Companies with one or two workspaces each.
  const companies: CompanyState[] = []
  const workspaces: WorkspaceState[] = []
  while (workspaces.length < workspaceCount) {
    const c = companies.length
    companies.push({ domain: `company${c}.com`, name: `Company ${c} ${pick(random, LAST)} Inc.` })
    const count = random() < (options.secondWorkspaceShare ?? 0.2) ? 2 : 1
    for (let k = 0; k < count && workspaces.length < workspaceCount; k++) {
      const w = workspaces.length
      workspaces.push({ id: `ws-${w}`, name: `Workspace ${w}`, plan: pick(random, PLANS), company: c })
    }
  }
  const users: UserState[] = Array.from({ length: userCount }, (_, u) => {
    const workspace = Math.floor(random() * workspaceCount)
    const first = pick(random, FIRST)
    const last = pick(random, LAST)
    return {
      id: `user-${u}`,
      email: `${first.toLowerCase()}.${last.toLowerCase()}${u}@${companies[workspaces[workspace].company].domain}`,
      name: `${first} ${last}`,
      title: pick(random, TITLES),
      plan: workspaces[workspace].plan,
      seats: 1 + Math.floor(random() * 20),
      workspace
    }
  })

  // Some users log in far more often than others: weight 1/sqrt(rank).
  const cumulative: number[] = []
  users.reduce((sum, _user, rank) => {
    const next = sum + 1 / Math.sqrt(rank + 1)
    cumulative.push(next)
    return next
  }, 0)
  let round: UserState[] = []
  const pickUser = (): UserState => {
    if (options.order === 'rounds') {
      if (round.length === 0) round = shuffle(random, users)
      return round.pop() as UserState
    }
    const target = random() * cumulative[cumulative.length - 1]
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const middle = (low + high) >> 1
      if (cumulative[middle] < target) low = middle + 1
      else high = middle
    }
    return users[low]
  }

  const events: SegmentEvent[] = []
  const seenUsers = new Set<string>()
  const seenWorkspaces = new Set<string>()
  const seenCompanies = new Set<number>()
  let identifies = 0
  let groups = 0
  let changed = 0
  const at = () => new Date(start + events.length * 250).toISOString()

  function emitGroup(user: UserState): void {
    if (!groupWanted()) return
    const workspace = workspaces[user.workspace]
    const company = companies[workspace.company]
    if (seenWorkspaces.has(workspace.id) && random() < groupChangeRate) {
      changed += 1
      workspace.plan = pick(
        random,
        PLANS.filter((p) => p !== workspace.plan)
      )
    }
    seenWorkspaces.add(workspace.id)
    seenCompanies.add(workspace.company)
    const time = at()
    events.push({
      type: 'group',
      messageId: `bench-${events.length}`,
      userId: user.id,
      groupId: workspace.id,
      timestamp: time,
      receivedAt: time,
      traits: {
        name: workspace.name,
        plan: workspace.plan,
        website: messyWebsite(random, company.domain),
        company_name: company.name
      }
    } as SegmentEvent)
    groups += 1
  }

  const identifyWanted = () => (quota ? identifies < quota.identify : events.length < total)
  const groupWanted = () => (quota ? groups < quota.group : events.length < total)

  while (events.length < total) {
    const user = pickUser()
    if (!identifyWanted()) {
      // Only group calls are left to send: for users already identified, every session sends one.
      if (seenUsers.has(user.id)) emitGroup(user)
      continue
    }
    if (seenUsers.has(user.id) && random() < identifyChangeRate) {
      changed += 1
      const which = Math.floor(random() * 3)
      if (which === 0)
        user.title = pick(
          random,
          TITLES.filter((t) => t !== user.title)
        )
      else if (which === 1)
        user.plan = pick(
          random,
          PLANS.filter((p) => p !== user.plan)
        )
      else user.seats += 1
    }
    seenUsers.add(user.id)
    const time = at()
    events.push({
      type: 'identify',
      messageId: `bench-${events.length}`,
      userId: user.id,
      timestamp: time,
      receivedAt: time,
      traits: {
        email: messyEmail(random, user.email),
        name: user.name,
        title: user.title,
        plan: user.plan,
        seats: user.seats
      }
    } as SegmentEvent)
    identifies += 1

    if (random() < groupShare) emitGroup(user)
  }
  return {
    events,
    identifies,
    groups,
    users: seenUsers.size,
    workspaces: seenWorkspaces.size,
    companies: seenCompanies.size,
    changed
  }
}
