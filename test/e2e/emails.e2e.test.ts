/**
 * Email addresses and domains as Attio takes them, end to end on both paths: Attio's OpenAPI document types
 * email addresses as `format: email` (RFC 5321: ASCII, where `idn-email` would allow more), and its domains
 * are host names. So an internationalised domain is sent in punycode (after NFC), in an email and as a
 * domain alike, and a non-ASCII local part, which no conversion can make ASCII, is refused before anything
 * is sent, with a 400 naming the field, instead of a 202 that Attio then drops.
 */
import { createTestEvent, createTestIntegration, type SegmentEvent } from '@segment/actions-core'
import destination from '../../src'
import { recordsOf, useEmulator, valuesOf } from '../helpers/emulator'

const ctx = useEmulator()

const identify = (userId: string, email: string) =>
  createTestEvent({ type: 'identify', userId, traits: { email } }) as SegmentEvent
const group = (groupId: string, website: string) =>
  createTestEvent({ type: 'group', groupId, userId: null, traits: { website } }) as SegmentEvent

type Outcome = { status: number; errormessage?: string }
const outcomesOf = (integration: { results: unknown[] }) =>
  (integration.results[0] as { multistatus: Outcome[] }).multistatus

const emails = () =>
  recordsOf(ctx.emulator, 'people').flatMap((person) => valuesOf(person, 'email_addresses', 'email_address'))

describe('a non-ASCII local part (josé@example.com)', () => {
  it('single path: refused before any request, naming the field and why', async () => {
    const writes = ctx.emulator.stats().writes
    await expect(
      createTestIntegration(destination).testAction('identifyUser', {
        event: identify('u-1', 'josé@example.com'),
        settings: ctx.settings,
        useDefaultMappings: true
      })
    ).rejects.toThrow(/^email_address: "josé@example\.com" has a non-ASCII character \("é"\) before the @/)
    expect(ctx.emulator.stats().writes).toBe(writes)
  })

  it('batch path: that event gets its 400, the others are applied; nothing is dropped after a 202', async () => {
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', 'josé@example.com'), identify('u-2', 'grace@example.com')],
      settings: ctx.settings,
      useDefaultMappings: true
    })
    await ctx.emulator.settle()
    const [jose, grace] = outcomesOf(integration)
    expect(jose.status).toBe(400)
    expect(jose.errormessage).toMatch(/^email_address: "josé@example\.com" has a non-ASCII character/)
    expect(grace.status).toBe(202)
    expect(emails()).toEqual(['grace@example.com'])
    expect(ctx.emulator.stats().bulk.dropped).toBe(0)
  })
})

describe('an internationalised domain', () => {
  // "bücher" composed (NFC) and decomposed (NFD: u + combining diaeresis) are one address.
  const composed = 'Ada@Bücher.de'
  const decomposed = 'ada@bu\u0308cher.de'

  it('single path: an email at it is written in punycode, composed or decomposed, as one Person', async () => {
    const test = createTestIntegration(destination)
    for (const email of [composed, decomposed]) {
      await test.testAction('identifyUser', {
        event: identify('u-1', email),
        settings: ctx.settings,
        useDefaultMappings: true
      })
    }
    expect(emails()).toEqual(['ada@xn--bcher-kva.de'])
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(1)
  })

  it('batch path: the same, applied by Attio instead of dropped', async () => {
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', composed), identify('u-2', 'grace@bücher.de')],
      settings: ctx.settings,
      useDefaultMappings: true
    })
    await ctx.emulator.settle()
    expect(outcomesOf(integration).map((outcome) => outcome.status)).toEqual([202, 202])
    expect(emails().sort()).toEqual(['ada@xn--bcher-kva.de', 'grace@xn--bcher-kva.de'])
    expect(ctx.emulator.stats().bulk.dropped).toBe(0)
  })

  it('a company domain: punycode on both paths, one Company', async () => {
    const test = createTestIntegration(destination)
    await test.testAction('groupWorkspace', {
      event: group('ws-1', 'https://www.Bücher.de/shop'),
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping: { user_id: '' }
    })
    await test.testBatchAction('groupWorkspace', {
      events: [group('ws-2', 'bu\u0308cher.de')],
      settings: ctx.settings,
      useDefaultMappings: true,
      mapping: { user_id: '' }
    })
    await ctx.emulator.settle()
    const companies = recordsOf(ctx.emulator, 'companies')
    expect(companies.map((company) => valuesOf(company, 'domains', 'domain'))).toEqual([['xn--bcher-kva.de']])
    expect(recordsOf(ctx.emulator, 'workspaces')).toHaveLength(2)
  })
})
