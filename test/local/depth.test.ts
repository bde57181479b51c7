/**
 * A mapped value nested thousands of levels deep, through the hosts this package ships (the CLI, the local
 * server and replay all run actions through `LocalRunner`). actions-core resolves the mapping and walks the
 * result recursively (`removeUndefined`) before any destination code runs, and overflows the stack at about
 * 2,500 levels; the runner resolves each event's mapping first, so such an event gets its own 400 naming the
 * field, and the other events of a batch are delivered, instead of a bare RangeError for all of them.
 */
import { defaultValues, Destination } from '@segment/actions-core'
import definition from '../../src'
import { LocalRunner } from '../../src/local/runner'
import { recordsOf, useEmulator } from '../helpers/emulator'

const ctx = useEmulator()

/** `{a: {a: … {a: "x"}}}`, `levels` objects deep. */
function nested(levels: number): unknown {
  let value: unknown = 'x'
  for (let level = 0; level < levels; level++) value = { a: value }
  return value
}

const identify = (userId: string, company?: unknown) => ({
  type: 'identify',
  userId,
  traits: { email: `${userId}@example.com`, ...(company === undefined ? {} : { company }) }
})
const mapping = { person_attributes: { company: { '@path': '$.traits.company' } } }

describe('a mapped value nested 3,000 levels deep', () => {
  it('single event: a 400 naming the field, not a RangeError; nothing sent', async () => {
    const runner = new LocalRunner({ defaultApiKey: ctx.emulator.apiKey })
    const answer = await runner.runAction('identifyUser', {
      payload: identify('deep', nested(3000)),
      mapping
    })
    expect(answer.ok).toBe(false)
    expect(answer.error).toMatchObject({ status: 400, code: 'PAYLOAD_VALIDATION_FAILED', retry: false })
    expect(answer.error?.message).toMatch(/^person_attributes: .*nested 3,002 levels deep/)
    expect(answer.exchanges.filter((exchange) => exchange.method !== 'GET')).toEqual([])
  })

  it('in a batch: that event alone gets its 400, the others are delivered', async () => {
    const runner = new LocalRunner({ defaultApiKey: ctx.emulator.apiKey })
    const answer = await runner.runAction('identifyUser', {
      payload: [identify('u-1'), identify('deep', nested(3000)), identify('u-2')],
      mapping: { ...mapping, enable_batching: true }
    })
    await ctx.emulator.settle()
    expect(answer.error).toBeUndefined()
    expect(answer.multistatus?.map((outcome) => outcome.status)).toEqual([202, 400, 202])
    expect(answer.multistatus?.[1]).toMatchObject({
      errortype: 'PAYLOAD_VALIDATION_FAILED',
      field: 'person_attributes'
    })
    expect(answer.multistatus?.[1].errormessage).toMatch(/nested 3,002 levels deep/)
    expect(
      recordsOf(ctx.emulator, 'users').map((user) => (user.values.user_id?.[0] as { value: string }).value)
    ).toEqual(['u-1', 'u-2'])
  })

  it('an event whose deep part is not mapped is delivered as usual', async () => {
    const runner = new LocalRunner({ defaultApiKey: ctx.emulator.apiKey })
    const event = { ...identify('u-1'), properties: { junk: nested(3000) } }
    const answer = await runner.runAction('identifyUser', { payload: event, mapping })
    expect(answer.error).toBeUndefined()
    expect(answer.ok).toBe(true)
  })
})

it('why the host must check: actions-core itself fails on it before any destination code runs', async () => {
  // If this starts passing through (a newer actions-core), the README's note on depth is to be revised.
  let performed = false
  const spied = {
    ...definition,
    actions: {
      ...definition.actions,
      identifyUser: {
        ...definition.actions.identifyUser,
        perform: () => {
          performed = true
          return undefined
        }
      }
    }
  }
  const error = await new Destination(spied)
    .onEvent(identify('deep', nested(3000)) as never, {
      api_key: ctx.emulator.apiKey,
      subscription: {
        subscribe: 'type = "identify"',
        partnerAction: 'identifyUser',
        mapping: { ...defaultValues(definition.actions.identifyUser.fields), ...mapping }
      }
    })
    .then(
      () => undefined,
      (caught: unknown) => caught
    )
  // (The RangeError of another realm: Jest runs the test in a VM context.)
  expect(error).toMatchObject({ name: 'RangeError', message: expect.stringMatching(/call stack/) })
  expect(performed).toBe(false)
})
