/**
 * Event data never steers the destination: a mapped value shaped like the destination's own internal
 * references (an assertion of another record, a link to an existing one, a record id) is a value like any
 * other, checked against its attribute's type, and never obeyed. End to end against the emulator, on the
 * single path and in a batch.
 */
import { createTestEvent, createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'
import { RENAME_AND_UPGRADE } from '../helpers/forged'

const ctx = useEmulator()

const identify = (userId: string, email: string, traits: Record<string, unknown> = {}) =>
  createTestEvent({ type: 'identify', userId, traits: { email, ...traits } })

const mapping = { person_attributes: { company: { '@path': '$.traits.company' } } }

async function seedVictims() {
  const test = createTestIntegration(destination)
  await test.testAction('groupWorkspace', {
    event: createTestEvent({
      type: 'group',
      groupId: 'ws-1',
      userId: null,
      traits: { website: 'acme.com', name: 'Acme' }
    }),
    settings: ctx.settings,
    useDefaultMappings: true,
    mapping: { company_attributes: { name: { '@path': '$.traits.name' } }, user_id: '' }
  })
  await test.testAction('identifyUser', {
    event: identify('victim', 'victim@example.com', { plan: 'Free' }),
    settings: ctx.settings,
    useDefaultMappings: true,
    mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
  })
}

function victimsUntouched() {
  const [company] = recordsOf(ctx.emulator, 'companies')
  expect(valuesOf(company, 'name', 'value')).toEqual(['Acme'])
  const victim = recordsOf(ctx.emulator, 'users').find((u) => valuesOf(u, 'user_id', 'value')[0] === 'victim')
  expect((valuesOf(victim, 'plan', 'option')[0] as { title: string }).title).toBe('Free')
}

describe('a forged internal reference in traits.company', () => {
  it('single path: refused with a 400 naming the field; no Company renamed, no other User changed', async () => {
    await seedVictims()
    const writes = ctx.emulator.stats().writes
    await expect(
      createTestIntegration(destination).testAction('identifyUser', {
        event: identify('attacker', 'attacker@example.com', { company: RENAME_AND_UPGRADE }),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping
      })
    ).rejects.toThrow(/person_attributes\.company/)
    expect(ctx.emulator.stats().writes).toBe(writes)
    victimsUntouched()
  })

  it('batch path: that event gets a 400, the others are delivered; no Company renamed, no other User changed', async () => {
    await seedVictims()
    const test = createTestIntegration(destination)
    const answer = await test.testBatchAction('identifyUser', {
      events: [
        identify('attacker', 'attacker@example.com', { company: RENAME_AND_UPGRADE }) as SegmentEvent,
        identify('u-2', 'grace@example.com', { company: 'acme.com' }) as SegmentEvent
      ],
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping
    })
    void answer
    await ctx.emulator.settle()
    const statuses = (
      test.results[0] as unknown as { multistatus: Array<{ status: number; errormessage?: string }> }
    ).multistatus
    expect(statuses[0]).toMatchObject({
      status: 400,
      errormessage: expect.stringMatching(/^person_attributes\.company: /)
    })
    // Its company is named by its key: a documented assert, not the bulk endpoint (which would drop it unreported).
    expect(statuses[1].status).toBe(200)
    expect(
      recordsOf(ctx.emulator, 'users')
        .map((u) => valuesOf(u, 'user_id', 'value')[0])
        .sort()
    ).toEqual(['u-2', 'victim'])
    victimsUntouched()
  })
})
