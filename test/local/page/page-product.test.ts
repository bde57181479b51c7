/**
 * The local page's parts for sync modes, deletion requests and lists, in headless Chromium (skipped, saying
 * why, where Chromium is not installed): Assert Record's sync mode choice reaches the action; a deletion
 * request is sent with the page's settings and says what it deleted; Sync List Entry is offered with its
 * pickers and its Audience Entered / Exited samples, and the result shows the list's entries.
 */
import type { Page } from 'playwright-core'
import { recordsOf } from '../../helpers/emulator'
import * as browser from './browser'

browser.describeInBrowser('the page: sync modes, deletion requests, lists', () => {
  const handle = browser.usePage()
  const { ctx } = handle
  let page: Page
  beforeEach(() => {
    page = handle.page
  })
  const send = () => browser.send(page)
  const text = (selector: string) => browser.text(page, selector)
  const entries = (list: string) => ctx.emulator.entries(list) as unknown as unknown[]

  it("shows Assert Record's sync mode choice, and the chosen mode is what the action runs", async () => {
    await page.locator('#action-select').selectOption('action:assertRecord')
    const group = page.getByRole('group', { name: 'How records are written' })
    await group.waitFor()
    expect(await group.getByRole('radio').count()).toBeGreaterThanOrEqual(4)
    expect(await page.locator('#sync-mode-upsert').isChecked()).toBe(true)
    await browser.choicesLoaded(page, 'object')
    await page.locator('#field-object').selectOption('people')
    await page.waitForSelector('#field-matching_attribute option[value="email_addresses"]', {
      state: 'attached'
    })
    await page.locator('#field-matching_attribute').selectOption('email_addresses')
    await browser.addAttribute(page, 'attributes', '$.traits.email', 'email_addresses')
    await page.locator('[data-sample="identify"]').click()

    await page.locator('#sync-mode-update').check()
    expect(await text('#mapping-preview')).toContain('"__segment_internal_sync_mode": "update"')
    await send()
    // Update only: the missing Person is reported, not created.
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(0)
    expect(await text('#results-body')).toContain(
      'the sync mode is "update", which changes existing records only: nothing was created'
    )

    await page.locator('#sync-mode-upsert').check()
    await send()
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(1)
    expect(await browser.audit(page)).toEqual([])
  })

  it('sends a deletion request with the settings and says what it deleted; an empty user id is refused', async () => {
    await page.locator('[data-sample="identify"]').click()
    await send()
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(1)

    await page.locator('#send-deletion').click()
    expect(await page.locator('#deletion-user-id').getAttribute('aria-invalid')).toBe('true')
    expect(await text('#deletion-result')).toContain('User ID: enter the userId')

    // The default scope deletes nothing, and says so.
    await page.locator('#deletion-user-id').fill('user-1815')
    await page.locator('#send-deletion').click()
    await browser.waitUntil(
      page,
      "document.querySelector('#deletion-result').textContent.includes('Nothing deleted')"
    )
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(1)

    await page.locator('#settings > summary').click()
    await page.locator('#setting-on_delete_request').fill('user')
    await page.locator('#send-deletion').click()
    await browser.waitUntil(
      page,
      "document.querySelector('#deletion-result').textContent.includes('Deleted')"
    )
    expect(await text('#deletion-result')).toMatch(
      /Deleted \(or already gone\): users record [0-9a-f-]{36}\. Scope: user\./
    )
    expect(recordsOf(ctx.emulator, 'users')).toHaveLength(0)
    expect(recordsOf(ctx.emulator, 'people')).toHaveLength(1)
    expect(await browser.audit(page)).toEqual([])
  })

  it('offers Sync List Entry with its list picker and audience samples, and shows the list entries in the result', async () => {
    await page.locator('#action-select').selectOption('action:syncListEntry')
    // Its sample is the Audience Entered event.
    expect(await page.locator('[data-sample="audience-entered"]').getAttribute('aria-pressed')).toBe('true')
    expect(await page.locator('#event-json').inputValue()).toContain('"event": "Audience Entered"')
    await browser.choicesLoaded(page, 'list')
    expect(await page.locator('#field-list option').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('Onboarding')])
    )
    await page.locator('#field-list').selectOption('onboarding')
    await send()
    expect(await text('#results-body .banner.ok')).toContain('Delivered to Attio')
    expect(entries('onboarding')).toHaveLength(1)
    const section = page.locator('#list-entries')
    expect(await section.textContent()).toContain('onboarding')
    expect(await section.textContent()).toContain("This event's entry was added")
    expect(await section.locator('tbody tr').count()).toBe(1)
    expect(await section.locator('tbody tr[aria-current="true"]').count()).toBe(1)
    expect(await browser.audit(page)).toEqual([])

    await page.locator('[data-sample="audience-exited"]').click()
    expect(await page.locator('#event-json').inputValue()).toContain('"event": "Audience Exited"')
    await send()
    await browser.waitUntil(
      page,
      `(document.querySelector('#list-entries')?.textContent ?? '').includes("This event's entry was removed")`
    )
    expect(entries('onboarding')).toHaveLength(0)
    expect(await text('#list-entries')).toContain("This event's entry was removed")
    expect(await text('#list-entries')).toContain('The list has no entries.')
  })
})
