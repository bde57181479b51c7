/**
 * Fleet mode's shared memory of writes: each process keeps its own write memory (digests, bounded, with its
 * time to live: src/api/suppression/), and tells the others over Redis pub/sub of every write it made and
 * every bulk request it sent, so they forget what they remembered of those records (and count their own
 * writes in flight for them as overlapped). The schema cache likewise: a list one process read again is
 * dropped by the others. A message can only make a process forget, so none can make Attio wrong.
 *
 * When the subscription is lost (Redis down or slow) a process cannot hear the others: it forgets every
 * record it remembered, then and again once it hears them again (when in doubt, forget).
 */
import { randomBytes } from 'node:crypto'
import type Redis from 'ioredis'
import { z } from 'zod'
import { forgetSchemaEntry, schemaChanges } from '../schema'
import {
  bulkChanges,
  forgetAllRecords,
  forgetChanged,
  memoryChanges,
  rememberBulkChange,
  type MemoryChange
} from '../suppression'
import type { RedisState } from './redis'
import { EPOCH_CHANNEL } from './shared-memory'

export const MEMORY_CHANNEL = 'attio:memory'
export const SCHEMA_CHANNEL = 'attio:schema'
export const BULK_CHANNEL = 'attio:bulk'

const change = z.object({
  from: z.string(),
  workspaceKey: z.string().max(200),
  object: z.string().max(200),
  recordId: z.string().max(200).optional(),
  keys: z.array(z.string().max(200)).max(10_000),
  unsettled: z.boolean()
})
const bulk = z.object({
  from: z.string(),
  key: z.string().max(200),
  sentAt: z.number().optional(),
  seen: z.literal(true).optional()
})
const refresh = z.object({ from: z.string(), key: z.string().max(2000) })

export class Invalidations {
  /** Tells this process's own messages apart. */
  private readonly self = randomBytes(8).toString('hex')
  private readonly subscriber: Redis
  private listening = false
  private subscribed = false

  constructor(private readonly state: RedisState) {
    this.subscriber = state.client.duplicate({ enableOfflineQueue: true })
    this.subscriber.on('error', () => this.deaf())
    this.subscriber.on('close', () => this.deaf())
    this.subscriber.on('ready', () => this.hearing())
    this.subscriber.on('message', (channel: string, text: string) => this.receive(channel, text))
    void this.subscriber
      .subscribe(MEMORY_CHANNEL, SCHEMA_CHANNEL, BULK_CHANNEL, EPOCH_CHANNEL)
      .then(() => (this.subscribed = true))
      .catch(() => this.deaf())
    memoryChanges.publish = (memoryChange) => this.publish(MEMORY_CHANNEL, memoryChange)
    schemaChanges.publish = (key) => this.publish(SCHEMA_CHANNEL, { key })
    bulkChanges.publish = (bulkChange) => this.publish(BULK_CHANNEL, bulkChange)
  }

  /** Whether this process hears the others now (connected, and its first subscription answered). */
  get hears(): boolean {
    return this.listening && this.subscribed
  }

  private publish(channel: string, message: MemoryChange | { key: string }): void {
    void this.state.run((client) => client.publish(channel, JSON.stringify({ from: this.self, ...message })))
  }

  private receive(channel: string, text: string): void {
    // A process moved the shared memory's epoch on (it may have missed deleting entries): when in doubt, forget.
    if (channel === EPOCH_CHANNEL) return forgetAllRecords()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return
    }
    if (channel === MEMORY_CHANNEL) {
      const parsed = change.safeParse(json)
      if (parsed.success && parsed.data.from !== this.self) {
        const { from: _from, ...rest } = parsed.data
        forgetChanged(rest)
      }
    } else if (channel === BULK_CHANNEL) {
      const parsed = bulk.safeParse(json)
      if (parsed.success && parsed.data.from !== this.self) {
        const { from: _from, ...rest } = parsed.data
        rememberBulkChange(rest)
      }
    } else if (channel === SCHEMA_CHANNEL) {
      const parsed = refresh.safeParse(json)
      if (parsed.success && parsed.data.from !== this.self) forgetSchemaEntry(parsed.data.key)
    }
  }

  private deaf(): void {
    if (!this.listening) return
    this.listening = false
    forgetAllRecords()
  }

  private hearing(): void {
    // ioredis subscribes again on its own after a reconnect; what was missed meanwhile is forgotten.
    this.listening = true
    forgetAllRecords()
  }

  close(): void {
    if (memoryChanges.publish) delete memoryChanges.publish
    if (schemaChanges.publish) delete schemaChanges.publish
    if (bulkChanges.publish) delete bulkChanges.publish
    this.subscriber.removeAllListeners()
    this.subscriber.on('error', () => undefined)
    this.subscriber.disconnect(false)
  }
}
