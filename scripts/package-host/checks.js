/* global fetch, setTimeout, clearTimeout */
/**
 * Run by `npm run test:package` inside a temporary host project, with the host's own node_modules: what a
 * CDP host does with the installed attio-destination, through the installed copy only.
 *
 * It loads actions-core and the package as a host does, starts the emulator the package ships, and checks testAuthentication, an identify and a group through `onEvent`
 * with the presets' subscriptions, a refused event, a batch through `onBatch`, and then the records in
 * the emulator; then the `attio-destination` and `attio-emulator` commands, the local page's files and an
 * ESM import.
 *
 * Prints `ok …` / `FAIL …` lines. Exit status: 0 all passed, 1 a check failed, 3 loading the package
 * was refused (the line `LOAD-REFUSED {"name","code","message"}` says how).
 */
const { spawn } = require('node:child_process')
const { writeFileSync } = require('node:fs')
const path = require('node:path')

const host = process.cwd()
const bin = (name) => path.join(host, 'node_modules', '.bin', name)
const failures = []

async function check(name, run) {
  try {
    const detail = await run()
    console.log(`ok   ${name}${detail ? `: ${detail}` : ''}`)
  } catch (error) {
    failures.push(name)
    console.log(`FAIL ${name}: ${error && error.message ? error.message : String(error)}`)
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Starts a command and resolves with the child and the first stdout lines matching `pattern`s. */
function startAndRead(command, args, env, patterns) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: host, env: { ...process.env, ...env } })
    let out = ''
    let err = ''
    const timer = setTimeout(() => {
      child.kill()
      reject(
        new Error(`${path.basename(command)} printed no ${patterns.join(', ')} in 20 s: ${err.slice(-400)}`)
      )
    }, 20_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.stderr.on('data', (chunk) => (err += chunk))
    child.stdout.on('data', (chunk) => {
      out += chunk
      const found = patterns.map((pattern) => pattern.exec(out))
      if (found.every(Boolean)) {
        clearTimeout(timer)
        resolve({ child, values: found.map((match) => match[1]) })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${path.basename(command)} exited ${code}: ${err.slice(-400)}`))
    })
  })
}

function runToEnd(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: host, env: { ...process.env, ...env } })
    let out = ''
    child.on('error', (error) => resolve({ code: -1, out: error.message }))
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (out += chunk))
    child.on('exit', (code) => resolve({ code, out }))
  })
}

/** Values of one attribute of an emulator record, by the property that identifies them. */
const valuesOf = (record, attribute, property) =>
  ((record && record.values[attribute]) || []).map((value) => value[property])

async function main() {
  // A host loads actions-core first (for Destination), then the destination.
  const { Destination } = require('@segment/actions-core')
  let definition
  try {
    definition = require('attio-destination').default
  } catch (error) {
    if (error.name !== 'IncompatibleInstallError') throw error
    console.log(
      `LOAD-REFUSED ${JSON.stringify({ name: error.name, code: error.code, message: error.message })}`
    )
    process.exit(3)
  }

  const installed = path.join(host, 'node_modules', 'attio-destination')
  const emulatorLines = [/^ATTIO_API_URL=(\S+)$/m, /^ATTIO_API_KEY=(\S+)$/m]
  const emulator = await startAndRead(
    process.execPath,
    [path.join(installed, 'dist', 'emulator', 'cli.js'), '--quiet'],
    {},
    emulatorLines
  )
  const [apiUrl, apiKey] = emulator.values
  // The destination reads its base URL from the environment at call time.
  process.env.ATTIO_API_URL = apiUrl
  try {
    const destination = new Destination(definition)
    const [identifyPreset, groupPreset] = definition.presets
    const subscriptionOf = (preset, mapping = {}) => ({
      partnerAction: preset.partnerAction,
      subscribe: preset.subscribe,
      mapping: { ...preset.mapping, ...mapping }
    })
    const settings = (preset, mapping) => ({ api_key: apiKey, subscription: subscriptionOf(preset, mapping) })

    await check('the definition', async () => {
      expect(definition.name === 'Attio (Actions)', `name is ${definition.name}`)
      expect(Object.keys(destination.actions).length === 4, 'four actions')
      expect(definition.presets.length === 4, 'four presets')
      return `${definition.name}, ${Object.keys(destination.actions).join(', ')}`
    })

    await check('testAuthentication', async () => {
      await destination.testAuthentication({ api_key: apiKey })
      return 'GET /v2/self answered with the scopes'
    })

    await check('testAuthentication with a wrong key', async () => {
      const refused = await destination.testAuthentication({ api_key: 'not-a-key' }).then(
        () => undefined,
        (error) => error
      )
      expect(refused, 'a wrong key passed')
      expect(/^Credentials are invalid: .*did not accept/.test(refused.message), refused.message)
      expect(!refused.message.includes('not-a-key'), 'the key is in the message')
      return refused.message.slice(0, 90)
    })

    await check('onEvent: an identify with the Identify User preset', async () => {
      const event = {
        type: 'identify',
        userId: 'u-1',
        traits: { email: ' Ada@Example.com ', name: 'Ada Lovelace', plan: 'Pro' },
        receivedAt: new Date().toISOString()
      }
      const results = await destination.onEvent(
        event,
        settings(identifyPreset, {
          person_attributes: { name: { '@path': '$.traits.name' } },
          user_attributes: { plan: { '@path': '$.traits.plan' } }
        })
      )
      const records = results.flatMap((result) => (result.data && result.data.records) || [])
      const written = records.map((record) => `${record.object} ${record.result}`)
      expect(
        written.join() === 'people asserted,users asserted',
        `wrote ${written.join() || JSON.stringify(results)}`
      )
      return written.join(', ')
    })

    await check('onEvent: a group with the Group Workspace preset', async () => {
      const event = {
        type: 'group',
        groupId: 'ws-1',
        userId: 'u-1',
        traits: { website: 'https://www.Acme.com/pricing', name: 'Acme' },
        receivedAt: new Date().toISOString()
      }
      const results = await destination.onEvent(event, settings(groupPreset))
      const records = results.flatMap((result) => (result.data && result.data.records) || [])
      const objects = records.map((record) => record.object)
      expect(
        ['companies', 'workspaces'].every((o) => objects.includes(o)),
        `wrote ${objects.join()}`
      )
      return objects.join(', ')
    })

    await check('onEvent: an event the subscription does not match', async () => {
      const results = await destination.onEvent({ type: 'track', event: 'Clicked' }, settings(identifyPreset))
      expect(JSON.stringify(results).includes('not subscribed'), JSON.stringify(results))
      return 'not subscribed'
    })

    await check('onEvent: a refused event throws a 400 naming the field, before any request', async () => {
      const event = { type: 'identify', userId: 'u-9', traits: { email: 'not an email' } }
      const writes = async () => (await (await fetch(`${apiUrl}/_emulator/stats`)).json()).writes
      const before = await writes()
      const error = await destination.onEvent(event, settings(identifyPreset)).then(
        () => undefined,
        (e) => e
      )
      expect(error, 'the event was accepted')
      expect(error.status === 400, `status ${error.status}`)
      expect(error.message.startsWith('email_address:'), error.message)
      expect((await writes()) === before, 'a write was sent')
      return `${error.status} ${error.message.slice(0, 70)}`
    })

    await check('onBatch: identifies with the preset subscription and batching on', async () => {
      const at = new Date().toISOString()
      const events = [
        { type: 'identify', userId: 'b-1', traits: { email: 'batch-1@example.com' }, receivedAt: at },
        { type: 'identify', userId: 'b-2', traits: { email: 'batch-2@example.com' }, receivedAt: at },
        { type: 'identify', userId: 'b-3', traits: { email: 'batch-3 at example.com' }, receivedAt: at }
      ]
      const results = await destination.onBatch(events, settings(identifyPreset, { enable_batching: true }))
      const statuses = results[0].multistatus.map((entry) => entry.status)
      expect(statuses.join() === '202,202,400', `statuses ${statuses.join()}: ${JSON.stringify(results)}`)
      expect(results[0].multistatus[2].errormessage.startsWith('email_address:'), 'the 400 names the field')
      return statuses.join(', ')
    })

    await check("the emulator's Attio state afterwards", async () => {
      let state
      for (let attempt = 0; attempt < 50; attempt++) {
        state = await (await fetch(`${apiUrl}/_emulator/state`)).json()
        if ((state.users || []).length >= 3) break
        await sleep(100) // the bulk endpoint applies its assertions a little after its 202
      }
      const emails = state.people
        .flatMap((record) => valuesOf(record, 'email_addresses', 'email_address'))
        .sort()
      expect(
        emails.join() === 'ada@example.com,batch-1@example.com,batch-2@example.com',
        `people: ${emails.join()}`
      )
      const users = state.users.flatMap((record) => valuesOf(record, 'user_id', 'value')).sort()
      expect(users.join() === 'b-1,b-2,u-1', `users: ${users.join()}`)
      const ada = state.people.find(
        (record) => valuesOf(record, 'email_addresses', 'email_address')[0] === 'ada@example.com'
      )
      expect(valuesOf(ada, 'name', 'full_name')[0] === 'Ada Lovelace', 'Ada has her name')
      const u1 = state.users.find((record) => valuesOf(record, 'user_id', 'value')[0] === 'u-1')
      expect(
        valuesOf(u1, 'plan', 'option')[0] && valuesOf(u1, 'person', 'target_record_id')[0] === ada.record_id,
        'u-1 has its plan and Person'
      )
      const domains = state.companies.flatMap((record) => valuesOf(record, 'domains', 'domain'))
      expect(domains.join() === 'acme.com', `companies: ${domains.join()}`)
      const workspace = state.workspaces[0]
      expect(valuesOf(workspace, 'users', 'target_record_id')[0] === u1.record_id, 'ws-1 links u-1')
      const dropped = (await (await fetch(`${apiUrl}/_emulator/bulk-log`)).json()).data
      expect(dropped.length === 0, `the bulk endpoint dropped ${JSON.stringify(dropped)}`)
      return `people ${emails.length}, users ${users.length}, companies ${domains.length}, workspaces ${state.workspaces.length}`
    })

    await check('the attio-destination command (bin)', async () => {
      const file = path.join(host, 'event.json')
      writeFileSync(
        file,
        JSON.stringify({ type: 'identify', userId: 'cli-1', traits: { email: 'cli@example.com' } })
      )
      const run = await runToEnd(
        bin('attio-destination'),
        ['send', '--action', 'identifyUser', '--event', file],
        {
          ATTIO_API_KEY: apiKey,
          ATTIO_API_URL: apiUrl
        }
      )
      expect(run.code === 0, `exit ${run.code}: ${run.out.slice(-300)}`)
      const state = await (await fetch(`${apiUrl}/_emulator/state`)).json()
      const emails = state.people.flatMap((record) => valuesOf(record, 'email_addresses', 'email_address'))
      expect(emails.includes('cli@example.com'), 'the Person is in the emulator')
      return 'send --action identifyUser: delivered'
    })

    await check('the attio-emulator command (bin)', async () => {
      const started = await startAndRead(bin('attio-emulator'), ['--quiet'], {}, emulatorLines)
      started.child.kill()
      return `started at ${started.values[0]}`
    })

    await check("the local page's files (dist/local/start.js)", async () => {
      const started = await startAndRead(
        process.execPath,
        [path.join(installed, 'dist', 'local', 'start.js')],
        { PORT: '0', ATTIO_API_KEY: apiKey, ATTIO_API_URL: apiUrl, LOCAL_QUIET: '1' },
        [/^Attio destination: (\S+?)\/?$/m]
      )
      try {
        const [url] = started.values
        const page = await fetch(`${url}/`)
        const html = await page.text()
        expect(page.status === 200 && html.includes('<html'), `GET / answered ${page.status}`)
        // Every script and stylesheet the page names is served (the page's modules import the rest).
        const assets = [...html.matchAll(/(?:src|href)="\/?([\w.-]+\.(?:js|css))"/g)].map((match) => match[1])
        expect(assets.length > 0, 'the page names no script or stylesheet')
        for (const asset of assets) {
          const answer = await fetch(`${url}/${asset}`)
          expect(answer.status === 200, `GET /${asset} answered ${answer.status}`)
        }
        return `${url}/ serves the page and its ${assets.length} scripts and stylesheets`
      } finally {
        started.child.kill()
      }
    })

    await check('an ES module import', async () => {
      const source =
        "import pkg, { destination } from 'attio-destination'\n" +
        "if (pkg.default !== destination || destination.name !== 'Attio (Actions)') process.exit(1)\n"
      const run = await runToEnd(process.execPath, ['--input-type=module', '-e', source], {})
      expect(run.code === 0, `exit ${run.code}: ${run.out.slice(-300)}`)
      return "import { destination } from 'attio-destination'"
    })
  } finally {
    emulator.child.kill()
  }
  process.exit(failures.length > 0 ? 1 : 0)
}

main().catch((error) => {
  console.log(`FAIL the checks themselves: ${error && error.stack ? error.stack : error}`)
  process.exit(1)
})
