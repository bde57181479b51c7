/**
 * End to end: the three actions through actions-core against the local Attio emulator, reading the
 * resulting workspace state back.
 */
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import destination from '../../src'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'

const ctx = useEmulator()

const identify = (userId: string, email: string, traits: Record<string, unknown> = {}) =>
  createTestEvent({ type: 'identify', userId, traits: { email, ...traits } })
const group = (groupId: string, website: string, userId?: string, traits: Record<string, unknown> = {}) =>
  createTestEvent({ type: 'group', groupId, userId, traits: { website, ...traits } })

function integration() {
  return createTestIntegration(destination)
}

describe('Identify User end to end', () => {
  it('creates a Person and a User linked to it', async () => {
    await integration().testAction('identifyUser', {
      event: identify('user-1', 'ada@example.com', { name: 'Ada Lovelace', plan: 'Pro' }),
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping: {
        person_attributes: { name: { '@path': '$.traits.name' } },
        user_attributes: { plan: { '@path': '$.traits.plan' } }
      }
    })
    const [person] = recordsOf(ctx.emulator, 'people')
    const [user] = recordsOf(ctx.emulator, 'users')
    expect(valuesOf(person, 'email_addresses', 'email_address')).toEqual(['ada@example.com'])
    expect(valuesOf(person, 'name', 'full_name')).toEqual(['Ada Lovelace'])
    expect(valuesOf(user, 'user_id', 'value')).toEqual(['user-1'])
    expect(valuesOf(user, 'primary_email_address', 'email_address')).toEqual(['ada@example.com'])
    expect(valuesOf(user, 'person', 'target_record_id')).toEqual([person.record_id])
    expect((valuesOf(user, 'plan', 'option')[0] as { title: string }).title).toBe('Pro')
    // The relationship pair: the Person lists its User.
    expect(valuesOf(person, 'associated_users', 'target_record_id')).toEqual([user.record_id])
  })

  it('updates the existing Person, not a duplicate, when the email arrives in another case with spaces', async () => {
    const test = integration()
    await test.testAction('identifyUser', {
      event: identify('user-1', 'ada@example.com'),
      settings: ctx.settings,
      useDefaultMappings: true
    })
    await test.testAction('identifyUser', {
      event: identify('user-1', '  ADA@Example.COM ', { title: 'Countess' }),
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping: { person_attributes: { job_title: { '@path': '$.traits.title' } } }
    })
    const people = recordsOf(ctx.emulator, 'people')
    expect(people).toHaveLength(1)
    expect(valuesOf(people[0], 'job_title', 'value')).toEqual(['Countess'])
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(1)
  })

  it('appends phone numbers to a person, keeping the old ones', async () => {
    const test = integration()
    const send = (phone: string) =>
      test.testAction('identifyUser', {
        event: identify('user-1', 'ada@example.com', { phone }),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping: { person_attributes: { phone_numbers: { '@path': '$.traits.phone' } } }
      })
    await send('+44 20 7946 0958')
    await send('+1 415 555 2671')
    const [person] = recordsOf(ctx.emulator, 'people')
    expect(valuesOf(person, 'phone_numbers', 'original_phone_number').sort()).toEqual([
      '+14155552671',
      '+442079460958'
    ])
  })

  it('writes a location object given with three keys whole', async () => {
    await integration().testAction('identifyUser', {
      event: identify('user-1', 'ada@example.com'),
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping: {
        person_attributes: {
          primary_location: { line_1: '1 Infinite Loop', locality: 'Cupertino', country_code: 'US' }
        }
      }
    })
    const [person] = recordsOf(ctx.emulator, 'people')
    const [location] = person.values.primary_location
    expect(location).toMatchObject({
      line_1: '1 Infinite Loop',
      line_2: null,
      line_3: null,
      line_4: null,
      locality: 'Cupertino',
      region: null,
      postcode: null,
      country_code: 'US',
      latitude: null,
      longitude: null
    })
  })

  it('refuses an unknown slug with its suggestion, and sends no write', async () => {
    await expect(
      integration().testAction('identifyUser', {
        event: identify('user-1', 'ada@example.com'),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping: { person_attributes: { twiter: '@ada' } }
      })
    ).rejects.toThrow('person_attributes.twiter: Attio\'s people object has no attribute "twiter"')
    expect(ctx.emulator.stats().writes).toBe(0)
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(0)
  })
})

describe('Group Workspace end to end', () => {
  it('creates a Company and a Workspace linked to it, and links an identified User', async () => {
    const test = integration()
    await test.testAction('identifyUser', {
      event: identify('user-1', 'ada@acme.com'),
      settings: ctx.settings,
      useDefaultMappings: true
    })
    await test.testAction('groupWorkspace', {
      event: group('ws-1', 'https://www.Acme.com/pricing', 'user-1', { name: 'Acme' }),
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping: { workspace_attributes: { name: { '@path': '$.traits.name' } } }
    })
    const companies = recordsOf(ctx.emulator, 'companies').filter((c) =>
      valuesOf(c, 'domains', 'domain').includes('acme.com')
    )
    expect(companies).toHaveLength(1)
    const [workspace] = recordsOf(ctx.emulator, 'workspaces')
    expect(valuesOf(workspace, 'workspace_id', 'value')).toEqual(['ws-1'])
    expect(valuesOf(workspace, 'name', 'value')).toEqual(['Acme'])
    expect(valuesOf(workspace, 'company', 'target_record_id')).toEqual([companies[0].record_id])
    const [user] = recordsOf(ctx.emulator, 'users')
    expect(valuesOf(workspace, 'users', 'target_record_id')).toEqual([user.record_id])
    expect(valuesOf(companies[0], 'associated_workspaces', 'target_record_id')).toEqual([workspace.record_id])
  })

  it('a second user joining a workspace keeps the first', async () => {
    const test = integration()
    for (const [id, email] of [
      ['user-1', 'ada@acme.com'],
      ['user-2', 'grace@acme.com']
    ]) {
      await test.testAction('identifyUser', {
        event: identify(id, email),
        settings: ctx.settings,
        useDefaultMappings: true
      })
      await test.testAction('groupWorkspace', {
        event: group('ws-1', 'acme.com', id),
        settings: ctx.settings,
        useDefaultMappings: true
      })
    }
    const [workspace] = recordsOf(ctx.emulator, 'workspaces')
    const userIds = recordsOf(ctx.emulator, 'users').map((u) => u.record_id)
    expect(valuesOf(workspace, 'users', 'target_record_id').sort()).toEqual(userIds.sort())
    expect(userIds).toHaveLength(2)
  })

  it('never creates a User for an unknown user id', async () => {
    await expect(
      integration().testAction('groupWorkspace', {
        event: group('ws-1', 'acme.com', 'ghost'),
        settings: ctx.settings,
        useDefaultMappings: true
      })
    ).rejects.toThrow(
      'user_id: Attio has no User with user_id "ghost": run Identify User for this user first'
    )
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(0)
    // The rest of the event is not lost: the Company and the Workspace exist, without a user.
    expect(recordsOf(ctx.emulator, 'companies')).toHaveLength(1)
    const [workspace] = recordsOf(ctx.emulator, 'workspaces')
    expect(valuesOf(workspace, 'workspace_id', 'value')).toEqual(['ws-1'])
    expect(valuesOf(workspace, 'users', 'target_record_id')).toEqual([])
  })
})

describe('Assert Record end to end', () => {
  it('asserts a record with a custom attribute and a select by title', async () => {
    const test = integration()
    await test.testAction('identifyUser', {
      event: identify('user-1', 'ada@example.com'),
      settings: ctx.settings,
      useDefaultMappings: true
    })
    await test.testAction('assertRecord', {
      event: createTestEvent({
        type: 'track',
        userId: 'user-1',
        properties: { seats: '12', plan: 'enterprise' }
      }),
      settings: ctx.settings,
      mapping: {
        object: 'users',
        matching_attribute: 'user_id',
        attributes: {
          user_id: { '@path': '$.userId' },
          primary_email_address: 'ada@example.com',
          seats: { '@path': '$.properties.seats' },
          plan: { '@path': '$.properties.plan' }
        }
      }
    })
    const users = recordsOf(ctx.emulator, 'users')
    expect(users).toHaveLength(1)
    expect(valuesOf(users[0], 'seats', 'value')).toEqual([12])
    expect((valuesOf(users[0], 'plan', 'option')[0] as { title: string }).title).toBe('Enterprise')
  })

  it('names a non-unique matching attribute', async () => {
    await expect(
      integration().testAction('assertRecord', {
        event: createTestEvent({ type: 'track' }),
        settings: ctx.settings,
        mapping: { object: 'people', matching_attribute: 'job_title', attributes: { job_title: 'CTO' } }
      })
    ).rejects.toThrow(
      'matching_attribute: "job_title" cannot be used to match a people record because it is not unique in Attio.'
    )
  })
})

describe('a deactivated object', () => {
  const deactivated = useEmulator({ objects: { deals: false } })
  it('is named with how to activate it', async () => {
    await expect(
      integration().testAction('assertRecord', {
        event: createTestEvent({ type: 'track' }),
        settings: deactivated.settings,
        mapping: { object: 'deals', matching_attribute: 'external_id', attributes: { external_id: 'd-1' } }
      })
    ).rejects.toThrow(
      "Attio's Deals object is not activated in this workspace. A workspace admin can activate it in Attio under Settings > Data > Objects"
    )
  })
})

describe('redundant-write suppression end to end', () => {
  it('sends no second write for a repeated identical identify, and writes a changed one', async () => {
    const test = integration()
    const run = (title: string) =>
      test.testAction('identifyUser', {
        event: identify('user-1', 'ada@example.com', { title }),
        settings: ctx.settings,
        useDefaultMappings: true,
        mapping: { person_attributes: { job_title: { '@path': '$.traits.title' } } }
      })
    await run('CTO')
    expect(ctx.emulator.stats().writes).toBe(2)
    await run('CTO')
    expect(ctx.emulator.stats().writes).toBe(2)
    await run('CEO')
    expect(ctx.emulator.stats().writes).toBe(3)
    expect(valuesOf(recordsOf(ctx.emulator, 'people')[0], 'job_title', 'value')).toEqual(['CEO'])
  })
})
