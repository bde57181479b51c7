/**
 * The CDP's user deletion requests (onDelete) end to end against the emulator.
 */
import { createTestEvent, createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { writeMemorySize } from '../../src/api'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'

const ctx = useEmulator()

async function identify(userId: string, email: string, plan = 'Pro') {
  await createTestIntegration(destination).testAction('identifyUser', {
    event: createTestEvent({ type: 'identify', userId, traits: { email, plan } }),
    settings: ctx.settings,
    useDefaultMappings: true,
    mapping: { user_attributes: { plan: { '@path': '$.traits.plan' } } }
  })
}

async function group(groupId: string, website: string, userId: string) {
  await createTestIntegration(destination).testAction('groupWorkspace', {
    event: createTestEvent({ type: 'group', groupId, userId, traits: { website } }),
    settings: ctx.settings,
    useDefaultMappings: true
  })
}

async function deletion(userId: unknown, scope?: string) {
  const integration = createTestIntegration(destination)
  const settings = { ...ctx.settings, ...(scope ? { on_delete_request: scope } : {}) }
  return integration.onDelete?.({ type: 'delete', userId } as unknown as SegmentEvent, settings)
}

const userIds = () => recordsOf(ctx.emulator, 'users').map((u) => valuesOf(u, 'user_id', 'value')[0])
const emails = () =>
  recordsOf(ctx.emulator, 'people').map((p) => valuesOf(p, 'email_addresses', 'email_address')[0])

describe('user deletion requests', () => {
  beforeEach(async () => {
    await identify('u-1', 'ann@example.com')
    await identify('u-2', 'bob@example.com')
    await group('ws-1', 'acme.com', 'u-1')
    ctx.emulator.resetStats()
  })

  it('deletes nothing by default, and sends nothing', async () => {
    await deletion('u-1')
    expect(userIds()).toEqual(['u-1', 'u-2'])
    expect(Object.keys(ctx.emulator.stats().requests)).toEqual([])
  })

  it('"user": deletes that User only; its Person, other users, Companies and Workspaces stay', async () => {
    await deletion('u-1', 'user')
    expect(userIds()).toEqual(['u-2'])
    expect(emails()).toEqual(['ann@example.com', 'bob@example.com'])
    expect(recordsOf(ctx.emulator, 'companies')).toHaveLength(1)
    const [workspace] = recordsOf(ctx.emulator, 'workspaces')
    expect(workspace).toBeDefined()
    // The Workspace's link to the deleted User is gone with it.
    expect(valuesOf(workspace, 'users', 'target_record_id')).toEqual([])
  })

  it('"user_and_person": deletes the User and its Person, never another user\'s records', async () => {
    await deletion('u-1', 'user_and_person')
    expect(userIds()).toEqual(['u-2'])
    expect(emails()).toEqual(['bob@example.com'])
    expect(recordsOf(ctx.emulator, 'companies')).toHaveLength(1)
    expect(recordsOf(ctx.emulator, 'workspaces')).toHaveLength(1)
  })

  it('keeps a Person another User links to', async () => {
    // Ann's Person gains a second email address, by which another User is linked to it.
    await createTestIntegration(destination).testAction('assertRecord', {
      event: createTestEvent({
        type: 'identify',
        traits: { emails: ['ann@example.com', 'ann@work.example'] }
      }),
      settings: ctx.settings,
      mapping: {
        object: 'people',
        matching_attribute: 'email_addresses',
        attributes: { email_addresses: { '@path': '$.traits.emails' } }
      }
    })
    await identify('u-3', 'ann@work.example')
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(2)
    await deletion('u-1', 'user_and_person')
    expect(userIds()).toEqual(['u-2', 'u-3'])
    expect(emails()).toEqual(['ann@example.com', 'bob@example.com'])
  })

  it('is idempotent: repeated, and for an unknown user, it succeeds and deletes nothing more', async () => {
    await deletion('u-1', 'user_and_person')
    await deletion('u-1', 'user_and_person')
    await deletion('nobody', 'user_and_person')
    expect(userIds()).toEqual(['u-2'])
    expect(emails()).toEqual(['bob@example.com'])
  })

  it('forgets what it remembered: the same identify afterwards creates the User and Person again', async () => {
    const before = writeMemorySize()
    await deletion('u-1', 'user_and_person')
    expect(writeMemorySize()).toBeLessThan(before)
    await identify('u-1', 'ann@example.com')
    expect(userIds()).toEqual(['u-2', 'u-1'])
    expect(emails()).toEqual(['bob@example.com', 'ann@example.com'])
  })

  it('refuses a request without a userId, naming it, and sends nothing', async () => {
    await expect(deletion('', 'user')).rejects.toThrow(/userId: the deletion request has no userId/)
    expect(Object.keys(ctx.emulator.stats().requests)).toEqual([])
  })
})
