/**
 * What a batch wrote of each plain value (src/api/records/written.ts): `prepareRecord` given one
 * `WrittenValues` writes a value once and gives the records that repeat it the same written list, and answers
 * exactly what it answers without one: another default phone country, other options, another attribute or a
 * value of another type is written anew, and a refused value is refused again, each time.
 */
import {
  prepareRecord,
  WrittenValues,
  type PreparedRecord,
  type RecordAssertion
} from '../../../src/api/records'
import { clearSchemaCache, WorkspaceSchema, type SchemaSource } from '../../../src/api/schema'
import { Telemetry } from '../../../src/api/telemetry'
import type { AttributeDef, OptionDef } from '../../../src/api/wire'

const attribute = (slug: string, type: string, more: Partial<AttributeDef> = {}): AttributeDef => ({
  id: `attr-${slug}`,
  slug,
  title: slug,
  type: type as AttributeDef['type'],
  rawType: type,
  isWritable: true,
  isRequired: false,
  isUnique: false,
  isMultiselect: false,
  isArchived: false,
  hasDefault: false,
  allowedObjectIds: [],
  ...more
})

const ATTRIBUTES = [
  attribute('user_id', 'text', { isUnique: true, isRequired: true }),
  attribute('phone', 'phone-number'),
  attribute('seats', 'number'),
  attribute('title', 'text'),
  attribute('plan', 'select'),
  attribute('joined', 'date')
]
let options: OptionDef[] = [{ id: 'o-free', title: 'Free', isArchived: false }]

const source: SchemaSource = {
  workspaceKey: 'ws-written',
  telemetry: new Telemetry(undefined, undefined),
  listObjects: () => Promise.resolve([]),
  listAttributes: () => Promise.resolve(ATTRIBUTES),
  listOptions: () => Promise.resolve(options)
}

const user = (id: string, values: Record<string, unknown>): RecordAssertion => ({
  object: 'users',
  label: 'User',
  matchingAttribute: 'user_id',
  matchingField: 'user_id',
  values: [
    { attribute: 'user_id', value: id, field: 'user_id' },
    ...Object.entries(values).map(([slug, value]) => ({ attribute: slug, value, field: `attrs.${slug}` }))
  ]
})

/** Prepares the records in turn with one schema and `written`, as a batch does. */
async function prepared(
  records: RecordAssertion[],
  written: WrittenValues | undefined,
  defaultCountry?: string
): Promise<PreparedRecord[]> {
  const schema = new WorkspaceSchema(source)
  const out: PreparedRecord[] = []
  for (const record of records) out.push(await prepareRecord(schema, record, { defaultCountry }, written))
  return out
}

beforeEach(() => {
  clearSchemaCache()
  options = [{ id: 'o-free', title: 'Free', isArchived: false }]
})
afterAll(() => clearSchemaCache())

/** The first record reads the schema (and the select's options) and writes its values the long way. */
const RECORDS = [
  user('u-0', { phone: '207 946 0000', seats: 3, title: 'CTO', plan: 'free', joined: '2026-01-05' }),
  user('u-1', { phone: '207 946 0000', seats: 3, title: 'CTO', plan: 'free', joined: '2026-01-05' }),
  user('u-2', { phone: '207 946 0000', seats: 3, title: 'CTO', plan: 'free', joined: '2026-01-05' }),
  user('u-1', { phone: '207 946 0001', seats: '3', title: 3, plan: 'Free', joined: 1767571200 })
]

test('records that repeat a value share its written list, and answer what they answer without it', async () => {
  const written = new WrittenValues()
  const [, first, second, third] = await prepared(RECORDS, written, 'GB')
  const plain = await prepared(RECORDS, undefined, 'GB')
  expect([first, second, third]).toEqual(plain.slice(1))
  for (const slug of ['phone', 'seats', 'title', 'plan', 'joined'])
    expect(second.assertValues[slug]).toBe(first.assertValues[slug])
  // The same user again: its matching value's list and key are those of the first record.
  expect(third.assertValues.user_id).toBe(first.assertValues.user_id)
  expect(third.matchingKey).toBe(first.matchingKey)
  // Another value, or the same text as a value of another type: written on its own.
  expect(third.assertValues.phone).not.toBe(first.assertValues.phone)
  expect(third.assertValues.seats).not.toBe(first.assertValues.seats)
  expect(third.assertValues.seats).toEqual(first.assertValues.seats)
  expect(third.assertValues.plan).not.toBe(first.assertValues.plan)
  // Without it, every record writes its own lists.
  expect(plain[2].assertValues.seats).not.toBe(plain[1].assertValues.seats)
})

test('another default phone country or other options are written anew', async () => {
  const written = new WrittenValues()
  const [, gb] = await prepared(RECORDS.slice(0, 2), written, 'GB')
  const [, us] = await prepared(RECORDS.slice(0, 2), written, 'US')
  const [plainUs] = await prepared([RECORDS[1]], undefined, 'US')
  expect(us.assertValues.phone).toEqual(plainUs.assertValues.phone)
  expect(us.assertValues.phone).not.toEqual(gb.assertValues.phone)
  // Options read again (another invocation, the cache emptied): the value is checked against those.
  clearSchemaCache()
  options = [{ id: 'o-free-2', title: 'Free', isArchived: false }]
  const [, again] = await prepared(RECORDS.slice(0, 2), written, 'GB')
  expect(again.assertValues.plan).not.toBe(gb.assertValues.plan)
  expect(again).toEqual(gb)
})

test('a refused value is refused again, each time, with its own field', async () => {
  const written = new WrittenValues()
  const schema = new WorkspaceSchema(source)
  const bad = (id: string) => user(id, { seats: 'many' })
  for (const id of ['u-1', 'u-2'])
    await expect(Promise.resolve().then(() => prepareRecord(schema, bad(id), {}, written))).rejects.toThrow(
      'attrs.seats: "many" is not a number'
    )
  const [ok] = await prepared([user('u-3', { seats: 2 })], written)
  expect(ok.assertValues.seats).toEqual([{ value: 2 }])
})
