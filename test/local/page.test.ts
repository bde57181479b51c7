/**
 * The Edit Mapping / Send test event page in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against the local server and an in-process emulator. Skipped, saying why, where
 * Chromium is not installed. With LOCAL_PAGE_SCREENSHOT=<file.png> it also saves a screenshot of the page
 * after a successful send (docs/local-page.png is made this way).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { LocalRunner } from '../../src/local/runner'
import { startLocalServer, type RunningLocalServer } from '../../src/local/server'
import { clearWriteMemory } from '../../src/api'
import { recordsOf, useEmulator } from '../helpers/emulator'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const HAS_CHROMIUM = existsSync(CHROMIUM)
const SKIP_REASON = `${CHROMIUM} is not installed (apt-get install chromium)`
if (!HAS_CHROMIUM) console.warn(`The browser test of the local page is skipped: ${SKIP_REASON}.`)

const describeInBrowser = HAS_CHROMIUM ? describe : describe.skip
const title = HAS_CHROMIUM
  ? 'the page in headless Chromium'
  : `the page in headless Chromium (skipped: ${SKIP_REASON})`

describeInBrowser(title, () => {
  const ctx = useEmulator({ rateLimits: true })
  // The destination remembers what it wrote (to skip unchanged writes); the emulator forgets between tests.
  beforeEach(() => clearWriteMemory())
  let server: RunningLocalServer
  let browser: BrowserContext
  let profile: string
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    server = await startLocalServer({
      port: 0,
      runner: new LocalRunner({ defaultApiKey: ctx.emulator.apiKey }),
      apiUrl: ctx.emulator.url,
      emulatorUrl: ctx.emulator.url
    })
    const { chromium } = await import('playwright-core')
    profile = mkdtempSync(path.join(tmpdir(), 'local-page-chromium-'))
    // A persistent context is how playwright takes a (fresh) --user-data-dir.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run'
      ]
    })
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    if (profile) rmSync(profile, { recursive: true, force: true })
  })

  beforeEach(async () => {
    page = browser.pages()[0] ?? (await browser.newPage())
    page.removeAllListeners('pageerror')
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${server.url}/`)
    await page.waitForSelector('body[data-ready="true"]')
  })

  afterEach(() => {
    expect(pageErrors).toEqual([])
  })

  async function addAttribute(field: string, value: string, attribute: string): Promise<void> {
    const editor = page.locator(`[data-field="${field}"]`)
    await editor.getByRole('button', { name: '+ Add attribute' }).click()
    await editor.locator('.kv-value').last().fill(value)
    await editor.locator('.kv-key').last().fill(attribute)
  }

  async function setEvent(event: unknown): Promise<void> {
    await page.locator('#event-json').fill(JSON.stringify(event, null, 2))
  }

  /** Clicks Send and waits until the answer is rendered (the button is enabled again). */
  async function send(): Promise<void> {
    await page.locator('#send').click()
    await page.waitForSelector('#results-body .banner')
    await page.waitForFunction("document.querySelector('#send').disabled === false")
  }

  const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? ''

  /** Waits for a dynamic field's choices to arrive from Attio. */
  const choicesLoaded = (path: string) =>
    page.waitForFunction(
      `(document.querySelector('[data-note-for="${path}"]')?.textContent ?? '').includes('from Attio')`
    )

  it('builds the mapping form from the manifest, with defaults and pickers from Attio', async () => {
    expect(await page.locator('#action-select').inputValue()).toBe('preset:0')
    expect(await page.locator('#field-email_address').inputValue()).toBe(
      '$.traits.email ?? $.context.traits.email ?? $.properties.email'
    )
    expect(await page.locator('#field-user_id').inputValue()).toBe('$.userId')
    await choicesLoaded('person_attributes.__keys__')
    expect(await page.locator('#keys-person_attributes option').count()).toBeGreaterThan(5)

    await page.locator('#action-select').selectOption('action:assertRecord')
    await choicesLoaded('object')
    await page.locator('#field-object').selectOption('users')
    await page.waitForSelector('#field-matching_attribute option[value="user_id"]', { state: 'attached' })
    expect(await page.locator('#field-matching_attribute option').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('user_id')])
    )
  })

  it('sends an identify event and shows the exchanges and the Person and User it wrote', async () => {
    await page.locator('[data-sample="identify"]').click()
    await addAttribute('person_attributes', '$.traits.name', 'name')
    await addAttribute('user_attributes', '$.traits.plan', 'plan')
    await send()
    expect(await text('#results-body .banner.ok')).toContain('Delivered to Attio')
    const person = await text('.record-card[data-object="people"]')
    const user = await text('.record-card[data-object="users"]')
    expect(person).toContain('Person')
    expect(person).toContain('ada@analytical-engines.com')
    expect(person).toContain('Ada Lovelace')
    expect(user).toContain('User')
    expect(user).toContain('user-1815')
    expect(user).toContain('Pro')
    expect(await page.locator('.exchange .url').allTextContents()).toEqual(
      expect.arrayContaining([
        '/v2/objects/people/records?matching_attribute=email_addresses',
        '/v2/objects/users/records?matching_attribute=user_id'
      ])
    )
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(1)
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(1)
    const screenshot = process.env.LOCAL_PAGE_SCREENSHOT
    if (screenshot) {
      // Tall enough to show the first requests to Attio under the records.
      await page.setViewportSize({ width: 1280, height: 1024 })
      await page.waitForTimeout(300)
      await page.screenshot({ path: screenshot })
      await page.setViewportSize({ width: 1280, height: 900 })
    }
  })

  it('shows a validation error beside the field it concerns', async () => {
    await setEvent({ type: 'identify', userId: 'user-1', traits: { email: 'not-an-email' } })
    await send()
    expect(await text('[data-field="email_address"] .field-error')).toContain('is not a valid email address')
    expect(await page.locator('[data-field="email_address"]').getAttribute('class')).toContain('has-error')
    expect(await text('#results-body .banner.bad')).toContain('Check the field "email_address"')

    await setEvent({ type: 'identify', userId: 'user-1', traits: { email: 'ada@example.com' } })
    await addAttribute('person_attributes', '@ada', 'twiter')
    await send()
    const row = page.locator('[data-field="person_attributes"] .kv-row').last()
    expect(await row.locator('.field-error').textContent()).toContain('Did you mean "twitter"?')
    expect(await row.locator('.kv-key').getAttribute('class')).toContain('invalid')
    expect(ctx.emulator.stats().writes).toBe(0)
  })

  it('shows an event carrying markup as text, never as HTML', async () => {
    const markup = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    await setEvent({ type: 'identify', userId: 'user-x', traits: { email: 'x@example.com', name: markup } })
    await addAttribute('person_attributes', '$.traits.name', 'name')
    await send()
    expect(await page.locator('#results-body .banner.ok').count()).toBe(1)
    expect(await text('.record-card[data-object="people"]')).toContain(markup)
    const bodies = await page.locator('#results-body pre').allTextContents()
    expect(bodies.some((body) => body.includes('<script>window.__pwned = 1</script>'))).toBe(true)
    expect(await page.locator('#results-body img, #results-body script').count()).toBe(0)
    expect(await page.evaluate('window.__pwned')).toBeUndefined()
  })

  it('sends with the OAuth token of the settings when one is given', async () => {
    await page.locator('#settings summary').click()
    await page.locator('#setting-oauth').fill('not-a-token-of-this-workspace')
    await send()
    expect(await text('#results-body .banner.bad')).toContain('did not accept the credential')
    await page.locator('#setting-oauth').fill(ctx.emulator.apiKey)
    await send()
    expect(await page.locator('#results-body .banner.ok').count()).toBe(1)
    expect(await page.locator('#results-body').textContent()).not.toContain(ctx.emulator.apiKey)
  })

  it("sends a batch and shows each event's outcome", async () => {
    await page.locator('[data-sample="identify"]').click()
    await page.locator('#batch-toggle').check()
    await page.locator('#batch-count').fill('3')
    await send()
    expect(await text('#results-body .banner.ok')).toContain('All 3 events delivered')
    expect(await page.locator('table.outcomes tbody tr').count()).toBe(3)
    expect(await text('table.outcomes tbody')).toContain('user-1815-3')
    await ctx.emulator.settle()
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(3)
  })
})
