/**
 * Defects the reliability suites (npm run soak, the bad-input corpus) found in src/api, each reproduced
 * against the emulator without faults. They were expected failures until fixed; each now asserts the
 * fixed behaviour and fails if the defect comes back.
 */
import { createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'

const ctx = useEmulator()

const identify = (plan: string, second: number) =>
  ({
    type: 'identify',
    userId: 'u-1',
    receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    traits: { email: 'ada@example.com', plan }
  }) as unknown as SegmentEvent

const mapping = { user_attributes: { plan: { '@path': '$.traits.plan' } } }

function planOf(): unknown {
  const [user] = recordsOf(ctx.emulator, 'users')
  return (valuesOf(user, 'plan', 'option')[0] as { title?: string } | undefined)?.title
}

describe('redundant-write suppression and the batch path (found by npm run soak, seed 1)', () => {
  it('a value written through the batch path is not hidden by the memory of an earlier single write', async () => {
    const integration = createTestIntegration(destination)
    const single = (plan: string, second: number) =>
      integration.testAction('identifyUser', {
        event: identify(plan, second),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping
      })
    await single('Enterprise', 1)
    await integration.testBatchAction('identifyUser', {
      events: [identify('Pro', 2)],
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping
    })
    await ctx.emulator.settle()
    expect(planOf()).toBe('Pro')
    // The memory said "Enterprise" from the first write, and this write was skipped as unchanged,
    // so Attio kept "Pro": the latest event was lost. A bulk request now forgets what it touches.
    await single('Enterprise', 3)
    expect(planOf()).toBe('Enterprise')
  })
})

describe('Group Workspace with a User that does not exist yet (found by npm run soak)', () => {
  const group = {
    type: 'group',
    groupId: 'ws-1',
    userId: 'ghost',
    traits: { website: 'acme.com', name: 'Acme HQ' }
  } as unknown as SegmentEvent
  const mapping = { workspace_attributes: { name: { '@path': '$.traits.name' } } }

  it('batch path: the error says the Company and Workspace were written, and they were', async () => {
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('groupWorkspace', {
      events: [group],
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping
    })
    const [entry] = (integration.results[0] as unknown as { multistatus: Array<{ errormessage?: string }> })
      .multistatus
    expect(entry.errormessage).toMatch(
      /^user_id: Attio has no User with user_id "ghost": .*the Company and Workspace were written/
    )
    await ctx.emulator.settle()
    expect(recordsOf(ctx.emulator, 'workspaces')).toHaveLength(1)
  })

  it('single path: the error says the Company and Workspace were written, so the Workspace exists', async () => {
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('groupWorkspace', {
        event: group,
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping
      })
    ).rejects.toThrow(
      /^user_id: Attio has no User with user_id "ghost": .*the Company and Workspace were written/
    )
    expect(recordsOf(ctx.emulator, 'companies')).toHaveLength(1)
    // The lookup of the User failed before the Workspace's assert was sent, so the Workspace (and its
    // name) was not written although the message said it was. Now it is written without the link.
    expect(valuesOf(recordsOf(ctx.emulator, 'workspaces')[0], 'name', 'value')).toEqual(['Acme HQ'])
  })
})

describe('emails the destination lets through (found by the bad-input corpus)', () => {
  const identifyWith = (email: string) =>
    ({ type: 'identify', userId: 'u-1', traits: { email } }) as unknown as SegmentEvent

  it('an email with a zero-width space is refused before anything is sent', async () => {
    const integration = createTestIntegration(destination)
    const error = await integration
      .testAction('identifyUser', {
        event: identifyWith('ada\u200b@example.com'),
        settings: ctx.settings,
        useDefaultMappings: true
      })
      .then(
        () => undefined,
        (caught: unknown) => caught as Error
      )
    // It used to be sent: Attio (the emulator) answered 400, and in a batch the bulk request was
    // accepted (202) and the assertion dropped later without a word.
    expect(error?.name).toBe('PayloadValidationError')
    expect(ctx.emulator.stats().writes).toBe(0)
  })

  it('a lone surrogate in an email is a refusal (400), not a URIError or a retryable 500', async () => {
    const integration = createTestIntegration(destination)
    await expect(
      integration.testAction('identifyUser', {
        event: identifyWith('ada\ud800@example.com'),
        settings: ctx.settings,
        useDefaultMappings: true
      })
    ).rejects.toMatchObject({ name: 'PayloadValidationError' })
    await integration.testBatchAction('identifyUser', {
      events: [identifyWith('ada\ud800@example.com')],
      settings: ctx.settings,
      useDefaultMappings: true
    })
    const [entry] = (integration.results[0] as unknown as { multistatus: Array<{ status: number }> })
      .multistatus
    // It was a 500 (validator's URIError), which a host retries until it gives up.
    expect(entry.status).toBe(400)
  })
})
