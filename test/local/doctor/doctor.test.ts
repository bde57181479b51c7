/**
 * `attio-destination doctor` against the emulator: the ready state, and one state per check that must
 * fail (objects not activated, a scope missing, an inactive token, an attribute missing, a non-unique
 * matching attribute, required attributes unmapped, a fixed value of the wrong kind), through the CLI's
 * `run` as a user calls it. The probes are tested in probes.test.ts.
 */
import nock from 'nock'
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator'
import { checkLists, type DoctorContext } from '../../../src/local/doctor/checks'
import { DoctorHttp } from '../../../src/local/doctor/http'
import type { SubscriptionPlan } from '../../../src/local/doctor/plan'
import type { Check, DoctorReport } from '../../../src/local/doctor/types'
import { runCli, useTempDir } from '../helpers'

const temp = useTempDir('attio-doctor-')

async function withEmulator<T>(options: EmulatorOptions, use: (emulator: RunningEmulator) => Promise<T>) {
  const emulator = await startEmulator({ port: 0, ...options })
  try {
    return await use(emulator)
  } finally {
    await emulator.close()
  }
}

/** Runs `doctor --json` (plus args); the report, the exit code, and a check that no secret was printed. */
async function doctor(emulator: RunningEmulator, args: string[] = [], key = emulator.apiKey) {
  const out = await runCli(['doctor', '--json', ...args], {
    ATTIO_API_KEY: key,
    ATTIO_API_URL: emulator.url
  })
  expect(`${out.stdout}${out.stderr}`).not.toContain(key)
  return { code: out.code, report: JSON.parse(out.stdout) as DoctorReport, stderr: out.stderr }
}

const failed = (report: DoctorReport): Check[] => report.checks.filter((check) => check.status === 'fail')
const byId = (report: DoctorReport, id: string): Check | undefined =>
  report.checks.find((check) => check.id === id)

const identify = (mapping: Record<string, unknown>) => ({
  partnerAction: 'identifyUser',
  subscribe: 'type = "identify"',
  mapping
})
const assertRecord = (name: string, mapping: Record<string, unknown>) => ({
  name,
  partnerAction: 'assertRecord',
  subscribe: 'type = "track"',
  mapping
})

describe('attio-destination doctor', () => {
  it('is ready on a workspace that has everything: every check passes, exit 0, and it only reads', async () => {
    await withEmulator({}, async (emulator) => {
      const { code, report } = await doctor(emulator)
      expect(failed(report)).toEqual([])
      expect(code).toBe(0)
      expect(report.ready).toBe(true)
      expect(report.subscriptionsFrom).toBe('the presets')
      expect(report.subscriptions.map((s) => s.partnerAction)).toEqual([
        'identifyUser',
        'groupWorkspace',
        'syncListEntry',
        'syncListEntry'
      ])
      expect(report.target.workspace?.name).toBe('Emulated Workspace')
      for (const id of [
        'token',
        'scopes',
        'object:people',
        'object:users',
        'object:companies',
        'object:workspaces'
      ])
        expect(byId(report, id)?.status).toBe('ok')
      expect(byId(report, 'attributes:Group Workspace:workspaces')?.detail).toBe(
        'matches on workspace_id; writes workspace_id, company (→ Company), users (→ an existing User, by user_id)'
      )
      expect(byId(report, 'rate-limits')?.detail).toMatch(
        /^headroom not reported: Attio's answers carry no rate-limit headers/
      )
      expect(byId(report, 'clock')?.status).toBe('ok')
      expect(emulator.stats().writes).toBe(0)
    })
  })

  it('prints a checklist for people, ending with the verdict', async () => {
    await withEmulator({}, async (emulator) => {
      const out = await runCli(['doctor'], { ATTIO_API_KEY: emulator.apiKey, ATTIO_API_URL: emulator.url })
      expect(out.code).toBe(0)
      expect(out.stdout).toContain(
        `attio-destination doctor: ${emulator.url}, workspace "Emulated Workspace", with ATTIO_API_KEY`
      )
      expect(out.stdout).toMatch(/\n {2}ok {4}Users object {18}there \(\d+ attributes\)\n/)
      expect(out.stdout).toMatch(/\nReady: nothing blocks delivery\.\n$/)
    })
  })
})

describe('attio-destination doctor, in the states that block delivery', () => {
  it('fails when Identify User and Group Workspace would write objects that are not activated, saying where to activate them', async () => {
    await withEmulator({ objects: { users: false, workspaces: false } }, async (emulator) => {
      const { code, report } = await doctor(emulator)
      expect(code).toBe(1)
      expect(report.ready).toBe(false)
      expect(failed(report).map((check) => check.id)).toEqual(['object:users', 'object:workspaces'])
      expect(byId(report, 'object:users')).toMatchObject({
        detail: 'not activated in this workspace; Identify User and Group Workspace write its records',
        advice:
          'Activate the "users" object in Attio under Settings > Data > Objects (https://app.attio.com/_/settings/data/objects); only a workspace admin can.'
      })
      expect(byId(report, 'object:workspaces')?.detail).toBe(
        'not activated in this workspace; Group Workspace writes its records'
      )
      expect(byId(report, 'attributes:Identify User:users')?.status).toBe('skip')
    })
  })

  it('fails on a token without a scope an action needs, naming the scope and the actions', async () => {
    const token = 'emu_limited_token_for_the_doctor'
    await withEmulator(
      { tokens: [{ token, scopes: ['record_permission:read-write'] }] },
      async (emulator) => {
        const { code, report } = await doctor(emulator, [], token)
        expect(code).toBe(1)
        expect(byId(report, 'scopes')).toMatchObject({
          status: 'fail',
          detail: 'the token lacks object_configuration:read (needed by Identify User and Group Workspace)',
          advice:
            'Add it to the API key in Attio (Workspace settings > Developers), or reconnect the OAuth app with it.'
        })
      }
    )
  })

  it('fails on an inactive token, and on no credential at all, saying what to set', async () => {
    const token = 'emu_revoked_token_for_the_doctor'
    await withEmulator({ tokens: [{ token, scopes: [], active: false }] }, async (emulator) => {
      const { code, report } = await doctor(emulator, [], token)
      expect(code).toBe(1)
      expect(byId(report, 'token')).toMatchObject({
        status: 'fail',
        detail: 'Attio says the token is inactive (revoked or expired).'
      })
      expect(byId(report, 'scopes')).toBeUndefined()
    })
    const none = await runCli(['doctor'], {})
    expect(none.code).toBe(1)
    expect(none.stdout).toContain('FAIL  credential')
    expect(none.stdout).toContain('Set ATTIO_API_KEY (a workspace API key) or ATTIO_ACCESS_TOKEN')
  })

  it('accepts an OAuth access token in ATTIO_ACCESS_TOKEN', async () => {
    await withEmulator({}, async (emulator) => {
      const out = await runCli(['doctor', '--json'], {
        ATTIO_ACCESS_TOKEN: emulator.apiKey,
        ATTIO_API_URL: emulator.url
      })
      expect(out.code).toBe(0)
      expect(JSON.parse(out.stdout).target.credential).toBe('ATTIO_ACCESS_TOKEN (OAuth)')
      expect(out.stdout).not.toContain(emulator.apiKey)
    })
  })
})

describe('attio-destination doctor --mapping', () => {
  it("checks a mapping file's attributes: missing ones, a non-unique matching attribute, required ones unmapped, fixed values of the wrong kind", async () => {
    const mapping = temp.file('subscriptions.json', {
      subscriptions: [
        identify({
          person_attributes: { twiter: { '@path': '$.traits.twitter' }, nps: 9 },
          user_attributes: { plan: 'Gold' }
        }),
        assertRecord('People by job title', {
          object: 'people',
          matching_attribute: 'job_title',
          attributes: { job_title: { '@path': '$.properties.title' } }
        }),
        assertRecord('Deals', {
          object: 'deals',
          matching_attribute: 'external_id',
          attributes: { external_id: { '@path': '$.properties.id' } }
        })
      ]
    })
    await withEmulator({}, async (emulator) => {
      const { code, report } = await doctor(emulator, ['--mapping', mapping])
      expect(code).toBe(1)
      expect(report.subscriptionsFrom).toBe(mapping)
      expect(failed(report).map((check) => check.detail)).toEqual([
        `person_attributes.twiter: Attio's people object has no attribute "twiter". Did you mean "twitter"?`,
        'person_attributes.nps: the fixed value 9 is not a whole number from 0 to 5.',
        'user_attributes.plan: the fixed value "Gold" is not one of the options ("Free", "Pro", "Enterprise"); Attio never creates new ones.',
        'matching_attribute: "job_title" is not unique in Attio, so it cannot match a people record.',
        'Attio requires "name" (text) when it creates a deals record, and the mapping gives it no value.',
        'Attio requires "stage" (status) when it creates a deals record, and the mapping gives it no value.',
        'Attio requires "owner" (actor-reference) when it creates a deals record, and the mapping gives it no value.'
      ])
      const nonUnique = failed(report).find((check) => check.detail.includes('job_title'))
      expect(nonUnique?.advice).toBe('Match on a unique attribute of people: "email_addresses".')
      // Nothing else fails: the objects are there and the Users of the mapping need nothing more.
      expect(byId(report, 'object:deals')?.status).toBe('ok')
    })
  })

  it('is ready with a mapping file whose attributes are all right', async () => {
    const mapping = temp.file('good.json', [
      identify({
        person_attributes: { nps: 4, job_title: { '@path': '$.traits.title' } },
        user_attributes: { plan: 'Pro' }
      }),
      assertRecord('Projects', {
        object: 'projects',
        matching_attribute: 'project_id',
        attributes: { project_id: { '@path': '$.properties.id' } }
      })
    ])
    await withEmulator({}, async (emulator) => {
      const { code, report } = await doctor(emulator, ['--mapping', mapping])
      expect(failed(report)).toEqual([])
      expect(code).toBe(0)
      expect(report.subscriptions.map((s) => s.partnerAction)).toEqual(['identifyUser', 'assertRecord'])
      expect(byId(report, 'object:workspaces')).toBeUndefined()
    })
  })

  it('refuses a mapping file with a mistake before it asks Attio anything (exit 2)', async () => {
    const mapping = temp.file('bad.json', {
      subscriptions: [{ partnerAction: 'identifyUsr', subscribe: 'type = "identify"' }]
    })
    const out = await runCli(['doctor', '--mapping', mapping], {
      ATTIO_API_KEY: 'unused',
      ATTIO_API_URL: 'http://127.0.0.1:9'
    })
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('did you mean "identifyUser"?')
  })
})

describe('the lists check', () => {
  afterEach(() => nock.cleanAll())

  const ctxWith = (mappings: Array<Record<string, unknown>>): DoctorContext =>
    ({
      http: new DoctorHttp('https://attio.test', 'secret-token'),
      plans: mappings.map(
        (mapping, index) =>
          ({
            subscription: { name: `s${index}`, partnerAction: 'x', subscribe: 'type = "track"', mapping }
          }) as SubscriptionPlan
      )
    }) as DoctorContext

  it('is skipped when no subscription names a list', async () => {
    expect(await checkLists(ctxWith([{}]))).toEqual([
      { id: 'lists', title: 'lists', status: 'skip', detail: 'no subscription names a list' }
    ])
  })

  it('reads each named list by its URL-encoded slug, and fails for one Attio does not have', async () => {
    const scope = nock('https://attio.test')
      .get('/v2/lists/sales')
      .reply(200, { data: {} })
      .get('/v2/lists/a%2Fb%3Fc')
      .reply(404, { status_code: 404, type: 'invalid_request_error', code: 'not_found', message: 'no' })
    const checks = await checkLists(
      ctxWith([{ list: 'sales' }, { list: 'a/b?c' }, { list: { '@path': '$.x' } }])
    )
    expect(checks.map((check) => [check.status, check.detail])).toEqual([
      ['ok', '"sales" exists'],
      ['fail', 'Attio has no list "a/b?c"'],
      ['skip', 'read from each event: checked per event']
    ])
    expect(scope.isDone()).toBe(true)
  })
})
