/**
 * `attio-destination delete --user-id …`: a user deletion request from the command line, against the emulator.
 */
import { clearWriteMemory } from '../../src/api'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'
import { identify, runCli as cli, useTempDir } from './helpers'

const ctx = useEmulator()
beforeEach(() => clearWriteMemory())
const temp = useTempDir('local-cli-delete-')
const env = () => ({ ATTIO_API_URL: ctx.emulator.url, ATTIO_API_KEY: ctx.emulator.apiKey })

async function seed(): Promise<void> {
  for (const [userId, email] of [
    ['user-1', 'ada@example.com'],
    ['user-2', 'bob@example.com']
  ]) {
    const event = temp.file(`${userId}.json`, identify(userId, email))
    expect((await cli(['send', '--action', 'identifyUser', '--event', event], env())).code).toBe(0)
  }
}

describe('attio-destination delete', () => {
  it('--scope user_and_person deletes that User and its Person, prints what it deleted, exits 0', async () => {
    await seed()
    const out = await cli(['delete', '--user-id', 'user-1', '--scope', 'user_and_person'], env())
    expect(out.code).toBe(0)
    expect(out.stdout).toMatch(/^onDelete: ok/)
    expect(out.stdout).toMatch(/^ {2}deleted people [0-9a-f-]{36}$/m)
    expect(out.stdout).toMatch(/^ {2}deleted users [0-9a-f-]{36}$/m)
    expect(out.stdout).not.toContain(ctx.emulator.apiKey)
    expect(recordsOf(ctx.emulator, 'users').map((u) => valuesOf(u, 'user_id', 'value')[0])).toEqual([
      'user-2'
    ])
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(1)
  })

  it('takes the scope from the settings file, and refuses to guess one', async () => {
    await seed()
    const refused = await cli(['delete', '--user-id', 'user-1'], env())
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('delete needs --scope user or --scope user_and_person')
    const settings = temp.file('settings.json', { on_delete_request: 'user' })
    const out = await cli(['delete', '--user-id', 'user-1', '--settings', settings, '--json'], env())
    expect(out.code).toBe(0)
    expect(JSON.parse(out.stdout).result.scope).toBe('user')
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(1)
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(2)
  })

  it('needs --user-id and a known scope', async () => {
    expect((await cli(['delete', '--scope', 'user'], env())).stderr).toContain('delete needs --user-id')
    expect((await cli(['delete', '--user-id', 'x', '--scope', 'all'], env())).stderr).toContain(
      '--scope "all" is not one of user, user_and_person'
    )
  })

  it("send --mapping honours a subscription's sync mode, and names a wrong one", async () => {
    await seed()
    const subscription = (mode: string) => ({
      subscriptions: [
        {
          partnerAction: 'assertRecord',
          subscribe: 'type = "identify"',
          mapping: {
            __segment_internal_sync_mode: mode,
            object: 'people',
            matching_attribute: 'email_addresses',
            attributes: { email_addresses: { '@path': '$.traits.email' } }
          }
        }
      ]
    })
    const event = temp.file('ada.json', identify('user-1', 'ada@example.com'))
    const bad = await cli(
      ['send', '--event', event, '--mapping', temp.file('bad.json', subscription('mirror'))],
      env()
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('the sync mode "mirror" is not one of upsert, update, add, delete')
    const out = await cli(
      ['send', '--event', event, '--mapping', temp.file('del.json', subscription('delete'))],
      env()
    )
    expect(out.code).toBe(0)
    expect(
      recordsOf(ctx.emulator, 'people').map((p) => valuesOf(p, 'email_addresses', 'email_address')[0])
    ).toEqual(['bob@example.com'])
  })
})
