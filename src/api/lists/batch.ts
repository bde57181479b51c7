/** Sync List Entry's batch path: many events in received order, each its own outcome. */
import { MultiStatusResponse, type JSONLikeObject } from '@segment/actions-core'
import type { Attio } from '../attio'
import type { PrepareOptions } from '../records'
import { syncListEntry, type ListEntrySync } from './sync'

/**
 * Many events in received order, each its own outcome: ordered single calls under the client's write limit
 * (Attio documents no bulk endpoint for list entries), so the last membership of a parent wins.
 */
export async function syncListEntries(
  attio: Attio,
  items: Array<{ build: () => ListEntrySync; options: PrepareOptions }>
): Promise<MultiStatusResponse> {
  const response = new MultiStatusResponse()
  const fail = (index: number, status: number, code: string | undefined, message: string) =>
    response.setErrorResponseAtIndex(index, {
      status,
      // actions-core's error types are the names of its ErrorCodes; these errors carry one.
      errortype: (code ?? (status >= 500 ? 'RETRYABLE_ERROR' : 'PAYLOAD_VALIDATION_FAILED')) as never,
      errormessage: message
    })
  /** Records (by list and mapped identity) whose earlier event failed and will be retried by the host. */
  const held = new Map<string, number>()
  for (const [index, item] of items.entries()) {
    let key: string | undefined
    try {
      const sync = item.build()
      key = JSON.stringify([
        sync.list,
        sync.parent.matchingAttribute,
        sync.parent.matchingValue,
        sync.defaults
      ])
      const earlier = held.get(key)
      if (earlier !== undefined) {
        // Applying it now would be undone when the earlier event is retried: it waits for that retry too.
        fail(
          index,
          503,
          'RETRYABLE_ERROR',
          `Not applied: event ${earlier} of this batch, for the same record and list, failed and will be retried; this later event must follow it.`
        )
        continue
      }
      const outcome = await syncListEntry(attio, sync, item.options)
      response.setSuccessResponseAtIndex(index, {
        status: 200,
        sent: {} as JSONLikeObject,
        body: outcome as unknown as JSONLikeObject
      })
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400
      const retryable = status === 429 || status >= 500
      if (retryable && key !== undefined) held.set(key, index)
      fail(
        index,
        status,
        (error as { code?: string }).code,
        error instanceof Error ? error.message : String(error)
      )
    }
  }
  return response
}
