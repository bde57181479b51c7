/**
 * The Edit Mapping / Send test event page in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against the local server and an in-process emulator. Skipped, saying why, where
 * Chromium is not installed. With LOCAL_PAGE_SCREENSHOT=<file.png> it also saves a screenshot of the page
 * after a successful send (docs/local-page.png is made this way).
 */
import type { Page } from 'playwright-core'
import { recordsOf } from '../../helpers/emulator'
import * as browser from './browser'

browser.describeInBrowser('the page in headless Chromium', () => {
  const handle = browser.usePage()
  const { ctx } = handle
  let page: Page
  beforeEach(() => {
    page = handle.page
  })
  const send = () => browser.send(page)
  const setEvent = (event: unknown) => browser.setEvent(page, event)
  const text = (selector: string) => browser.text(page, selector)
  const addAttribute = (field: string, value: string, attribute: string) =>
    browser.addAttribute(page, field, value, attribute)
  const choicesLoaded = (path: string) => browser.choicesLoaded(page, path)

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
    expect(await text('#results-body .banner.ok')).toContain('All 3 events accepted by Attio')
    expect(await page.locator('table.outcomes tbody tr').count()).toBe(3)
    expect(await text('table.outcomes tbody')).toContain('user-1815-3')
    await ctx.emulator.settle()
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(3)
  })
})
