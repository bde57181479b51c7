/**
 * The CLI with a mapping file (issue 17, item 1): `replay` and `send` take the subscriptions a host would
 * hold, several actions at once, and a file with a mistake is refused whole, before anything is sent.
 * And `replay` gives the same outcome whatever `--batch-size` (item 7), with counts that say what it did.
 */
import { readFileSync } from 'node:fs'
import { clearWriteMemory } from '../../src/api'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'
import { group, identify, ndjson, runCli as cli, useTempDir } from './helpers'

const ctx = useEmulator({ rateLimits: true })
beforeEach(() => clearWriteMemory())
const temp = useTempDir('local-cli-mapping-')
const emulatorEnv = () => ({ ATTIO_API_URL: ctx.emulator.url, ATTIO_API_KEY: ctx.emulator.apiKey })

/** A host's subscriptions: the two presets with traits mapped, and Assert Record on a custom object. */
const subscriptions = {
  version: 1,
  subscriptions: [
    {
      name: 'Identify User, with name and plan',
      partnerAction: 'identifyUser',
      subscribe: 'type = "identify"',
      mapping: {
        person_attributes: { name: { '@path': '$.traits.name' } },
        user_attributes: { plan: { '@path': '$.traits.plan' } }
      }
    },
    {
      name: 'Projects of identified users',
      action: 'assertRecord',
      subscribe: 'type = "identify" and traits.project exists',
      mapping: {
        object: 'projects',
        matching_attribute: 'project_id',
        attributes: { project_id: { '@path': '$.traits.project' }, name: { '@path': '$.traits.name' } }
      }
    },
    {
      partnerAction: 'groupWorkspace',
      subscribe: 'type = "group"',
      mapping: { workspace_attributes: { plan: { '@path': '$.traits.plan' } } }
    }
  ]
}

describe('replay --mapping', () => {
  it('sends each event to every subscription it matches, with their mappings', async () => {
    const mapping = temp.file('subscriptions.json', subscriptions)
    const events = temp.file(
      'events.ndjson',
      ndjson([
        identify('u1', 'ada@example.com', { name: 'Ada Lovelace', plan: 'Pro', project: 'p-1' }),
        identify('u2', 'bob@example.com', { name: 'Bob Builder', plan: 'Free' }),
        { ...group('ws-1', 'acme.com', 'u1'), traits: { website: 'acme.com', plan: 'Enterprise' } },
        { type: 'track', event: 'Signed Up', userId: 'u1' }
      ])
    )
    const out = await cli(['replay', events, '--mapping', mapping], emulatorEnv())
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/delivered 3 \(assertRecord 1, groupWorkspace 1, identifyUser 2\)/)
    expect(out.stdout).toMatch(
      /skipped {3}1\n +1 {2}no subscription of .*subscriptions\.json subscribes to type "track"/
    )
    const people = recordsOf(ctx.emulator, 'people')
    expect(people.map((person) => valuesOf(person, 'name', 'full_name')[0]).sort()).toEqual([
      'Ada Lovelace',
      'Bob Builder'
    ])
    const plans = recordsOf(ctx.emulator, 'users').map(
      (user) => (valuesOf(user, 'plan', 'option')[0] as { title: string }).title
    )
    expect(plans.sort()).toEqual(['Free', 'Pro'])
    const [project] = recordsOf(ctx.emulator, 'projects')
    expect(valuesOf(project, 'project_id', 'value')).toEqual(['p-1'])
    expect(valuesOf(project, 'name', 'value')).toEqual(['Ada Lovelace'])
    await ctx.emulator.settle()
    expect(valuesOf(recordsOf(ctx.emulator, 'workspaces')[0], 'plan', 'option')).toEqual([
      expect.objectContaining({ title: 'Enterprise' })
    ])
  })

  /** Subscriptions of the right shape, with mistakes of action, trigger and mapping. */
  const mistaken = [
    { partnerAction: 'identifyUsr', subscribe: 'type = "identify"' },
    {
      partnerAction: 'identifyUser',
      subscribe: 'type = ',
      mapping: {
        emial_address: { '@path': '$.traits.email' },
        person_attributes: { job_title: '{"@template": "{{traits.title}}"' }
      }
    }
  ]

  it('refuses a file with mistakes, listing each with its place, before anything starts', async () => {
    const events = temp.file('events.ndjson', ndjson([identify('u1', 'ada@example.com')]))
    const broken = temp.file(
      'broken.json',
      JSON.stringify({
        subscriptions: [...mistaken, { partnerAction: 'groupWorkspace', mappings: {} }]
      })
    )
    // No key: an emulator would start if the file were read after it.
    const out = await cli(['replay', events, '--mapping', broken])
    expect(out.code).toBe(2)
    expect(out.stderr).not.toContain('in-process Attio emulator')
    for (const problem of [
      'subscriptions[2].subscribe: is missing: the trigger',
      'subscriptions[2]: has unknown key "mappings"'
    ]) {
      expect(out.stderr).toContain(problem)
    }
    // Shape first; once the shape is right, the actions and the mappings.
    const shaped = temp.file(
      'shaped.json',
      JSON.stringify({
        subscriptions: mistaken
      })
    )
    const second = await cli(['replay', events, '--mapping', shaped])
    expect(second.code).toBe(2)
    for (const problem of [
      'subscriptions[0].partnerAction: "identifyUsr" is not an action of this destination (did you mean "identifyUser"?)',
      'subscriptions[1].subscribe: "type = " is not a condition actions-core can evaluate',
      'subscriptions[1].mapping.emial_address: identifyUser has no field "emial_address". Did you mean "email_address"?',
      'subscriptions[1].mapping.person_attributes.job_title: "{\\"@template\\": \\"{{traits.title}}\\"" looks like a mapping directive but is not valid JSON'
    ]) {
      expect(second.stderr).toContain(problem)
    }
    expect(ctx.emulator.stats().writes).toBe(0)
  })
})

describe('send --mapping', () => {
  it('without --action, sends the event to the subscriptions it matches', async () => {
    const mapping = temp.file('subscriptions.json', subscriptions)
    const event = temp.file(
      'event.json',
      identify('u1', 'ada@example.com', { name: 'Ada Lovelace', plan: 'Pro', project: 'p-9' })
    )
    const out = await cli(['send', '--event', event, '--mapping', mapping], emulatorEnv())
    expect(out.code).toBe(0)
    expect(out.stdout).toContain('subscription "Identify User, with name and plan": identifyUser: ok')
    expect(out.stdout).toContain('subscription "Projects of identified users": assertRecord: ok')
    expect(recordsOf(ctx.emulator, 'projects')).toHaveLength(1)

    const track = temp.file('track.json', { type: 'track', event: 'Signed Up', userId: 'u1' })
    const skipped = await cli(['send', '--event', track, '--mapping', mapping], emulatorEnv())
    expect(skipped.code).toBe(1)
    expect(skipped.stderr).toContain('nothing was sent: no subscription of')
  })

  it('with --action, uses that action’s subscription, and warns when the event does not match its trigger', async () => {
    const mapping = temp.file('subscriptions.json', subscriptions)
    const track = temp.file('track.json', {
      type: 'track',
      event: 'Delivered',
      userId: 'u7',
      traits: { email: 'u7@example.com', name: 'Grace Hopper' }
    })
    const out = await cli(
      ['send', '--action', 'identifyUser', '--event', track, '--mapping', mapping],
      emulatorEnv()
    )
    expect(out.code).toBe(0)
    expect(out.stderr).toContain(
      'warning: the event does not match the trigger type = "identify" of identifyUser: a host would not send it to identifyUser'
    )
    expect(valuesOf(recordsOf(ctx.emulator, 'people')[0], 'name', 'full_name')).toEqual(['Grace Hopper'])
  })
})

describe('replay --batch-size', () => {
  /**
   * Groups whose User is identified later in the file (within a batch's stretch and beyond it), a group
   * whose User never comes, and an event that fails validation.
   */
  const lines = [
    group('ws-a', 'a.com', 'late-1'),
    identify('early', 'early@example.com'),
    group('ws-b', 'b.com', 'early'),
    group('ws-c', 'c.com', 'late-2'),
    identify('broken', 'not-an-email'),
    group('ws-d', 'd.com', 'never'),
    identify('late-1', 'late1@example.com'),
    identify('x1', 'x1@example.com'),
    identify('x2', 'x2@example.com'),
    identify('late-2', 'late2@example.com')
  ]

  async function replayed(extra: string[], name: string) {
    ctx.emulator.reset()
    clearWriteMemory()
    const events = temp.file(name, ndjson(lines))
    const out = await cli(['replay', events, ...extra], emulatorEnv())
    await ctx.emulator.settle()
    const deferred = /(\d+) events? referred to records Attio did not have yet \(404\)/.exec(out.stderr)
    const retries =
      /retries (\d+) \(events sent again after a 429, 5xx or time-out\), (\d+) sent once more/.exec(
        out.stdout
      )
    return {
      out,
      delivered: /delivered (\d+)/.exec(out.stdout)?.[1],
      failed: /failed {4}(\d+)/.exec(out.stdout)?.[1],
      failures: readFileSync(events.replace(/\.ndjson$/, '.failures.ndjson'), 'utf8'),
      announced: deferred ? Number(deferred[1]) : 0,
      counted: retries ? Number(retries[2]) : -1,
      workspaces: recordsOf(ctx.emulator, 'workspaces').length,
      linked: recordsOf(ctx.emulator, 'workspaces').filter((w) => (w.values.users ?? []).length > 0).length
    }
  }

  it('gives the same outcome one event at a time and in batches, and counts the tries it announces', async () => {
    const single = await replayed([], 'single.ndjson')
    const batched = await replayed(['--batch-size', '3'], 'batched.ndjson')
    for (const run of [single, batched]) {
      expect(run.out.code).toBe(1)
      expect([run.delivered, run.failed]).toEqual(['8', '2'])
      // The failures: the group whose User never comes, and the invalid email, in line order.
      expect(run.failures).toBe(ndjson([lines[4], lines[5]]))
      expect(run.workspaces).toBe(4)
      expect(run.linked).toBe(3)
      // What the notice announced is what the summary counts.
      expect(run.counted).toBe(run.announced)
    }
    expect(single.announced).toBe(3)
  }, 30_000)
})
