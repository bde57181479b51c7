/**
 * The local page in headless Chromium (Debian's `chromium`, driven by playwright-core), against the local
 * server and an in-process emulator, for the browser tests. Where Chromium is not installed the tests are
 * skipped, saying why. `audit()` runs axe-core's WCAG 2.1 A and AA rules on the page as it is.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { clearWriteMemory } from '../../../src/api'
import { LocalRunner } from '../../../src/local/runner'
import { startLocalServer, type RunningLocalServer } from '../../../src/local/server'
import { useEmulator, type EmulatorHandle } from '../../helpers/emulator'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const HAS_CHROMIUM = existsSync(CHROMIUM)
const SKIP_REASON = `${CHROMIUM} is not installed (apt-get install chromium)`

/** `describe` when Chromium is there, `describe.skip` (with the reason in the title) when it is not. */
export function describeInBrowser(title: string, body: () => void): void {
  if (!HAS_CHROMIUM) console.warn(`The browser test "${title}" is skipped: ${SKIP_REASON}.`)
  ;(HAS_CHROMIUM ? describe : describe.skip)(
    HAS_CHROMIUM ? title : `${title} (skipped: ${SKIP_REASON})`,
    body
  )
}

export interface PageHandle {
  ctx: EmulatorHandle
  page: Page
  server: RunningLocalServer
  /** Errors the page threw (each test ends by checking there are none). */
  errors: string[]
}

/** Starts the emulator, the server and a browser for a describe block; a fresh page load before each test. */
export function usePage(): PageHandle {
  const ctx = useEmulator({ rateLimits: true })
  const handle = { ctx, errors: [] as string[] } as PageHandle
  let browser: BrowserContext
  let profile: string
  beforeEach(() => clearWriteMemory())

  beforeAll(async () => {
    handle.server = await startLocalServer({
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
      acceptDownloads: true,
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
    await handle.server?.close()
    if (profile) rmSync(profile, { recursive: true, force: true })
  })

  beforeEach(async () => {
    const page = browser.pages()[0] ?? (await browser.newPage())
    handle.page = page
    handle.errors.splice(0)
    page.removeAllListeners('pageerror')
    page.on('pageerror', (error) => handle.errors.push(error.message))
    // Each test starts without what an earlier one saved in this browser.
    await page.goto(`${handle.server.url}/`)
    await page.evaluate('localStorage.clear()')
    await page.reload()
    await page.waitForSelector('body[data-ready="true"]')
  })

  afterEach(() => {
    expect(handle.errors).toEqual([])
  })
  return handle
}

/**
 * Waits until an expression is true in the page. Evaluated through the DevTools protocol, like
 * `page.evaluate`: playwright's waitForFunction with a string would `eval` in the page, which its
 * content security policy refuses.
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await page.evaluate(expression)) return
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${expression}`)
    await new Promise((resolve) => setTimeout(resolve, 40))
  }
}

/** Clicks Send and waits until the answer is rendered (the button is no longer busy). */
export async function send(page: Page): Promise<void> {
  // The banner of an earlier send is marked, so that it is not taken for this send's answer (the page
  // checks the trigger before it shows that it is sending).
  await page.evaluate(
    "document.querySelectorAll('#results-body .banner').forEach((b) => { b.dataset.stale = 'true' })"
  )
  // An input still focused fires its change when the click takes the focus, and what that changes
  // (the settings summary) may move the button between the press and the release: the click would be lost.
  await page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur()')
  await page.waitForTimeout(50)
  await page.locator('#send').click()
  await settled(page)
}

/** Waits until a send has finished and its banner is shown. */
export async function settled(page: Page): Promise<void> {
  await page.waitForSelector('#results-body .banner:not([data-stale])')
  await waitUntil(page, "document.querySelector('#send').getAttribute('aria-disabled') !== 'true'")
}

export const text = async (page: Page, selector: string): Promise<string> =>
  (await page.locator(selector).first().textContent()) ?? ''

/** Waits for a dynamic field's choices to arrive from Attio. */
export const choicesLoaded = (page: Page, path: string) =>
  waitUntil(
    page,
    `(document.querySelector('[data-note-for="${path}"]')?.textContent ?? '').includes('from Attio')`
  )

export async function addAttribute(
  page: Page,
  field: string,
  value: string,
  attribute: string
): Promise<void> {
  const editor = page.locator(`[data-field="${field}"]`)
  await editor.getByRole('button', { name: /^Add attribute/ }).click()
  await editor.locator('.kv-value').last().fill(value)
  await editor.locator('.kv-key').last().fill(attribute)
}

export async function setEvent(page: Page, event: unknown): Promise<void> {
  await page.locator('#event-json').fill(JSON.stringify(event, null, 2))
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

interface AxeViolation {
  id: string
  help: string
  nodes: Array<{ target: unknown; failureSummary?: string }>
}

/**
 * axe-core's WCAG 2.0 / 2.1 A and AA rules on the page as it is now: the violations, as text (none: []).
 * axe is evaluated through the DevTools protocol, which the page's content security policy does not apply to.
 */
export async function audit(page: Page): Promise<string[]> {
  await page.evaluate(AXE)
  const violations = (await page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((result) => result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`)) as AxeViolation[]
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} (${violation.help}) at ${JSON.stringify(node.target)}: ${node.failureSummary ?? ''}`
    )
  )
}
