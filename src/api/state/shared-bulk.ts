/**
 * Fleet mode's shared bulk-sent memory in Redis (the rules: src/api/suppression/shared.ts, docs/fleet.md):
 * `attio:bulk:<digest>` exists while a record some worker sent in bulk may not be applied by Attio yet. It
 * lives `BULK_APPLY_WINDOW_MS` (Redis's clock), and a sighting of the record deletes it. Nothing else: no
 * value, no credential (the digest includes the workspace key).
 */
import { BULK_APPLY_WINDOW_MS, type SharedBulkMemory } from '../suppression'
import type { RedisState } from './redis'

export class SharedBulk implements SharedBulkMemory {
  constructor(private readonly state: RedisState) {}

  private key(key: string): string {
    return `attio:bulk:${key}`
  }

  sent(key: string): void {
    void this.state.run((client) => client.set(this.key(key), '1', 'PX', BULK_APPLY_WINDOW_MS))
  }

  seen(key: string): void {
    void this.state.run((client) => client.del(this.key(key)))
  }

  async pending(key: string): Promise<boolean | undefined> {
    const found = await this.state.run((client) => client.exists(this.key(key)))
    return found === undefined ? undefined : found > 0
  }
}
