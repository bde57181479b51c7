/**
 * End to end: the write memory for list entries (src/api/lists/memory.ts). An entry assert Attio already
 * holds from this process is not sent again; a changed value, a removal, an entry gone from Attio and the
 * `suppress_unchanged_writes` setting each make the next one be sent.
 */
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../src'
import { clearWriteMemory } from '../../src/api'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { useEmulator } from '../helpers/emulator'

const ctx = useEmulator()

const ENTRY_PUT = 'PUT /v2/lists/{list}/entries'
const entryPuts = () => ctx.emulator.stats().requests[ENTRY_PUT] ?? 0
const entries = (list: string) => ctx.emulator.entries(list) as unknown as Array<{ id: { entry_id: string } }>

const groupEvent = (stage: string) =>
  createTestEvent({ type: 'group', groupId: 'g1', traits: { website: 'acme.com', stage } })

function sender(settings: Partial<Settings> = {}) {
  const test = createTestIntegration(destination)
  return async (member: boolean, stage = 'Lead') => {
    await test.testAction('syncListEntry', {
      event: groupEvent(stage),
      settings: { ...ctx.settings, ...settings } as Settings,
      useDefaultMappings: true,
      mapping: {
        list: 'sales_pipeline',
        membership: member,
        entry_attributes: { stage: { '@path': '$.traits.stage' } }
      }
    })
    return test.results.at(-1) as unknown as { data?: unknown }
  }
}

describe('Sync List Entry: the write memory', () => {
  it('an unchanged entry is not written again; a changed value, and an addition after a removal, are', async () => {
    const send = sender()
    await send(true, 'Lead')
    expect(entryPuts()).toBe(1)
    await send(true, 'Lead')
    expect(entryPuts()).toBe(1)
    await send(true, 'Won')
    expect(entryPuts()).toBe(2)
    await send(true, 'Won')
    expect(entryPuts()).toBe(2)
    // Removed: forgotten, so the same values are written again.
    await send(false)
    expect(entries('sales_pipeline')).toEqual([])
    await send(true, 'Won')
    expect(entryPuts()).toBe(3)
    expect(entries('sales_pipeline')).toHaveLength(1)
  })

  it('with suppress_unchanged_writes off, every entry is written', async () => {
    const send = sender({ suppress_unchanged_writes: false })
    await send(true)
    await send(true)
    await send(true)
    expect(entryPuts()).toBe(3)
  })

  it('an entry deleted in Attio meanwhile is written again once its confirmation is older than CONFIRM_MS', async () => {
    clearWriteMemory({ confirmMs: 0 })
    const send = sender()
    await send(true)
    const [entry] = entries('sales_pipeline')
    const res = await fetch(`${ctx.emulator.url}/v2/lists/sales_pipeline/entries/${entry.id.entry_id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ctx.emulator.apiKey}` }
    })
    expect(res.status).toBe(200)
    await send(true)
    expect(entryPuts()).toBe(2)
    expect(entries('sales_pipeline')).toHaveLength(1)
    // Still there: read (GET) and skipped.
    await send(true)
    expect(entryPuts()).toBe(2)
    expect(ctx.emulator.stats().requests['GET /v2/lists/{list}/entries/{entry_id}']).toBeGreaterThanOrEqual(1)
  })

  it('a batch writes an entry once, and a later identical event is not written again', async () => {
    const test = createTestIntegration(destination)
    await test.testBatchAction('syncListEntry', {
      events: [groupEvent('Lead'), groupEvent('Won')],
      settings: ctx.settings as Settings,
      useDefaultMappings: true,
      mapping: {
        list: 'sales_pipeline',
        membership: true,
        entry_attributes: { stage: { '@path': '$.traits.stage' } }
      }
    })
    expect(entryPuts()).toBe(1)
    await sender()(true, 'Won')
    expect(entryPuts()).toBe(1)
  })
})
