import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterEach, describe, expect, it } from 'vitest'
import { sweepHandler } from '../../src/jobs/sweep.job.ts'
import { Worker } from '../../src/jobs/worker.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { jobRow, manualClock, waitFor } from '../helpers/jobs.ts'
import { submittedWorld } from '../helpers/seed.ts'
import { PASSWORD } from '../helpers/world.ts'

/**
 * The portfolio export as a background job, through HTTP as a browser and an integration use it: ask, follow,
 * download; another brand learns nothing; the file is deleted once it has expired.
 */

type ExportJson = {
  id: number
  status: string
  done: number
  total: number | null
  fraction: number | null
  fileName: string | null
  bytes: number | null
  expiresAt: string | null
  created?: boolean
  links: { self: string; download: string | null }
}

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

async function world(env: Record<string, string> = {}) {
  const t = await testApp(env)
  closers.push(() => t.close())
  const w = await submittedWorld(t.app)
  const analyst = new Client(t.app)
  await analyst.login(w.users.analystA, PASSWORD)
  await analyst.get('/portfolio')
  return { t, w, analyst }
}

const json = { accept: 'application/json' }

/** Asks for an export as a script would: JSON back, the session's CSRF token in its header. */
function askJson(c: Client) {
  return c.request({ method: 'POST', url: '/portfolio/exports', headers: { ...json, 'x-csrf-token': c.csrf } })
}

async function followToEnd(c: Client, url: string): Promise<ExportJson> {
  return waitFor(`export ${url} to finish`, async () => {
    const res = await c.get(url, json)
    expect(res.statusCode).toBe(200)
    const e = res.json() as ExportJson
    return e.status === 'queued' || e.status === 'running' ? undefined : e
  })
}

describe('portfolio export job', () => {
  it('is asked for from the portfolio page, shows its progress, and is downloaded by its brand only', async () => {
    const { t, w, analyst } = await world()
    const page = await analyst.get('/portfolio')
    expect(page.body).toContain('action="/portfolio/exports"')

    const asked = await analyst.post('/portfolio/exports', {})
    expect(asked.statusCode).toBe(303)
    const self = String(asked.headers.location)
    expect(self).toMatch(/^\/portfolio\/exports\/\d+$/)
    const id = Number(self.split('/').pop())

    const e = await followToEnd(analyst, self)
    expect(e).toMatchObject({
      id,
      status: 'done',
      done: 1,
      total: 1,
      fraction: 1,
      links: { self, download: `${self}/download` },
    })
    expect(e.fileName).toMatch(/^portfolio-\d{4}-\d{2}-\d{2}\.xlsx$/)
    const kept = new Date(e.expiresAt ?? '').getTime() - Date.now()
    expect(kept).toBeGreaterThan(23 * 3600_000)
    expect(kept).toBeLessThanOrEqual(24 * 3600_000)

    const html = await analyst.get(self, { accept: 'text/html' })
    expect(html.statusCode).toBe(200)
    expect(html.body).toContain(`href="${self}/download"`)
    const list = await analyst.get('/portfolio/exports', { accept: 'text/html' })
    expect(list.body).toContain(`href="${self}"`)

    const file = await analyst.get(`${self}/download`)
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(file.headers['content-disposition']).toBe(`attachment; filename="${e.fileName}"`)
    expect(file.rawPayload.length).toBe(e.bytes)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(file.rawPayload as unknown as ArrayBuffer)
    expect(wb.worksheets.map((s) => s.name)).toEqual(['Suppliers', 'Heat map', 'Red flags', 'Gaps'])
    const suppliers = wb.getWorksheet('Suppliers')
    expect(suppliers?.getRow(2).getCell(2).value).toBe('Supplier A')
    expect(suppliers?.rowCount).toBe(2)

    // The brand's administrator (another member of the brand) may download it too; an API token of the brand as well.
    const admin = new Client(t.app)
    await admin.login(w.users.adminA, PASSWORD)
    expect((await admin.get(`${self}/download`)).statusCode).toBe(200)
    const viaToken = await t.app.inject({
      method: 'GET',
      url: self,
      headers: { authorization: `Bearer ${w.tokenA.token}` },
    })
    expect(viaToken.statusCode).toBe(200)

    // Another brand, a supplier and an anonymous caller learn nothing about it.
    const brandB = new Client(t.app)
    await brandB.login(w.users.adminB, PASSWORD)
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    for (const c of [brandB, supplier]) {
      for (const url of [self, `${self}/download`]) {
        const res = await c.get(url, json)
        expect(res.statusCode, `${url}`).toBe(404)
        expect(res.body).not.toContain('Supplier A')
        expect(res.body).not.toContain('portfolio-')
      }
      const list = await c.get('/portfolio/exports', json)
      expect(list.statusCode).toBe(c === brandB ? 200 : 403)
      if (c === brandB) expect(list.json()).toEqual({ exports: [] })
    }
    const anonymous = await t.app.inject({ method: 'GET', url: `${self}/download`, headers: json })
    expect(anonymous.statusCode).toBe(401)
    // A made-up or huge id is "not found" too, never a server error.
    expect((await analyst.get('/portfolio/exports/999999', json)).statusCode).toBe(404)
    expect((await analyst.get('/portfolio/exports/99999999999999999999', json)).statusCode).toBe(400)
    expect((await analyst.get('/portfolio/exports/..%2F..%2Fetc/download', json)).statusCode).toBe(400)
  })

  it('is refused to a supplier, and to a form without its CSRF token', async () => {
    const { t, w, analyst } = await world()
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    const refused = await supplier.post('/portfolio/exports', {})
    expect(refused.statusCode).toBe(403)
    const forged = await analyst.post('/portfolio/exports', {}, { csrf: false })
    expect(forged.statusCode).toBe(403)
    const jobs = await t.app.db.selectFrom('job').select('id').where('kind', '=', 'portfolio-export').execute()
    expect(jobs).toEqual([])
  })

  it('gives the one already queued when asked again, and says which one over JSON', async () => {
    // No worker in this process: the first export stays queued.
    const { t, analyst } = await world({ JOBS: 'off' })
    const first = await askJson(analyst)
    expect(first.statusCode).toBe(202)
    const e = first.json() as ExportJson
    expect(e).toMatchObject({ status: 'queued', created: true, total: null, fraction: null })
    expect(first.headers.location).toBe(e.links.self)
    const again = await askJson(analyst)
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ id: e.id, created: false })
    const notReady = await analyst.get(`${e.links.self}/download`, json)
    expect(notReady.statusCode).toBe(409)
    expect(notReady.json().message).toBe('This export is not ready yet.')
    const count = await t.app.db.selectFrom('job').select('id').where('kind', '=', 'portfolio-export').execute()
    expect(count).toHaveLength(1)
  })

  it('is deleted with its file once expired, and files no job claims are swept too', async () => {
    const { t, analyst } = await world({ EXPORT_RETENTION_HOURS: '2' })
    const asked = await askJson(analyst)
    const e = await followToEnd(analyst, (asked.json() as ExportJson).links.self)
    expect(e.status).toBe('done')
    const dir = t.app.config.exportsDir
    const file = join(dir, `${e.id}.xlsx`)
    expect(existsSync(file)).toBe(true)
    const expiresAt = new Date(e.expiresAt ?? '')
    expect(expiresAt.getTime() - new Date((await jobRow(t.app.db, e.id)).finished_at ?? '').getTime()).toBe(
      2 * 3600_000,
    )
    // Left behind by a crash: an old file of a job that no longer exists, and a fresh half-written one.
    mkdirSync(dir, { recursive: true })
    const stale = join(dir, '987654.xlsx.part')
    const fresh = join(dir, '987655.xlsx')
    writeFileSync(stale, 'x')
    writeFileSync(fresh, 'x')

    const clock = manualClock(new Date(expiresAt.getTime() - 1000))
    const sweeper = new Worker({
      db: t.app.db,
      now: clock.now,
      handlers: [sweepHandler({ db: t.app.db, filesDir: dir, retentionHours: 2 })],
    })
    await t.app.jobs.worker?.stop()
    // The sweep queued at start-up has run once already; it is next due within the half-hour.
    clock.advance(30 * 60_000)
    // File ages as the sweep's clock sees them: three hours, and ten minutes.
    const ago = (ms: number) => new Date(clock.now().getTime() - ms)
    utimesSync(stale, ago(3 * 3600_000), ago(3 * 3600_000))
    utimesSync(fresh, ago(600_000), ago(600_000))
    expect(await sweeper.runOnce()).toMatchObject({ kind: 'jobs-sweep' })
    expect(existsSync(stale)).toBe(false)
    expect(existsSync(fresh)).toBe(true)
    expect(existsSync(file)).toBe(false)
    expect((await analyst.get(e.links.self, json)).statusCode).toBe(404)
    const gone = await analyst.get(`${e.links.self}/download`, json)
    expect(gone.statusCode).toBe(404)
    expect(gone.json().message).toMatch(/^Export not found\. A finished export can be downloaded for a limited time/)
    const sweep = await t.app.db.selectFrom('job').selectAll().where('kind', '=', 'jobs-sweep').execute()
    expect(sweep).toHaveLength(1)
    expect(sweep[0]).toMatchObject({ status: 'queued', attempts: 0 })
    expect(JSON.parse(sweep[0]?.result ?? '')).toEqual({ files: 2, expiredJobs: 1, oldJobs: 0 })
    // Every half-hour with a two-hour retention.
    expect(new Date(sweep[0]?.run_at ?? '').getTime()).toBe(clock.now().getTime() + 30 * 60_000)
  })
})
