/**
 * Assert Record's sync modes end to end against the emulator, on the single and the batch path.
 */
import { createTestEvent, createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { writeMemorySize } from '../../src/api'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'

const ctx = useEmulator()

const event = (email: string, title?: string): SegmentEvent =>
  createTestEvent({ type: 'identify', userId: null, traits: { email, ...(title ? { title } : {}) } })

const mapping = (mode: string) => ({
  __segment_internal_sync_mode: mode,
  object: 'people',
  matching_attribute: 'email_addresses',
  attributes: { email_addresses: { '@path': '$.traits.email' }, job_title: { '@path': '$.traits.title' } }
})

async function single(mode: string, email: string, title?: string) {
  const integration = createTestIntegration(destination)
  const responses = await integration.testAction('assertRecord', {
    event: event(email, title),
    settings: ctx.settings,
    mapping: mapping(mode)
  })
  return { responses, outcome: JSON.stringify(integration.results) }
}

async function batch(mode: string, events: SegmentEvent[]) {
  const integration = createTestIntegration(destination)
  await integration.testBatchAction('assertRecord', {
    events,
    settings: ctx.settings,
    mapping: mapping(mode)
  })
  return (
    integration.results[0] as unknown as {
      multistatus: Array<{ status: number; errormessage?: string; body?: unknown }>
    }
  ).multistatus
}

const titles = () =>
  Object.fromEntries(
    recordsOf(ctx.emulator, 'people').map((p) => [
      valuesOf(p, 'email_addresses', 'email_address')[0],
      valuesOf(p, 'job_title', 'value')[0]
    ])
  )

describe('update mode', () => {
  it('single: changes an existing record by id, refuses a missing one and creates nothing', async () => {
    await single('upsert', 'ann@example.com', 'CTO')
    await single('update', 'ANN@example.com', 'CEO')
    expect(titles()).toEqual({ 'ann@example.com': 'CEO' })
    expect(ctx.emulator.stats().requests['PUT /v2/objects/{object}/records/{record_id}']).toBe(1)
    await expect(single('update', 'bob@example.com', 'CFO')).rejects.toThrow(
      /no people record with email_addresses "bob@example.com".*nothing was created/
    )
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(1)
  })

  it('batch: each event has its own outcome', async () => {
    await single('upsert', 'ann@example.com', 'CTO')
    const statuses = await batch('update', [event('ann@example.com', 'CEO'), event('bob@example.com', 'CFO')])
    expect(statuses.map((s) => s.status)).toEqual([200, 404])
    expect(statuses[1].errormessage).toMatch(/nothing was created/)
    expect(titles()).toEqual({ 'ann@example.com': 'CEO' })
  })
})

describe('add mode', () => {
  it('single: creates a new record, leaves an existing one untouched and says so', async () => {
    await single('upsert', 'ann@example.com', 'CTO')
    const existing = await single('add', 'ann@example.com', 'CEO')
    expect(existing.outcome).toContain('"result":"exists"')
    expect(existing.responses.map((r) => r.options.method)).toEqual(['POST']) // the query only
    const created = await single('add', 'bob@example.com', 'CFO')
    expect(created.outcome).toContain('"result":"created"')
    expect(titles()).toEqual({ 'ann@example.com': 'CTO', 'bob@example.com': 'CFO' })
  })

  it('batch: created and exists, per event', async () => {
    await single('upsert', 'ann@example.com', 'CTO')
    const statuses = await batch('add', [event('ann@example.com', 'CEO'), event('bob@example.com', 'CFO')])
    expect(statuses.map((s) => s.status)).toEqual([200, 200])
    expect(JSON.stringify(statuses[0].body)).toContain('"result":"exists"')
    expect(JSON.stringify(statuses[1].body)).toContain('"result":"created"')
    expect(titles()).toEqual({ 'ann@example.com': 'CTO', 'bob@example.com': 'CFO' })
  })
})

describe('delete mode', () => {
  it('single: deletes the matching record only; an absent one is a success; the memory forgets it', async () => {
    await single('upsert', 'ann@example.com', 'CTO')
    await single('upsert', 'bob@example.com', 'CFO')
    expect(writeMemorySize()).toBe(2)
    const deleted = await single('delete', 'ann@example.com')
    expect(deleted.outcome).toContain('"result":"deleted"')
    expect(titles()).toEqual({ 'bob@example.com': 'CFO' })
    expect(writeMemorySize()).toBe(1)
    const again = await single('delete', 'ann@example.com')
    expect(again.outcome).toContain('"result":"absent"')
    expect(again.responses).toHaveLength(1) // only the lookup, which found nothing
    // Written again after its deletion: created, not skipped as "unchanged" from the memory.
    await single('upsert', 'ann@example.com', 'CTO')
    expect(titles()).toEqual({ 'bob@example.com': 'CFO', 'ann@example.com': 'CTO' })
  })

  it('batch: deleted and absent per event, the others untouched', async () => {
    await single('upsert', 'ann@example.com', 'CTO')
    await single('upsert', 'cid@example.com', 'COO')
    const statuses = await batch('delete', [event('ann@example.com'), event('bob@example.com')])
    expect(statuses.map((s) => s.status)).toEqual([200, 200])
    expect(JSON.stringify(statuses[1].body)).toContain('"result":"absent"')
    expect(titles()).toEqual({ 'cid@example.com': 'COO' })
  })

  it('refuses an event with no matching value, naming the field, and sends nothing', async () => {
    await single('upsert', 'ann@example.com', 'CTO')
    ctx.emulator.resetStats()
    await expect(single('delete', '')).rejects.toThrow(/attributes: the matching attribute/)
    expect(ctx.emulator.stats().requests['DELETE /v2/objects/{object}/records/{record_id}'] ?? 0).toBe(0)
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(1)
  })
})
