/**
 * The CDP's user deletion requests (the definition's `onDelete`): what the `on_delete_request` setting
 * chooses is deleted from Attio, found by the User's `user_id`, and everything the destination remembered
 * about the deleted records is forgotten.
 *
 * - `nothing` (default): no request is sent.
 * - `user`: the User record(s) whose `user_id` is the request's userId.
 * - `user_and_person`: those, and the Person each links to (its `person` attribute), unless that Person is
 *   also another User's (then it is kept and reported: a deletion never touches another user's records).
 *
 * Never deleted: Companies, Workspaces, and anything Attio holds by itself (emails, meetings, notes, tasks,
 * list entries), which the API's record deletion does not reach through this destination.
 */
import { PayloadValidationError } from '@segment/actions-core'
import type { Attio } from './attio'
import type { AttioClient } from './client'
import { AttioApiError } from './errors'
import { identitiesIn } from './suppression'

export const DELETION_SCOPES = ['nothing', 'user', 'user_and_person'] as const
export type DeletionScope = (typeof DELETION_SCOPES)[number]

/** The scope a setting names; anything else (unset included) deletes nothing. */
export function deletionScopeOf(value: unknown): DeletionScope {
  return (DELETION_SCOPES as readonly unknown[]).includes(value) ? (value as DeletionScope) : 'nothing'
}

export interface DeletionReport {
  scope: DeletionScope
  /** Records deleted now (or already gone when Attio was asked). */
  deleted: Array<{ object: 'users' | 'people'; record_id: string }>
  /** People kept because another User links to them. */
  kept: Array<{ object: 'people'; record_id: string; reason: string }>
}

function targetsOf(values: Record<string, unknown>, attribute: string): string[] {
  const items = values[attribute]
  if (!Array.isArray(items)) return []
  return items.flatMap((item: unknown) => {
    const id = (item as { target_record_id?: unknown } | null)?.target_record_id
    return typeof id === 'string' ? [id] : []
  })
}

/** Reads a record; a 404 (already gone) is undefined. */
async function read(
  client: AttioClient,
  object: string,
  recordId: string
): Promise<Record<string, unknown> | undefined> {
  try {
    return (await client.getRecord(object, recordId)).values
  } catch (error) {
    if (error instanceof AttioApiError && error.status === 404) return undefined
    throw error
  }
}

/** Deletes a record and forgets it and every unique value it held; already gone is a success. */
async function remove(
  client: AttioClient,
  object: string,
  recordId: string,
  values: Record<string, unknown> | undefined,
  what: string
): Promise<void> {
  const identities = identitiesIn(object, Object.keys(values ?? {}), values)
  const write = client.memory?.begin(object, identities)
  if (write) write.write.recordId = recordId
  try {
    await client.deleteRecord(object, recordId, what)
  } catch (error) {
    if (!(error instanceof AttioApiError && error.status === 404)) {
      write?.failed()
      throw error
    }
  }
  write?.failed()
  client.memory?.forgetDeleted(recordId, identities)
  // A later link to it must find it missing, never assert it again from what a bulk request once sent.
  for (const identity of identities) client.bulkSent.seen(object, identity.attribute, identity.text)
}

/** Runs one deletion request for `userId` with the chosen scope. */
export async function deleteUserData(
  attio: Attio,
  userId: unknown,
  scope: DeletionScope
): Promise<DeletionReport> {
  const report: DeletionReport = { scope, deleted: [], kept: [] }
  if (scope === 'nothing') return report
  if (typeof userId !== 'string' || userId.trim() === '') {
    throw new PayloadValidationError(
      `userId: the deletion request has no userId (received ${JSON.stringify(userId ?? null)}), so no User can be found; a User is found by its user_id, a non-empty text.`
    )
  }
  const client = attio.client
  let users: string[]
  try {
    users = await client.findRecordIds(
      'users',
      { user_id: userId },
      10,
      `the lookup of the User "${userId}" to delete`
    )
  } catch (error) {
    // No Users object (not activated): no User to delete.
    if (error instanceof AttioApiError && error.status === 404) return report
    throw error
  }
  for (const userRecordId of users) {
    const values = await read(client, 'users', userRecordId)
    const people = scope === 'user_and_person' && values ? targetsOf(values, 'person') : []
    const personValues = new Map<string, Record<string, unknown> | undefined>()
    for (const personId of people) personValues.set(personId, await read(client, 'people', personId))
    // The Person first: if a request fails after it, the User is still there for the retry to find.
    for (const [personId, person] of personValues) {
      if (!person) {
        report.deleted.push({ object: 'people', record_id: personId })
        continue
      }
      const others = targetsOf(person, 'associated_users').filter(
        (id) => id !== userRecordId && !users.includes(id)
      )
      if (others.length > 0) {
        report.kept.push({
          object: 'people',
          record_id: personId,
          reason: `also the Person of ${others.length} other User${others.length > 1 ? 's' : ''}`
        })
        continue
      }
      await remove(client, 'people', personId, person, `the deletion of the Person of User "${userId}"`)
      report.deleted.push({ object: 'people', record_id: personId })
    }
    await remove(client, 'users', userRecordId, values, `the deletion of the User "${userId}"`)
    report.deleted.push({ object: 'users', record_id: userRecordId })
  }
  return report
}
