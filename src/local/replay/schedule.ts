/**
 * When events are sent. Single events: a few in flight at once, but events about the same user, group,
 * email or domain never together, and in file order (a group event waits for the identify of its user
 * before it). Batches: events collect per subscription; when one subscription's chunk is full, every open
 * chunk goes, the ones that link records another action writes (Group Workspace: the Users of Identify
 * User) after that action's chunks have been answered.
 */
import type { SubscriptionRoute } from '../routing'
import type { Item } from './ledger'

/**
 * What an event is about. Events sharing one of these are never in flight at the same time and start in
 * file order, so a group event waits for the identify of its user that precedes it.
 */
export function identityKeys(event: Record<string, unknown>): string[] {
  const keys = new Set<string>()
  const add = (kind: string, value: unknown) => {
    if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number') {
      keys.add(`${kind}:${String(value).trim().toLowerCase()}`)
    }
  }
  add('user', event.userId)
  add('group', event.groupId)
  const traits = (event.traits ?? {}) as Record<string, unknown>
  add('email', traits.email)
  add('domain', traits.website)
  add('domain', traits.domain)
  return [...keys]
}

/** Work in flight, at most `concurrency` at once, one at a time per identity key. */
export class Scheduler {
  /** The first error a piece of work threw (the replay stops on it). */
  firstError: unknown
  private readonly inflight = new Set<Promise<void>>()
  private readonly busy = new Map<string, Promise<void>>()

  constructor(private readonly concurrency: number) {}

  launch(work: Promise<void>, keys: readonly string[] = []): Promise<void> {
    const tracked: Promise<void> = work
      .catch((error: unknown) => {
        this.firstError ??= error
      })
      .finally(() => {
        this.inflight.delete(tracked)
        for (const key of keys) if (this.busy.get(key) === tracked) this.busy.delete(key)
      })
    this.inflight.add(tracked)
    for (const key of keys) this.busy.set(key, tracked)
    return tracked
  }

  /** Resolves when there is room, and no work about these keys is in flight. */
  async waitForRoom(keys: readonly string[] = []): Promise<void> {
    for (;;) {
      const blockers = keys.map((key) => this.busy.get(key)).filter((work) => work !== undefined)
      if (blockers.length > 0) await Promise.race(blockers)
      else if (this.inflight.size >= this.concurrency) await Promise.race(this.inflight)
      else return
    }
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inflight])
  }
}

/** For each action, the actions whose records it links (Group Workspace links the Users Identify User writes). */
const LINKS_RECORDS_OF: Readonly<Record<string, readonly string[]>> = { groupWorkspace: ['identifyUser'] }

interface Chunk {
  route: SubscriptionRoute
  items: Item[]
}

/** Chunks per subscription, sent through the scheduler when one is full (and at the end). */
export class BatchAssembler {
  private readonly open = new Map<number, Chunk>()
  /** Chunks in flight, by action. */
  private readonly inFlight = new Map<string, Set<Promise<void>>>()

  constructor(
    private readonly batchSize: number,
    private readonly scheduler: Scheduler,
    private readonly send: (items: Item[], route: SubscriptionRoute) => Promise<void>
  ) {}

  get size(): number {
    return this.open.size
  }

  async add(item: Item, route: SubscriptionRoute): Promise<void> {
    const chunk = this.open.get(route.index) ?? { route, items: [] }
    chunk.items.push(item)
    this.open.set(route.index, chunk)
    if (chunk.items.length >= this.batchSize) await this.dispatch()
  }

  /**
   * Sends every open chunk. They cover the same stretch of the file, interleaved: a chunk that links
   * records another action writes goes after that action's chunks and waits for them to be answered, so
   * the records it links were sent before it; the others go in the order of their first event.
   */
  async dispatch(): Promise<void> {
    const linked = (action: string) => LINKS_RECORDS_OF[action] ?? []
    const rank = (chunk: Chunk) => (linked(chunk.route.action).length > 0 ? 1 : 0)
    const chunks = [...this.open.values()].sort(
      (a, b) => rank(a) - rank(b) || a.items[0].line - b.items[0].line
    )
    this.open.clear()
    for (const chunk of chunks) {
      const action = chunk.route.action
      await Promise.all(linked(action).flatMap((other) => [...(this.inFlight.get(other) ?? [])]))
      await this.scheduler.waitForRoom()
      const tracked = this.scheduler.launch(this.send(chunk.items, chunk.route))
      const ofAction = this.inFlight.get(action) ?? new Set<Promise<void>>()
      ofAction.add(tracked)
      this.inFlight.set(action, ofAction)
      void tracked.finally(() => ofAction.delete(tracked))
    }
  }
}
