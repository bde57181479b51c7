/**
 * Probes of the bulk endpoint (`PUT /v2/batch/records`), which Attio's public reference does not
 * describe: is it there and what does it answer; are nested assertions inside a reference array applied;
 * what happens to an assertion it cannot apply; are two requests applied in the order they were sent.
 * Each expectation is what the emulator does, which is what the batch path relies on.
 */
import { seconds } from './limits'
import { PROBE_PREFIX, ProbeKit, sleep } from './probe-kit'
import type { ProbeResult } from './types'

const NOT_AVAILABLE = 'not run: the bulk endpoint is not available (see the bulk endpoint probe)'

const describeAnswer = (status: number, text: string): string =>
  `${status}${text.trim() === '' ? ', empty body' : `, body ${text.trim().slice(0, 200)}`}`

/** The bulk endpoint answers 202 and applies a valid assertion. */
export async function probeBulkEndpoint(kit: ProbeKit): Promise<ProbeResult> {
  const probe = {
    id: 'bulk-endpoint',
    title: 'bulk endpoint',
    expected: '202 with an empty body; the assertion applied a moment later'
  }
  const person = kit.mark('bulk', ['people'])
  const values = await kit.values('people', { email_addresses: person.email })
  const answer = await kit.bulk([kit.assertion('people', 'email_addresses', values)])
  const seen = describeAnswer(answer.status, answer.text)
  if (answer.status === 404 || answer.status === 405) {
    return {
      ...probe,
      status: 'differs',
      seen: `${seen}: there is no bulk endpoint for this token`,
      advice:
        'No setting must change: the batch path falls back to single-record calls when the bulk endpoint is missing (slower: every event costs its writes under the limit of 25 a second). Turning off "Send events in batches" saves the failed try per batch.'
    }
  }
  if (answer.status !== 202) {
    return { ...probe, status: 'differs', seen, advice: adviceForBulkStatus(answer.status) }
  }
  const applied = await kit.waitFor(() => kit.find('people', 'email_addresses', person.email))
  if (applied.value === undefined) {
    return {
      ...probe,
      status: 'differs',
      seen: `${seen}; not applied within ${seconds(applied.ms)}`,
      advice:
        'Attio accepted the request but did not apply it in time: run the doctor again; if it persists, turn off "Send events in batches" (batched events would be accepted and not written).'
    }
  }
  return {
    ...probe,
    status: 'agrees',
    seen: `${seen}; applied within ${seconds(applied.ms)}`,
    advice: 'none'
  }
}

function adviceForBulkStatus(status: number): string {
  if (status === 401 || status === 403) return 'Check the token and its scopes (the checklist above).'
  return 'Turn off "Send events in batches" until the bulk endpoint answers 202 again, and run the doctor once more.'
}

/** Users asserted inside a Workspace's `users` array are created and linked (how Group Workspace batches link). */
export async function probeNestedArray(kit: ProbeKit, bulkAvailable: boolean): Promise<ProbeResult> {
  const probe = {
    id: 'nested-array',
    title: 'nested assertions in a reference array',
    expected:
      'a Workspace whose users value is an array of two nested User assertions: both Users created and linked'
  }
  const skipped = (seen: string): ProbeResult => ({ ...probe, status: 'skipped', seen, advice: 'none' })
  if (!bulkAvailable) return skipped(NOT_AVAILABLE)
  if (!(await kit.attributes('users')) || !(await kit.attributes('workspaces'))) {
    return skipped('not run: the Users and Workspaces objects must be activated (see the checklist)')
  }
  const workspace = kit.mark('nested-workspace', ['workspaces'])
  const users = [kit.mark('nested-user-1', ['users']), kit.mark('nested-user-2', ['users'])]
  const nested = []
  for (const user of users) {
    const values = await kit.values('users', { user_id: user.id, primary_email_address: user.email })
    nested.push(kit.assertion('users', 'user_id', values))
  }
  const values = { ...(await kit.values('workspaces', { workspace_id: workspace.id })), users: nested }
  const answer = await kit.bulk([kit.assertion('workspaces', 'workspace_id', values)])
  if (answer.status !== 202) {
    return {
      ...probe,
      status: 'differs',
      seen: describeAnswer(answer.status, answer.text),
      advice: 'set ATTIO_BULK_NESTED_LINKS=off'
    }
  }
  const found = await kit.waitFor(() => kit.find('workspaces', 'workspace_id', workspace.id))
  const linked = found.value ? await kit.read('workspaces', found.value, 'users') : []
  const ids = await Promise.all(users.map((user) => kit.find('users', 'user_id', user.id)))
  const both = ids.every((id) => id !== undefined && linked.includes(`users ${id}`))
  if (both) {
    return {
      ...probe,
      status: 'agrees',
      seen: `202; both Users created and linked within ${seconds(found.ms)}`,
      advice: 'none'
    }
  }
  const made = ids.filter((id) => id !== undefined).length
  return {
    ...probe,
    status: 'differs',
    seen: `202; ${found.value ? `the Workspace has ${linked.length} linked user(s)` : 'the Workspace was not applied'}, ${made} of 2 Users exist`,
    advice:
      'set ATTIO_BULK_NESTED_LINKS=off (Group Workspace batches then link every user by a lookup, one query per batch)'
  }
}

/** An assertion Attio cannot apply (an unknown attribute) is dropped alone; its neighbours are applied. */
export async function probeInvalidAssertion(kit: ProbeKit, bulkAvailable: boolean): Promise<ProbeResult> {
  const probe = {
    id: 'invalid-assertion',
    title: 'an invalid assertion in a bulk request',
    expected:
      '202; the assertion with an unknown attribute dropped without a word, the valid ones before and after it applied'
  }
  if (!bulkAvailable) return { ...probe, status: 'skipped', seen: NOT_AVAILABLE, advice: 'none' }
  const [before, invalid, after] = ['invalid-before', 'invalid', 'invalid-after'].map((name) =>
    kit.mark(name, ['people'])
  )
  const assertion = async (email: string, extra = {}) =>
    kit.assertion('people', 'email_addresses', {
      ...(await kit.values('people', { email_addresses: email })),
      ...extra
    })
  const unknown = ProbeKit.unknownAttribute('attio_doctor_probe_no_such_attribute', 'x')
  const answer = await kit.bulk([
    await assertion(before.email),
    await assertion(invalid.email, unknown),
    await assertion(after.email)
  ])
  const seen = describeAnswer(answer.status, answer.text)
  if (answer.status !== 202) {
    return {
      ...probe,
      status: 'differs',
      seen: `${seen}: the whole request was refused`,
      advice:
        'No setting must change for mapping mistakes (the destination checks every attribute before sending), but one assertion Attio refuses fails its whole batch: lower "Maximum batch size" to limit what one costs.'
    }
  }
  const applied = await kit.waitFor(async () => {
    const ids = await Promise.all([before, after].map((p) => kit.find('people', 'email_addresses', p.email)))
    return ids.every((id) => id !== undefined) ? ids : undefined
  })
  await sleep(kit.timing.settleMs)
  const invalidApplied = (await kit.find('people', 'email_addresses', invalid.email)) !== undefined
  if (applied.value && !invalidApplied) {
    return {
      ...probe,
      status: 'agrees',
      seen: `${seen}; the invalid one dropped, the 2 valid ones applied`,
      advice: 'none'
    }
  }
  return {
    ...probe,
    status: 'differs',
    seen: `${seen}; valid ones ${applied.value ? 'applied' : 'not applied'}, the invalid one ${invalidApplied ? 'applied (the unknown attribute ignored)' : 'dropped'}`,
    advice: applied.value
      ? 'No setting must change: the destination never sends an attribute it has not found in the workspace.'
      : 'Attio drops a whole request for one bad assertion: lower "Maximum batch size" (or turn off "Send events in batches") so one refused record costs fewer events.'
  }
}

/** Two bulk requests about one record, sent one after the other: the second's value is the one that stays. */
export async function probeOrder(kit: ProbeKit, bulkAvailable: boolean): Promise<ProbeResult> {
  const probe = {
    id: 'bulk-order',
    title: 'order of application of two bulk requests',
    expected: 'two requests setting job_title "first" then "second" on one Person: "second" stays'
  }
  if (!bulkAvailable) return { ...probe, status: 'skipped', seen: NOT_AVAILABLE, advice: 'none' }
  const person = kit.mark('order', ['people'])
  const titles = [`${PROBE_PREFIX} first`, `${PROBE_PREFIX} second`]
  const statuses: number[] = []
  for (const title of titles) {
    const values = await kit.values('people', { email_addresses: person.email, job_title: title })
    statuses.push((await kit.bulk([kit.assertion('people', 'email_addresses', values)])).status)
  }
  if (statuses.some((status) => status !== 202)) {
    return {
      ...probe,
      status: 'differs',
      seen: `answered ${statuses.join(' and ')}`,
      advice: adviceForBulkStatus(statuses[0])
    }
  }
  const title = async () => {
    const id = await kit.find('people', 'email_addresses', person.email)
    return id ? (await kit.read('people', id, 'job_title'))[0] : undefined
  }
  const settled = await kit.waitFor(async () => ((await title()) === titles[1] ? titles[1] : undefined))
  await sleep(kit.timing.settleMs)
  const final = await title()
  if (settled.value && final === titles[1]) {
    return { ...probe, status: 'agrees', seen: `202 and 202; "second" stays`, advice: 'none' }
  }
  return {
    ...probe,
    status: 'differs',
    seen: `202 and 202; job_title is ${final === undefined ? 'not set' : JSON.stringify(final)}`,
    advice:
      'Attio does not apply bulk requests in the order it accepts them: events about one record in different batches may be applied out of order. Raise "Maximum batch size" so they share a batch, or turn off "Send events in batches" where order matters.'
  }
}
