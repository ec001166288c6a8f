import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Worker } from '../../src/jobs/worker.ts'
import { portfolioExportHandler } from '../../src/portfolio/portfolio-export.job.ts'
import { submittedWorld } from '../helpers/seed.ts'
import { PASSWORD } from '../helpers/world.ts'
import {
  checkPage,
  describeBrowser,
  eventually,
  type Harness,
  launchBrowser,
  path,
  startHarness,
  text,
} from './harness.ts'

type World = Awaited<ReturnType<typeof submittedWorld>>

/**
 * A portfolio spreadsheet prepared in the background, in a real browser: the button on the portfolio page, the
 * export's page following its progress by itself (export-progress.js) until the download link appears.
 */
describeBrowser('portfolio export page', () => {
  let browser: Browser
  let h: Harness<World>

  beforeAll(async () => {
    browser = await launchBrowser()
    h = await startHarness({ seed: submittedWorld, browser })
    // The export is run by hand below, so that the page is seen waiting first.
    await h.app.jobs.worker?.stop()
  }, 60_000)

  afterAll(async () => {
    await h?.close()
    await browser?.close()
  })

  it('is asked for from the portfolio, shows it waiting, then offers the download without a reload', async () => {
    const page = await h.pageAs(h.data.users.analystA, PASSWORD)
    await page.goto('/portfolio')
    await Promise.all([
      page.waitForURL((url) => /^\/portfolio\/exports\/\d+$/.test(url.pathname)),
      page.getByRole('button', { name: 'Prepare the spreadsheet in the background' }).click(),
    ])
    const status = page.getByRole('status')
    expect(await text(status)).toBe('Status: Waiting to start')
    await checkPage(page, 'portfolio-export-waiting')
    const url = path(page)
    // Marks the document: a reload would lose the mark.
    await page.evaluate('document.body.dataset.loadedOnce = "yes"')

    const config = h.app.config
    const worker = new Worker({
      db: h.app.db,
      handlers: [
        portfolioExportHandler({
          db: h.app.db,
          databasePath: config.databasePath,
          filesDir: config.exportsDir,
          retentionHours: config.exportRetentionHours,
        }),
      ],
    })
    expect(await worker.runOnce()).toMatchObject({ kind: 'portfolio-export' })
    await eventually(() => text(status), 'the status line follows the job').toBe('Status: Ready')
    const link = page.getByRole('link', { name: /^Download portfolio-\d{4}-\d{2}-\d{2}\.xlsx$/ })
    expect(await link.getAttribute('href')).toBe(`${url}/download`)
    expect(await page.evaluate('document.body.dataset.loadedOnce')).toBe('yes')
    await checkPage(page, 'portfolio-export-ready')
  })
})
