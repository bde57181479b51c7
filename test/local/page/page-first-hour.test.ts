/**
 * The page as a new user meets it in a first hour (issue 17), in headless Chromium: the mapping kept,
 * exported and imported as a mapping file (1), Assert Record's object change (2), a directive typo (3),
 * settings checked (4), the samples on a fresh start and partial results (5), the trigger check (8), the
 * batch size (9), accessibility (10, axe-core's WCAG 2.1 AA rules and the keyboard) and the wording (13).
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { parseMappingFile } from '../../../src/local/mapping-file'
import { LocalRunner } from '../../../src/local/runner'
import { recordsOf, valuesOf } from '../../helpers/emulator'
import * as browser from './browser'
import { identify, ndjson, runCli } from '../helpers'

browser.describeInBrowser('the page, as a new user meets it', () => {
  const handle = browser.usePage()
  const { ctx } = handle
  let page: Page
  let dir: string
  beforeEach(() => {
    page = handle.page
    dir = mkdtempSync(path.join(tmpdir(), 'local-page-files-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))
  const send = () => browser.send(page)
  const setEvent = (event: unknown) => browser.setEvent(page, event)
  const text = (selector: string) => browser.text(page, selector)
  const writes = () => ctx.emulator.stats().writes
  const saved = (action: string) =>
    page.evaluate(`localStorage.getItem('attio-destination/subscription/${action}')`) as Promise<
      string | null
    >

  describe('the mapping file (item 1)', () => {
    it('keeps the mapping of each action across reloads and preset switches', async () => {
      await browser.addAttribute(page, 'person_attributes', '$.traits.name', 'name')
      await browser.waitUntil(
        page,
        `(localStorage.getItem('attio-destination/subscription/identifyUser') ?? '').includes('traits.name')`
      )
      await page.reload()
      await page.waitForSelector('body[data-ready="true"]')
      const row = page.locator('[data-field="person_attributes"] .kv-row').last()
      expect(await row.locator('.kv-key').inputValue()).toBe('name')
      expect(await text('#subscription-status')).toContain('Your saved mapping for Identify User')

      await page.locator('#action-select').selectOption('preset:1')
      await page.locator('#action-select').selectOption('preset:0')
      expect(await page.locator('[data-field="person_attributes"] .kv-key').last().inputValue()).toBe('name')

      await page.locator('#reset-mapping').click()
      expect(await page.locator('[data-field="person_attributes"] .kv-row').count()).toBe(0)
      expect(await saved('identifyUser')).toBeNull()
    })

    it('exports the mapping file that replay --mapping reads', async () => {
      await browser.addAttribute(page, 'person_attributes', '$.traits.name', 'name')
      await page.locator('#trigger').fill('type = "identify" and traits.email exists')
      await browser.waitUntil(
        page,
        `(localStorage.getItem('attio-destination/subscription/identifyUser') ?? '').includes('traits.email exists')`
      )
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('#export-mapping').click()
      ])
      expect(download.suggestedFilename()).toBe('identifyUser.mapping.json')
      const file = path.join(dir, 'exported.json')
      await download.saveAs(file)
      const text = readFileSync(file, 'utf8')
      const parsed = parseMappingFile(text, file, new LocalRunner().actionCatalog())
      expect(parsed.subscriptions).toEqual([
        expect.objectContaining({
          name: 'Identify User',
          partnerAction: 'identifyUser',
          subscribe: 'type = "identify" and traits.email exists',
          mapping: expect.objectContaining({ person_attributes: { name: { '@path': '$.traits.name' } } })
        })
      ])
      // What the browser saved is the same format.
      expect(JSON.parse((await saved('identifyUser')) ?? '{}')).toEqual(JSON.parse(text))

      const events = path.join(dir, 'events.ndjson')
      writeFileSync(events, ndjson([identify('u-9', 'nine@example.com', { name: 'Nina Simone' })]))
      const out = await runCli(['replay', events, '--mapping', file], {
        ATTIO_API_URL: ctx.emulator.url,
        ATTIO_API_KEY: ctx.emulator.apiKey
      })
      expect(out.code).toBe(0)
      expect(valuesOf(recordsOf(ctx.emulator, 'people')[0], 'name', 'full_name')).toEqual(['Nina Simone'])
    })

    it('imports a mapping file, each subscription for its action, and says what is wrong with a bad one', async () => {
      const file = path.join(dir, 'subscriptions.json')
      writeFileSync(
        file,
        JSON.stringify({
          subscriptions: [
            {
              partnerAction: 'groupWorkspace',
              subscribe: 'type = "group"',
              mapping: { workspace_attributes: { plan: { '@path': '$.traits.plan' } } }
            },
            {
              partnerAction: 'identifyUser',
              subscribe: 'type = "identify"',
              mapping: { user_attributes: { seats: { '@path': '$.traits.seats' } } }
            }
          ]
        })
      )
      await page.locator('#import-file').setInputFiles(file)
      await browser.waitUntil(
        page,
        `document.querySelector('#subscription-status').textContent.includes('Imported')`
      )
      expect(await text('#subscription-status')).toContain('2 subscriptions (groupWorkspace, identifyUser)')
      expect(await page.locator('[data-field="user_attributes"] .kv-key').last().inputValue()).toBe('seats')
      await page.locator('#action-select').selectOption('preset:1')
      expect(await page.locator('[data-field="workspace_attributes"] .kv-key').last().inputValue()).toBe(
        'plan'
      )

      writeFileSync(
        file,
        JSON.stringify({ subscriptions: [{ partnerAction: 'identifyUsr', subscribe: 'type = ' }] })
      )
      await page.locator('#import-file').setInputFiles(file)
      await browser.waitUntil(
        page,
        `document.querySelector('#subscription-status').textContent.includes('could not')`
      )
      const status = await text('#subscription-status')
      expect(status).toContain(
        '"identifyUsr" is not an action of this destination (did you mean "identifyUser"?)'
      )
      expect(status).toContain('"type = " is not a condition actions-core can evaluate')
    })
  })

  it('resets what depends on Assert Record’s object when it changes (item 2), and names the record by its noun (13)', async () => {
    await page.locator('#action-select').selectOption('action:assertRecord')
    await browser.choicesLoaded(page, 'object')
    await browser.choicesLoaded(page, 'matching_attribute')
    await page.locator('#field-object').selectOption('companies')
    await browser.waitUntil(page, `document.querySelector('#field-matching_attribute').value === 'domains'`)
    await browser.choicesLoaded(page, 'matching_attribute')
    const options = await page
      .locator('#field-matching_attribute option')
      .evaluateAll((nodes) => nodes.map((node) => (node as HTMLOptionElement).value))
    expect(options).not.toContain('email_addresses')
    expect(await text('[data-note-for="matching_attribute"]')).toBe(
      `${options.length} choice${options.length === 1 ? '' : 's'} from Attio`
    )
    await browser.waitUntil(
      page,
      `document.querySelector('[data-note-for="attributes.__keys__"]').textContent.includes('removed email_addresses')`
    )
    const keys = await page
      .locator('[data-field="attributes"] .kv-key')
      .evaluateAll((nodes) => nodes.map((node) => (node as HTMLInputElement).value))
    expect(keys).toEqual(['domains'])
    await page.locator('[data-field="attributes"] .kv-value').last().fill('$.traits.website')
    await setEvent({ type: 'identify', userId: 'u', traits: { website: 'https://acme.com' } })
    await send()
    expect(await text('#results-body .banner.ok')).toContain('Delivered to Attio')
    expect(await text('.record-card[data-object="companies"] .record-label')).toBe('Company')
    expect(await text('.record-card[data-object="companies"]')).toContain('acme.com')
  })

  it('refuses a value that starts like a directive but does not parse, on its field, sending nothing (item 3)', async () => {
    await page.locator('[data-sample="identify"]').click()
    await browser.addAttribute(page, 'person_attributes', '{"@template": "{{traits.name}}"', 'job_title')
    await send()
    const row = page.locator('[data-field="person_attributes"] .kv-row').last()
    expect(await row.locator('.field-error').textContent()).toContain('starts like JSON')
    expect(await row.locator('.kv-value').getAttribute('aria-invalid')).toBe('true')
    expect(await text('#results-body .banner.bad')).toContain('Check the field "person_attributes.job_title"')
    expect(await text('#results-body .banner.bad')).toContain('Nothing was sent.')
    expect(writes()).toBe(0)
  })

  it('checks the settings, naming the one that is wrong, before sending (item 4)', async () => {
    await page.locator('#settings summary').click()
    await page.locator('#setting-default_phone_country').fill('Narnia')
    await page.locator('#setting-default_phone_country').dispatchEvent('change')
    await browser.waitUntil(
      page,
      `document.querySelector('[data-setting-error="default_phone_country"]').textContent.includes('Narnia')`
    )
    expect(await text('[data-setting-error="default_phone_country"]')).toContain(
      '"Narnia" is not a two-letter ISO 3166-1 country code'
    )
    await send()
    expect(await text('#results-body .banner.bad')).toContain('Check the setting "default_phone_country"')
    expect(writes()).toBe(0)
    await page.locator('#setting-default_phone_country').fill('GB')
    await page.locator('#setting-default_phone_country').dispatchEvent('change')
    await browser.waitUntil(
      page,
      `document.querySelector('#settings-summary').textContent !== '· check the settings'`
    )
    await send()
    expect(await text('#results-body .banner.ok')).toContain('Delivered to Attio')
  })

  it('sends the Group sample on a fresh workspace, and shows what a group wrote when its User link failed (item 5)', async () => {
    await page.locator('#action-select').selectOption('preset:1')
    await page.locator('[data-sample="group"]').click()
    await send()
    expect(await text('#results-body .banner.ok')).toContain('Delivered to Attio')
    expect(await page.locator('.record-card').count()).toBe(2)

    await setEvent({ type: 'group', groupId: 'ws-2', userId: 'nobody', traits: { website: 'globex.com' } })
    await send()
    const failed = await text('#results-body .banner.bad')
    expect(failed).toContain('Check the field "user_id"')
    expect(failed).toContain('Written before the error: Company asserted · Workspace asserted')
    expect(await text('#results-body .section h3')).toBe('Records written before the error')
    expect(await text('.record-card[data-object="companies"]')).toContain('globex.com')
    expect(await text('.record-card[data-object="workspaces"]')).toContain('ws-2')
  })

  it('warns when the event would not match the trigger, and still sends it (item 8)', async () => {
    await page.locator('[data-sample="track"]').click()
    await browser.waitUntil(page, `document.querySelector('#trigger-status').classList.contains('warn')`)
    expect(await text('#trigger-status')).toContain(
      'This track event does not match the trigger type = "identify": a host would not send it to Identify User, and replay would skip it.'
    )
    await send()
    expect(await text('#results-body .banner.bad')).toContain('Not what a host would send')
    expect(await page.locator('#results-body .banner.ok').count()).toBe(1)
    await page.locator('[data-sample="identify"]').click()
    await browser.waitUntil(page, `document.querySelector('#trigger-status').classList.contains('ok')`)
    expect(await text('#trigger-status')).toContain('The event matches this trigger')
  })

  it('sends as many events as a host would in a batch, and says so past that (item 9)', async () => {
    await page.locator('[data-sample="identify"]').click()
    await page.locator('#batch-toggle').check()
    expect(await page.locator('#batch-count').getAttribute('max')).toBe('10000')
    expect(await text('#batch-hint')).toBe('(2 to 10,000)')
    await page.locator('#batch-count').fill('150')
    await send()
    expect(await page.locator('table.outcomes tbody tr').count()).toBe(150)
    await page.locator('#batch-count').fill('20000')
    const before = writes()
    await page.locator('#send').click()
    await browser.waitUntil(page, `document.querySelector('#batch-count-error').textContent !== ''`)
    expect(await text('#batch-count-error')).toContain('A batch holds 2 to 10,000 events')
    expect(await page.locator('#batch-count').getAttribute('aria-invalid')).toBe('true')
    expect(writes()).toBe(before)
  })

  describe('accessibility (item 10)', () => {
    it('has no WCAG 2.1 A or AA violation, in every state of the page', async () => {
      expect(await browser.audit(page)).toEqual([])
      await page.locator('#settings summary').click()
      await page.locator('.mapping-json summary').click()
      expect(await browser.audit(page)).toEqual([])
      await send()
      expect(await browser.audit(page)).toEqual([])
      await setEvent({ type: 'identify', userId: 'u', traits: { email: 'not-an-email' } })
      await send()
      expect(await browser.audit(page)).toEqual([])
      await page.locator('#action-select').selectOption('action:assertRecord')
      await browser.choicesLoaded(page, 'object')
      await page.locator('[data-sample="track"]').click()
      await browser.waitUntil(page, `document.querySelector('#trigger-status').textContent !== ''`)
      expect(await browser.audit(page)).toEqual([])
      await page.locator('#batch-toggle').check()
      await page.locator('#batch-count').fill('3')
      await page.locator('[data-sample="identify"]').click()
      await send()
      expect(await browser.audit(page)).toEqual([])
    })

    it('keeps the focus on Send, sends with Ctrl+Enter, and opens descriptions from the keyboard', async () => {
      await page.locator('#send').focus()
      await page.keyboard.press('Enter')
      await browser.settled(page)
      expect(await page.evaluate('document.activeElement.id')).toBe('send')

      await page.locator('#results-body').evaluate((node) => node.replaceChildren())
      await page.locator('#event-json').focus()
      await page.keyboard.press('Control+Enter')
      await browser.settled(page)
      expect(await text('#results-body .banner')).toContain('Attio already holds these values')

      const more = page.locator('[data-field="person_attributes"] .more')
      await more.focus()
      await page.keyboard.press('Enter')
      expect(await more.getAttribute('aria-expanded')).toBe('true')
      expect(await page.locator('#description-person_attributes').getAttribute('class')).not.toContain(
        'clamp'
      )
      // A description that fits needs no button.
      expect(await page.locator('[data-field="user_id"] .more').count()).toBe(0)

      // Every label points at an element that exists.
      const dangling = await page.evaluate(
        `[...document.querySelectorAll('label[for]')].map((l) => l.htmlFor).filter((id) => !document.getElementById(id))`
      )
      expect(dangling).toEqual([])
    })
  })

  it('words what happened as it happened (item 13)', async () => {
    expect(await text('[data-field="multiselect_mode"] .badge.type')).toBe('choice')
    await send()
    expect(await text('#results-body .banner.ok')).toContain('Delivered to Attio')
    await send()
    expect(await text('#results-body .banner.ok')).toContain(
      'Nothing to send: Attio already holds these values'
    )
  })
})
