/**
 * The routes table of a corridors question in a real browser: accessible and readable at 360 px, saved in the
 * background as rows are completed, and saved by the form's own button without the script's help.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createOrganisation } from '../../src/access/organisation.service.ts'
import { createUser } from '../../src/access/person.service.ts'
import { startSelfCheck } from '../../src/assessment/assessment.service.ts'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { routesQuestionnaire, routesYaml } from '../helpers/routes.ts'
import { PASSWORD, principal } from '../helpers/world.ts'
import { checkPage, describeBrowser, eventually, type Harness, login, startHarness, text } from './harness.ts'

const { cq } = routesQuestionnaire('employer')
const A04 = cq.entries.find((e) => e.question.profile === 'corridors')?.question.id as string
const SECTION = cq.byId.get(A04)?.section.id as string

async function seed(app: FastifyInstance) {
  const supplier = await createOrganisation(app.db, { kind: 'supplier', name: 'Siam Seafood', country: 'TH' })
  const hr = await createUser(
    app.db,
    { organisationId: supplier, email: 'hr@siam.test', name: 'HR', password: PASSWORD, role: 'respondent' },
    null,
  )
  return {
    id: await startSelfCheck(app.db, principal(hr, supplier, 'supplier', 'respondent'), { questionnaire: 'employer' }),
  }
}

const cell = (page: Page, row: number, k: string) => page.locator(`[name="a[${A04}][${row}][${k}]"]`)

describeBrowser('migration routes in the browser', () => {
  let dir: string
  let h: Harness<Awaited<ReturnType<typeof seed>>>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fairhire-routes-'))
    cpSync(DEFAULT_QUESTIONNAIRES_DIR, dir, { recursive: true })
    writeFileSync(join(dir, 'employer.yaml'), routesYaml('employer'))
    writeFileSync(join(dir, 'recruiter.yaml'), routesYaml('recruiter'))
    h = await startHarness({ seed, env: { QUESTIONNAIRES_DIR: dir } })
  }, 60_000)
  afterAll(async () => {
    await h?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a respondent fills in routes: saved in the background once a row is complete, kept after a reload', async () => {
    const page = await h.pageAs('hr@siam.test', PASSWORD)
    const url = `/assessments/${h.data.id}/sections/${SECTION}`
    await page.goto(url)
    await checkPage(page, 'routes-empty')
    // The routes are asked once the site says it employs migrant workers (A0.4's condition).
    await page.locator('[name="a[A0.3]"]').fill('400')
    await page.locator('[name="a[A0.3b]"]').fill('300')
    await page.locator('[name="a[A0.3b]"]').blur()
    await eventually(() => page.getByRole('combobox', { name: 'Route 1: home country' }).isVisible()).toBe(true)
    await cell(page, 0, 'origin').selectOption('MM')
    await cell(page, 0, 'workers').fill('240')
    await cell(page, 0, 'choice').selectOption('origin_agency')
    await cell(page, 1, 'origin').selectOption('KH')
    await cell(page, 1, 'workers').fill('60')
    await cell(page, 1, 'choice').selectOption('informal_broker')
    await eventually(() => text(page.locator('.autosave-status'))).toMatch(/^Saved automatically at /)
    await page.reload()
    expect(await cell(page, 0, 'origin').inputValue()).toBe('MM')
    expect(await cell(page, 1, 'workers').inputValue()).toBe('60')
    await checkPage(page, 'routes-filled')
  }, 60_000)

  it('without the script, the Save button saves the table and an incomplete row is named', async () => {
    const context = await h.browser.newContext({
      baseURL: h.baseUrl,
      javaScriptEnabled: false,
      viewport: { width: 1280, height: 900 },
    })
    try {
      const page = await context.newPage()
      await login(page, 'hr@siam.test', PASSWORD)
      await page.goto(`/assessments/${h.data.id}/sections/${SECTION}`)
      await cell(page, 2, 'origin').selectOption('NP')
      await cell(page, 2, 'choice').selectOption('direct')
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save', exact: true }).click()])
      expect(await text(page.locator(`[id="err-${A04}"]`))).toBe('Route 3: enter the number of workers.')
      expect(await cell(page, 2, 'origin').inputValue()).toBe('NP')
      await cell(page, 2, 'workers').fill('35')
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save', exact: true }).click()])
      expect(await text(page.getByRole('status').first())).toBe('Saved.')
      expect(await cell(page, 2, 'workers').inputValue()).toBe('35')
    } finally {
      await context.close()
    }
  }, 60_000)
})
