/**
 * Browser-test harness: the app on a free loopback port over a fresh database, Debian's chromium driven by
 * playwright-core (no browser is ever downloaded), and the checks every page gets: axe-core, no horizontal
 * scrolling at 360 px, a visible keyboard focus, and screenshots at 360 px and 1280 px.
 *
 * Typical use, one browser per test file:
 *
 *   describeBrowser('pages', () => {
 *     let h: Harness
 *     beforeAll(async () => { h = await startHarness({ seed: buildWorld }) })
 *     afterAll(async () => h?.close())
 *     it('…', async () => {
 *       const page = await h.pageAs('analyst@brand-a.test', PASSWORD)
 *       await page.goto('/assessments')
 *       await checkPage(page, 'assessments-brand')
 *     })
 *   })
 *
 * The page callbacks are written as strings: the project compiles without the DOM library, and strings
 * survive the test transform unchanged.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core'
import { describe, expect } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'

/** Debian's chromium; CHROMIUM_PATH points elsewhere (another Chromium build) on a developer's machine. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM_PATH)
export const SKIP_REASON = `${CHROMIUM_PATH} is missing (install Debian's chromium: apt-get install chromium); .ci/run installs it`

/** Flags for Debian's chromium on a machine with a closed network; playwright adds --headless itself. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const RESULTS_DIR = join(ROOT, 'test-results')
export const SCREENSHOT_DIR = join(RESULTS_DIR, 'screenshots')
export const AXE_DIR = join(RESULTS_DIR, 'axe')

export const MOBILE = { width: 360, height: 780 }
export const DESKTOP = { width: 1280, height: 900 }

/** `describe` that is skipped, with the reason in its name, on a machine without chromium. */
export function describeBrowser(name: string, fn: () => void): void {
  if (!hasChromium) {
    console.warn(`browser tests "${name}" skipped: ${SKIP_REASON}`)
    describe.skip(`${name} (skipped: ${SKIP_REASON})`, fn)
    return
  }
  describe(name, fn)
}

export type Harness<T = unknown> = {
  app: FastifyInstance
  env: TestEnv
  baseUrl: string
  browser: Browser
  /** Whatever the seed function returned. */
  data: T
  /** A page in a new, signed-out browser context (its own cookies), 360 px wide. */
  newPage(): Promise<Page>
  /** A page in a new context signed in as this user; the session is made once per user and reused. */
  pageAs(email: string, password: string): Promise<Page>
  /** Closes the contexts, the browser (unless it was shared), the app, and removes the database. */
  close(): Promise<void>
}

export type HarnessOptions<T> = {
  /** Fills the fresh database before the server starts listening. */
  seed?: (app: FastifyInstance) => Promise<T>
  /** A browser to share; otherwise one is launched and closed with the harness. */
  browser?: Browser
  /** More environment variables for the app (QUESTIONNAIRES_DIR for other questionnaire files). */
  env?: Record<string, string>
}

/** Launches headless chromium; playwright gives every launch a new, empty user-data-dir and removes it on close. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 })
}

/** Starts the app on 127.0.0.1 with a free port over a fresh database, and a browser to drive it. */
export async function startHarness<T = undefined>(options: HarnessOptions<T> = {}): Promise<Harness<T>> {
  const env = freshEnv(options.env)
  const app = await buildApp(env.config, { logger: false })
  const contexts: BrowserContext[] = []
  let browser: Browser | undefined
  try {
    const data = (options.seed ? await options.seed(app) : undefined) as T
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port')
    const baseUrl = `http://127.0.0.1:${address.port}`
    browser = options.browser ?? (await launchBrowser())
    const b = browser
    const sessions = new Map<string, Awaited<ReturnType<BrowserContext['storageState']>>>()

    const newContext = async (storageState?: Awaited<ReturnType<BrowserContext['storageState']>>) => {
      const context = await b.newContext({
        baseURL: baseUrl,
        viewport: MOBILE,
        locale: 'en-GB',
        reducedMotion: 'reduce',
        ...(storageState ? { storageState } : {}),
      })
      context.setDefaultTimeout(10_000)
      contexts.push(context)
      return context
    }
    const newPage = async () => watch(await (await newContext()).newPage())

    return {
      app,
      env,
      baseUrl,
      browser: b,
      data,
      newPage,
      async pageAs(email, password) {
        const known = sessions.get(email)
        if (known) return watch(await (await newContext(known)).newPage())
        const page = await newPage()
        await login(page, email, password)
        sessions.set(email, await page.context().storageState())
        return page
      },
      async close() {
        for (const c of contexts) await c.close().catch(() => {})
        if (!options.browser) await b.close()
        await app.close()
        env.cleanup()
      },
    }
  } catch (err) {
    if (browser && !options.browser) await browser.close().catch(() => {})
    await app.close()
    env.cleanup()
    throw err
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Console errors and CSP violations

const problems = new WeakMap<Page, string[]>()

/** Records the page's script errors and console errors (a CSP violation is one), for `expectNoPageErrors`. */
export function watch(page: Page): Page {
  const list: string[] = []
  problems.set(page, list)
  page.on('pageerror', (err) => list.push(`page error: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const text = msg.text()
    // Pages answered 4xx on purpose (a refused form) log this; the favicon is not served.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return
    list.push(`console error: ${text}`)
  })
  return page
}

export function expectNoPageErrors(page: Page): void {
  expect(problems.get(page) ?? [], 'script or console errors (a Content-Security-Policy violation shows here)').toEqual(
    [],
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Waiting assertions (playwright-core has no `expect` of its own): poll until the value matches or time runs out

/** `await eventually(() => rows.count()).toBe(2)` */
export function eventually<T>(fn: () => Promise<T>, message?: string) {
  return expect.poll(fn, { timeout: 5_000, ...(message ? { message } : {}) })
}

/** The element's text with its white space collapsed, as a reader sees it. */
export async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim()
}

export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === el.ownerDocument.activeElement)
}

export function path(page: Page): string {
  const url = new URL(page.url())
  return url.pathname + url.search
}

// ---------------------------------------------------------------------------------------------------------------
// Signing in and out

/** Signs in through the sign-in form and waits for the inbox (or `expectPath`). */
export async function login(page: Page, email: string, password: string, expectPath = '/assessments'): Promise<void> {
  await page.goto('/login')
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await Promise.all([
    page.waitForURL((url) => url.pathname === expectPath),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ])
}

/** Signs out with the header's button and waits for the sign-in page. */
export async function logout(page: Page): Promise<void> {
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/login'),
    page.getByRole('button', { name: 'Sign out' }).click(),
  ])
}

// ---------------------------------------------------------------------------------------------------------------
// Accessibility

type AxeNode = { target: unknown[]; html: string; failureSummary?: string }
type AxeViolation = { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] }

const require = createRequire(import.meta.url)
let axeSource: string | undefined

/** Rules whose outcome depends on the layout, so they are checked again at the desktop width. */
export const LAYOUT_RULES = [
  'color-contrast',
  'scrollable-region-focusable',
  'target-size',
  'region',
  'landmark-one-main',
]

/**
 * Runs axe-core in the page and fails on any serious or critical violation, listing each rule with the
 * elements it found. Every finding, lesser ones included, is kept in test-results/axe/<name>.json.
 * `rules` limits the run to those rule ids.
 *
 * The page's Content-Security-Policy allows no inline script, so `addScriptTag` (an inline script) would be
 * blocked; the source is evaluated through the DevTools protocol instead, which the policy does not govern,
 * and the page keeps its real policy for everything else.
 */
export async function checkA11y(page: Page, name: string, rules?: string[]): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(axeSource)
  const options = { resultTypes: ['violations'], ...(rules ? { runOnly: { type: 'rule', values: rules } } : {}) }
  const violations = await page.evaluate<AxeViolation[]>(
    `window.axe.run(document, ${JSON.stringify(options)}).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    })))`,
  )
  mkdirSync(AXE_DIR, { recursive: true })
  const file = join(AXE_DIR, `${name}.json`)
  if (violations.length) writeFileSync(file, JSON.stringify({ url: page.url(), violations }, null, 2))
  else rmSync(file, { force: true })
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  if (blocking.length) throw new Error(`axe on "${name}" (${page.url()}):\n${formatViolations(blocking)}`)
  return violations
}

export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 6)
        .map((n) => {
          const why = (n.failureSummary ?? '').split('\n').slice(1).join(' ').trim()
          return `    ${n.target.join(' ')}  ${n.html.slice(0, 120)}${why ? `\n      ${why}` : ''}`
        })
        .join('\n')
      const more = v.nodes.length > 6 ? `\n    … and ${v.nodes.length - 6} more` : ''
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`
    })
    .join('\n')
}

// ---------------------------------------------------------------------------------------------------------------
// Layout

/**
 * At 360 px the page body must not scroll sideways. Wide tables may scroll inside their `.table-wrap`;
 * anything else sticking out is listed.
 */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const current = page.viewportSize()
  if (current?.width !== MOBILE.width) await page.setViewportSize(MOBILE)
  const r = await page.evaluate<{ scrollWidth: number; clientWidth: number; culprits: string[] }>(`(() => {
    const root = document.documentElement
    const width = root.clientWidth
    const culprits = []
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('.table-wrap')) continue
      const box = el.getBoundingClientRect()
      if (box.width > 0 && box.right > width + 0.5) {
        const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : ''
        culprits.push(el.tagName.toLowerCase() + cls + ' (right edge ' + Math.round(box.right) + ' px)')
      }
    }
    return { scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 8) }
  })()`)
  if (current && current.width !== MOBILE.width) await page.setViewportSize(current)
  expect(
    r.scrollWidth,
    `the page scrolls sideways at ${MOBILE.width} px; wider than the screen: ${r.culprits.join(', ') || '?'}`,
  ).toBeLessThanOrEqual(r.clientWidth)
}

// ---------------------------------------------------------------------------------------------------------------
// Keyboard focus

type Focused = {
  tag: string
  text: string
  href: string | null
  inMainNav: boolean
  focusVisible: boolean
  outline: string
  outlineWidth: number
  boxShadow: string
  onScreen: boolean
}

const FOCUSED = `(() => {
  const el = document.activeElement
  if (!el || el === document.body) return null
  const s = getComputedStyle(el)
  const box = el.getBoundingClientRect()
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    href: el.getAttribute('href'),
    inMainNav: !!el.closest('nav[aria-label="Main"]'),
    focusVisible: el.matches(':focus-visible'),
    outline: s.outlineStyle,
    outlineWidth: parseFloat(s.outlineWidth) || 0,
    boxShadow: s.boxShadow,
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 && box.left < innerWidth,
  }
})()`

const showsFocus = (f: Focused) =>
  f.focusVisible && ((f.outline !== 'none' && f.outlineWidth >= 2) || f.boxShadow !== 'none')

/**
 * From the top of the page, Tab reaches the main navigation's links; every stop on the way (the skip
 * link first) is on screen and shows a focus indicator. Returns the stops, for further checks.
 */
export async function expectKeyboardReachesNav(page: Page, maxTabs = 20): Promise<Focused[]> {
  // Start from the document itself, as after a page load.
  await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()')
  const stops: Focused[] = []
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab')
    const f = await page.evaluate<Focused | null>(FOCUSED)
    if (!f) continue
    stops.push(f)
    expect(showsFocus(f), `no visible focus indicator on <${f.tag}> "${f.text}"`).toBe(true)
    expect(f.onScreen, `the focused <${f.tag}> "${f.text}" is off screen`).toBe(true)
    if (f.inMainNav && f.tag === 'a') return stops
  }
  throw new Error(
    `Tab did not reach the main navigation in ${maxTabs} presses; stops: ${stops.map((s) => s.text).join(' | ')}`,
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Screenshots

/** Writes test-results/screenshots/<name>-360.png and -1280.png (whole page unless `fullPage: false`). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const before = page.viewportSize()
  const files: string[] = []
  for (const size of [MOBILE, DESKTOP]) {
    await page.setViewportSize(size)
    const path = join(SCREENSHOT_DIR, `${name}-${size.width}.png`)
    await page.screenshot({ path, fullPage: options.fullPage ?? true, animations: 'disabled', caret: 'hide' })
    files.push(path)
  }
  if (before) await page.setViewportSize(before)
  return files
}

/**
 * Everything a page must pass: the keyboard reaches the main navigation with a visible focus, axe at 360 px
 * (all rules) and at 1280 px (the layout rules), no sideways scrolling at 360 px, screenshots at both widths,
 * and no script or CSP errors.
 */
export async function checkPage(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await page.setViewportSize(MOBILE)
  await expectKeyboardReachesNav(page)
  // Screenshots show the page as it loads, without the focus ring left by the keyboard check.
  await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()')
  await checkA11y(page, `${name}-360`)
  await expectNoHorizontalScroll(page)
  await page.setViewportSize(DESKTOP)
  await checkA11y(page, `${name}-1280`, LAYOUT_RULES)
  await page.setViewportSize(MOBILE)
  await screenshot(page, name, options)
  expectNoPageErrors(page)
}
