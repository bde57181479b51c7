/**
 * The schema's refresh for a value its cached list lacks (src/api/schema.ts), between invocations of one
 * process: the list is read again at most once per `SCHEMA_REFRESH_INTERVAL_MS`, and an event that needs it
 * within that interval gets what that read found (waiting for it while it is in flight), never its own
 * invocation's older copy. Before, such an event was refused (a final 400): `npm run fleet -- --events 200
 * --seed 10 --fault-rate 0.1` lost an Identify User event with `user_attributes.tier: Attio's users object has
 * no attribute "tier"` right after the attribute was created, while another lane's event was reading it again.
 */
import { clearSchemaCache, WorkspaceSchema, type SchemaSource } from '../../src/api/schema'
import { Telemetry } from '../../src/api/telemetry'
import type { AttributeDef, OptionDef } from '../../src/api/wire'

const attribute = (slug: string) => ({ slug, id: `attr-${slug}`, type: 'select' }) as unknown as AttributeDef
const option = (title: string) => ({ title, is_archived: false }) as unknown as OptionDef

/** A workspace whose lists the test changes, and whose reads wait until the test lets them answer. */
function workspace() {
  const state = { attributes: [attribute('plan')], options: [option('Free')] }
  const waiting: Array<() => void> = []
  let hold = false
  let reads = 0
  const answer = <T>(value: () => T) =>
    new Promise<T>((resolve) => {
      reads += 1
      if (hold) waiting.push(() => resolve(value()))
      else resolve(value())
    })
  const source: SchemaSource = {
    workspaceKey: `ws-${Math.random()}`,
    telemetry: new Telemetry(undefined, undefined),
    listObjects: () => Promise.resolve([]),
    listAttributes: () => answer(() => [...state.attributes]),
    listOptions: () => answer(() => [...state.options])
  }
  return {
    source,
    state,
    reads: () => reads,
    hold: () => (hold = true),
    release: () => {
      hold = false
      for (const go of waiting.splice(0)) go()
    }
  }
}

beforeEach(() => clearSchemaCache())
afterAll(() => clearSchemaCache())

test('an event that needs an attribute while another one is reading the list again waits for that read', async () => {
  const ws = workspace()
  await new WorkspaceSchema(ws.source).attributes('users')
  ws.state.attributes.push(attribute('tier'))
  ws.hold()
  const first = new WorkspaceSchema(ws.source).findAttribute('users', 'tier')
  await new Promise((resolve) => setImmediate(resolve))
  const second = new WorkspaceSchema(ws.source).findAttribute('users', 'tier')
  ws.release()
  expect((await first)?.slug).toBe('tier')
  expect((await second)?.slug).toBe('tier')
  expect(ws.reads()).toBe(2)
})

test('an invocation that read the list before another one read it again finds what that read found, without a read of its own', async () => {
  const ws = workspace()
  const batch = new WorkspaceSchema(ws.source)
  await batch.attributes('users')
  ws.state.attributes.push(attribute('tier'))
  expect((await new WorkspaceSchema(ws.source).findAttribute('users', 'tier'))?.slug).toBe('tier')
  expect((await batch.findAttribute('users', 'tier'))?.slug).toBe('tier')
  expect(ws.reads()).toBe(2)
  // An attribute that does not exist is still read for at most once an interval.
  expect(await batch.findAttribute('users', 'nope')).toBeUndefined()
  expect(await new WorkspaceSchema(ws.source).findAttribute('users', 'nope')).toBeUndefined()
  expect(ws.reads()).toBe(2)
})

test('the same for an option another invocation read again a moment ago', async () => {
  const ws = workspace()
  const plan = attribute('plan')
  const batch = new WorkspaceSchema(ws.source)
  expect((await batch.options('users', plan)).map((o) => o.title)).toEqual(['Free'])
  ws.state.options.push(option('Team'))
  const other = new WorkspaceSchema(ws.source)
  await other.options('users', plan)
  expect(await other.refreshOptions('users', plan)).toBe(true)
  expect(await batch.refreshOptions('users', plan)).toBe(true)
  expect((await batch.options('users', plan)).map((o) => o.title)).toEqual(['Free', 'Team'])
  expect(ws.reads()).toBe(2)
})
