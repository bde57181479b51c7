/**
 * End to end: Sync List Entry through actions-core against the emulator (which checks every request against
 * Attio's OpenAPI document): add, update an entry attribute, remove, re-add; audience events single and
 * batched; a parent that does not exist yet is created first; bad input refused before sending.
 */
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../src'
import { clearWriteMemory } from '../../src/api'
import type { Settings } from '../../src/destinations/attio/generated-types'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'

const ctx = useEmulator()

type Entry = {
  id: { entry_id: string }
  parent_record_id: string
  entry_values: Record<string, Array<Record<string, unknown>>>
}
const entries = (list: string) => ctx.emulator.entries(list) as unknown as Entry[]
const stage = (e: Entry) => (e.entry_values.stage?.[0]?.status as { title?: string } | undefined)?.title

const track = (event: string, properties: Record<string, string>) =>
  createTestEvent({ type: 'track', event, userId: 'u1', properties })

describe('Sync List Entry end to end', () => {
  it('adds a company to the pipeline (creating the company first), updates its stage, removes it, re-adds it', async () => {
    const test = createTestIntegration(destination)
    const send = (member: boolean, stageTitle?: string) =>
      test.testAction('syncListEntry', {
        event: createTestEvent({
          type: 'group',
          groupId: 'g1',
          traits: { website: 'https://www.acme.com/about', stage: stageTitle ?? null }
        }),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping: {
          list: 'sales_pipeline',
          membership: member,
          entry_attributes: { stage: { '@path': '$.traits.stage' }, deal_value: 5000 }
        }
      })
    await send(true, 'Lead')
    const [company] = recordsOf(ctx.emulator, 'companies')
    expect(valuesOf(company, 'domains', 'domain')).toEqual(['acme.com'])
    expect(entries('sales_pipeline')).toHaveLength(1)
    expect(entries('sales_pipeline')[0].parent_record_id).toBe(company.record_id)
    expect(stage(entries('sales_pipeline')[0])).toBe('Lead')
    const firstId = entries('sales_pipeline')[0].id.entry_id

    await send(true, 'Qualified')
    expect(entries('sales_pipeline')).toHaveLength(1)
    expect(entries('sales_pipeline')[0].id.entry_id).toBe(firstId)
    expect(stage(entries('sales_pipeline')[0])).toBe('Qualified')

    await send(false)
    expect(entries('sales_pipeline')).toEqual([])
    // Removing what is not there is a success.
    await expect(send(false)).resolves.toBeDefined()

    await send(true, 'Won')
    expect(entries('sales_pipeline')).toHaveLength(1)
    expect(stage(entries('sales_pipeline')[0])).toBe('Won')
    expect(recordsOf(ctx.emulator, 'companies')).toHaveLength(1)
  })

  it('Audience Entered / Audience Exited track events put a person into a People list and take them out', async () => {
    const test = createTestIntegration(destination)
    const send = (event: string) =>
      test.testAction('syncListEntry', {
        event: track(event, { email: 'Ann@Example.com', audience_key: 'trialists' }),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping: { list: 'onboarding', audience_key: 'not_present' }
      })
    await send('Audience Entered')
    const [person] = recordsOf(ctx.emulator, 'people')
    expect(valuesOf(person, 'email_addresses', 'email_address')).toEqual(['ann@example.com'])
    expect(entries('onboarding').map((e) => e.parent_record_id)).toEqual([person.record_id])
    await send('Audience Exited')
    expect(entries('onboarding')).toEqual([])
  })

  it('an identify carrying the audience boolean named by the audience key, batched: each event its outcome, the last membership wins', async () => {
    const test = createTestIntegration(destination)
    const identify = (email: string, inAudience: boolean | string) =>
      createTestEvent({
        type: 'identify',
        userId: email,
        traits: { email, vip_users: inAudience },
        context: { personas: { computation_key: 'vip_users', computation_class: 'audience' } }
      })
    await test.testBatchAction('syncListEntry', {
      events: [
        identify('a@example.com', true),
        identify('b@example.com', true),
        identify('a@example.com', false),
        identify('c@example.com', 'yes'),
        identify('b@example.com', true)
      ],
      settings: ctx.settings as Settings,
      useDefaultMappings: true,
      mapping: { list: 'onboarding', entry_attributes: { source: 'Engage' } }
    })
    const statuses = (
      test.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 400, 200])
    expect(statuses[3].errormessage).toContain('audience_traits.vip_users')
    const people = recordsOf(ctx.emulator, 'people')
    const emailOf = (id: string) =>
      valuesOf(
        people.find((p) => p.record_id === id),
        'email_addresses',
        'email_address'
      )[0]
    expect(entries('onboarding').map((e) => emailOf(e.parent_record_id))).toEqual(['b@example.com'])
    expect(entries('onboarding')[0].entry_values.source[0].value).toBe('Engage')
  })

  it('refuses bad input before sending anything: unknown list, attribute not on the list, unknown stage, wrong type', async () => {
    const test = createTestIntegration(destination)
    const send = (mapping: Record<string, unknown>) =>
      test.testAction('syncListEntry', {
        event: createTestEvent({ type: 'group', groupId: 'g1', traits: { website: 'acme.com' } }),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping: { list: 'sales_pipeline', membership: true, ...mapping }
      })
    await expect(send({ list: 'nope' })).rejects.toThrow(/^list: Attio has no list "nope".*"sales_pipeline"/)
    await expect(send({ entry_attributes: { colour: 'red' } })).rejects.toThrow(
      /^entry_attributes\.colour: the list "sales_pipeline" has no attribute "colour"/
    )
    await expect(send({ entry_attributes: { stage: 'Negotiating' } })).rejects.toThrow(
      /^entry_attributes\.stage: "Negotiating" .*status/
    )
    await expect(send({ entry_attributes: { deal_value: 'lots' } })).rejects.toThrow(
      /^entry_attributes\.deal_value:/
    )
    // A matching attribute of another object than the list's parent (a People list matched on domains).
    await expect(
      send({ list: 'onboarding', parent_matching_attribute: 'domains', parent_matching_value: 'acme.com' })
    ).rejects.toThrow(/^parent_matching_attribute: .*domains/)
    await expect(send({ list: 'onboarding', email: 'not an email' })).rejects.toThrow(
      /^email: "not an email"/
    )
    const writes = Object.entries(ctx.emulator.stats().requests).filter(
      ([k]) => !k.startsWith('GET') && !k.includes('query')
    )
    expect(writes).toEqual([])
    expect(recordsOf(ctx.emulator, 'companies')).toEqual([])
  })

  it('a parent with two entries in the list is a specific error, and nothing is removed', async () => {
    const test = createTestIntegration(destination)
    const send = (member: boolean) =>
      test.testAction('syncListEntry', {
        event: track('Signed Up', { email: 'dup@example.com' }),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping: { list: 'onboarding', membership: member }
      })
    await send(true)
    const [entry] = entries('onboarding')
    const res = await fetch(`${ctx.emulator.url}/v2/lists/onboarding/entries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        data: { parent_record_id: entry.parent_record_id, parent_object: 'people', entry_values: {} }
      })
    })
    expect(res.status).toBe(200)
    // An entry added in Attio by hand is not seen by the write memory within its time to live (the
    // documented trade): a process without that memory is asked here.
    clearWriteMemory()
    await expect(send(true)).rejects.toThrow(
      /^list: the people record .* has several entries in the list "onboarding"/
    )
    await expect(send(false)).rejects.toThrow(/has 2 entries in the list "onboarding".*remove/)
    expect(entries('onboarding')).toHaveLength(2)
  })
})
