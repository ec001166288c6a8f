import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { submittedWorld } from '../helpers/seed.ts'
import { PASSWORD } from '../helpers/world.ts'
import {
  checkA11y,
  checkPage,
  describeBrowser,
  eventually,
  expectKeyboardReachesNav,
  expectNoPageErrors,
  type Harness,
  isFocused,
  launchBrowser,
  login,
  logout,
  path,
  screenshot,
  startHarness,
  text,
} from './harness.ts'

type World = Awaited<ReturnType<typeof submittedWorld>>

const heading = (page: Page) => page.getByRole('heading', { level: 1 })
const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })
const inViewport = async (l: Locator) => {
  const box = await l.boundingBox()
  const view = l.page().viewportSize()
  return !!box && !!view && box.y >= 0 && box.y < view.height
}

describeBrowser('pages in a real browser', () => {
  let browser: Browser
  let h: Harness<World>

  beforeAll(async () => {
    browser = await launchBrowser()
    h = await startHarness({ seed: submittedWorld, browser })
  }, 60_000)

  afterAll(async () => {
    await h?.close()
    await browser?.close()
  })

  it('start page: the skip link comes first and moves focus to the content', async () => {
    const page = await h.newPage()
    await page.goto('/')
    await eventually(() => text(heading(page))).toBe('Responsible recruitment due diligence')
    const stops = await expectKeyboardReachesNav(page)
    expect(stops[0]?.text).toBe('Skip to content')
    await screenshot(page, 'home-keyboard-focus', { fullPage: false })
    await page.keyboard.press('Shift+Tab') // back through the links to the skip link
    for (let i = 1; i < stops.length - 1; i++) await page.keyboard.press('Shift+Tab')
    expect(await isFocused(page.getByRole('link', { name: 'Skip to content' }))).toBe(true)
    await page.keyboard.press('Enter')
    await eventually(() => isFocused(page.locator('main'))).toBe(true)
    await checkPage(page, 'home')
  })

  it('questionnaires: the list and the employer questionnaire with its sections and guidance', async () => {
    const page = await h.newPage()
    await page.goto('/questionnaires')
    expect(await text(heading(page))).toBe('Questionnaires')
    await checkPage(page, 'questionnaires')

    await page.getByRole('link', { name: /^Employer self-assessment/ }).click()
    await page.waitForURL(/\/questionnaires\/employer$/)
    const sections = page.getByRole('navigation', { name: 'Sections' }).getByRole('link')
    expect(await sections.count()).toBeGreaterThan(5)
    // A section link leads to its section.
    const second = sections.nth(1)
    const target = (await second.getAttribute('href')) ?? ''
    await second.click()
    await page.waitForURL(new RegExp(`${target}$`))
    await eventually(() => inViewport(page.locator(target).getByRole('heading', { level: 2 }))).toBe(true)

    // The guidance behind each question opens and closes with the keyboard.
    const details = page.locator('article.question details').filter({ hasText: 'Sources:' }).first()
    const summary = details.locator('summary')
    expect(await details.getByText('Sources:').isVisible()).toBe(false)
    await summary.focus()
    await page.keyboard.press('Enter')
    await eventually(() => details.getAttribute('open')).toBe('')
    expect(await details.getByText('Sources:').isVisible()).toBe(true)
    await page.keyboard.press('Space')
    await eventually(() => details.getAttribute('open')).toBeNull()
    await page.keyboard.press('Enter')
    await eventually(() => details.getAttribute('open')).toBe('')
    await page.evaluate('document.activeElement.blur()')
    await details.locator('xpath=..').evaluate((question) => question.scrollIntoView())
    await screenshot(page, 'questionnaire-guidance-open', { fullPage: false })
    await page.goto('/questionnaires/employer')
    await checkPage(page, 'questionnaire-employer', { fullPage: false })
  }, 60_000)

  it('first run: the set-up page creates the organisation and its administrator, then signs them in', async () => {
    const empty = await startHarness({ browser })
    try {
      const page = await empty.newPage()
      await page.goto('/login')
      expect(path(page)).toBe('/setup')
      expect(await text(heading(page))).toBe('Set up Fairhire')
      await checkPage(page, 'setup')

      await page.getByLabel('Organisation name').fill('Harbour Garments')
      await page.getByLabel('Your organisation is').selectOption('supplier')
      await page.getByLabel('Your name').fill('Mai Tran')
      await page.getByLabel('Email address').fill('mai@harbour.test')
      await page.getByLabel('Password').fill('short')
      // The browser's own validation stops a too-short password; the server's message is checked without it.
      await page.locator('form.form').evaluate((form) => form.setAttribute('novalidate', ''))
      await page.getByRole('button', { name: 'Create' }).click()
      await page.getByRole('alert').waitFor()
      expect(await page.getByLabel('Organisation name').inputValue()).toBe('Harbour Garments')
      expect(await page.getByLabel('Your organisation is').inputValue()).toBe('supplier')
      await checkA11y(page, 'setup-error')

      await page.getByLabel('Password').fill(PASSWORD)
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/assessments'),
        page.getByRole('button', { name: 'Create' }).click(),
      ])
      expect(await text(page.locator('.whoami'))).toContain('Mai Tran · Harbour Garments (admin)')
      expect(await mainNav(page).getByRole('link', { name: 'People' }).isVisible()).toBe(true)
      // Set-up happens once.
      await page.goto('/setup')
      expect(path(page)).toBe('/login')
      expectNoPageErrors(page)
    } finally {
      await empty.close()
    }
  })

  it('sign in and sign out', async () => {
    const page = await h.newPage()
    await page.goto('/assessments')
    expect(path(page)).toBe('/login?next=%2Fassessments')
    expect(await text(heading(page))).toBe('Sign in')
    await checkPage(page, 'login')

    await page.getByLabel('Email address').fill(h.data.users.respA)
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await eventually(() => text(page.getByRole('alert'))).toBe('The email address or password is not right.')
    expect(await page.getByLabel('Email address').inputValue()).toBe(h.data.users.respA)
    await checkA11y(page, 'login-error')

    await login(page, h.data.users.respA, PASSWORD)
    expect(await text(page.locator('.whoami'))).toContain('HR A · Supplier A (respondent)')
    await logout(page)
    expect(await page.locator('.whoami').count()).toBe(0)
    await page.goto('/assessments')
    expect(path(page)).toBe('/login?next=%2Fassessments')
    expectNoPageErrors(page)
  })

  it('assessments inbox of a supplier: requested and own, with status, and a self-check to start', async () => {
    const page = await h.pageAs(h.data.users.respA, PASSWORD)
    await page.goto('/assessments')
    const rows = page.locator('main table tbody tr')
    expect(await rows.count()).toBe(2)
    expect(
      await text(
        rows.filter({ has: page.locator(`a[href="/assessments/${h.data.assessments.requested}"]`) }).locator('.status'),
      ),
    ).toBe('submitted')
    expect(await text(rows.filter({ hasText: 'self-check' }).locator('.status'))).toBe('draft')
    // The self-check form sits behind a disclosure that opens with the keyboard.
    const summary = page.locator('main details > summary')
    await summary.focus()
    await page.keyboard.press('Enter')
    await page.getByLabel('Questionnaire').waitFor()
    await checkPage(page, 'assessments-supplier')
  })

  it('assessments inbox of a brand', async () => {
    const page = await h.pageAs(h.data.users.analystA, PASSWORD)
    await page.goto('/assessments')
    expect(await page.locator('main table tbody tr').count()).toBe(1)
    expect(await page.getByRole('link', { name: 'Request an assessment from a supplier' }).isVisible()).toBe(true)
    expect(await mainNav(page).getByRole('link', { name: 'Suppliers' }).isVisible()).toBe(true)
    await checkPage(page, 'assessments-brand')
  })

  it('assessment overview: scores with a rating in words, who can see it', async () => {
    const page = await h.pageAs(h.data.users.analystA, PASSWORD)
    await page.goto('/assessments')
    await page.locator('main table tbody tr a').first().click()
    await page.waitForURL(new RegExp(`/assessments/${h.data.assessments.requested}$`))
    expect(await text(page.locator('dl.meta .status'))).toBe('submitted')
    const rating = page.locator('main table .rating').first()
    expect(await text(rating)).toMatch(/^(low|medium|high|critical)$/)
    await checkPage(page, 'assessment-overview')

    // The respondent's own view of a draft self-check.
    const own = await h.pageAs(h.data.users.respA, PASSWORD)
    await own.goto(`/assessments/${h.data.assessments.selfA}`)
    expect(await text(own.locator('dl.meta .status'))).toBe('draft')
    await checkPage(own, 'assessment-overview-draft')
  })

  it('invitations: a link is created, then opened in a fresh browser and accepted', async () => {
    const page = await h.pageAs(h.data.users.analystA, PASSWORD)
    await page.goto('/invitations')
    await checkPage(page, 'invitations')
    await page.getByLabel('Email address of the person to invite').fill('hr@river-foods.test')
    await page.getByLabel('They will join').selectOption('supplier')
    await page.getByLabel('Name of the supplier or recruiter').fill('River Foods')
    await page.getByRole('button', { name: 'Create invitation link' }).click()
    const notice = page.getByRole('status')
    expect(await text(notice)).toContain('hr@river-foods.test')
    const link = (await notice.locator('.secret').textContent())?.trim() ?? ''
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invite\/[A-Za-z0-9_-]{43}$/)
    expect(await text(page.locator('main table tbody tr').filter({ hasText: 'hr@river-foods.test' }))).toContain(
      'open until',
    )
    await checkPage(page, 'invitations-created')

    const invitee = await h.newPage()
    await invitee.goto(link)
    expect(await text(invitee.locator('.lead'))).toContain('Brand A invites hr@river-foods.test')
    expect(await invitee.getByLabel('Organisation name').inputValue()).toBe('River Foods')
    await checkPage(invitee, 'invite')
    await invitee.getByLabel('Your name').fill('Ravi Kumar')
    await invitee.getByLabel('Choose a password').fill(PASSWORD)
    await Promise.all([
      invitee.waitForURL((url) => url.pathname === '/assessments'),
      invitee.getByRole('button', { name: 'Create my account' }).click(),
    ])
    expect(await text(invitee.locator('.whoami'))).toContain('Ravi Kumar · River Foods (admin)')
    expectNoPageErrors(invitee)

    // The link works once; the brand now lists the new supplier.
    const again = await h.newPage()
    await again.goto(link)
    await again.getByRole('alert').waitFor()
    await checkA11y(again, 'invite-used')
    await page.goto('/suppliers')
    expect(await text(page.locator('main table tbody'))).toContain('River Foods')
    await checkPage(page, 'suppliers')
  })

  it('people and API tokens of an administrator', async () => {
    const page = await h.pageAs(h.data.users.adminA, PASSWORD)
    await page.goto('/people')
    expect(await text(heading(page))).toBe('People in Brand A')
    expect(await page.locator('main table tbody tr').count()).toBe(2)
    expect(await page.getByLabel('Role of Analyst A').inputValue()).toBe('analyst')
    await checkPage(page, 'people')

    await page.goto('/tokens')
    expect(await page.locator('main table tbody tr').count()).toBe(1)
    await page.getByLabel('Name').fill('ERP export')
    await page.getByLabel('Access').selectOption('viewer')
    await page.getByRole('button', { name: 'Create token' }).click()
    expect(await text(page.getByRole('status').locator('.secret'))).toMatch(/^fh_/)
    expect(await page.locator('main table tbody tr').count()).toBe(2)
    await checkPage(page, 'tokens')
  })

  it('the other signed-in pages: request form, audit log, password change', async () => {
    const analyst = await h.pageAs(h.data.users.analystA, PASSWORD)
    await analyst.goto('/requests/new')
    await analyst.getByLabel('From').waitFor()
    await checkPage(analyst, 'request-new')

    const admin = await h.pageAs(h.data.users.adminA, PASSWORD)
    await admin.goto('/audit')
    expect(await text(heading(admin))).toBe('Audit log')
    await checkPage(admin, 'audit')
    await admin.goto('/account/password')
    await admin.getByLabel('Current password').waitFor()
    await checkPage(admin, 'account-password')
  })
})
