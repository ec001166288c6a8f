import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createOrganisation } from '../../src/access/organisation.service.ts'
import { buildApp } from '../../src/app.ts'
import { DEMO_PASSWORD } from '../../src/demo/seed.ts'
import type { ScoreResult } from '../../src/scoring/result.schema.ts'
import { summarise, summaryColumns } from '../../src/scoring/score-summary.ts'
import { freshEnv } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { spawnTs } from '../helpers/process.ts'
import { submittedWorld } from '../helpers/seed.ts'
import { PASSWORD } from '../helpers/world.ts'
import { unzipParts } from '../helpers/zip.ts'

const csvOf = (zip: Buffer, name: string) =>
  unzipParts(zip)
    .find((p) => p.name === name)
    ?.data.toString('utf8') ?? ''

describe('portfolio downloads and the generated demo', () => {
  it('downloads the lists as CSV files in a zip, over HTTP and from the command line', async () => {
    const env = freshEnv()
    try {
      const app = await buildApp(env.config, { logger: false })
      const w = await submittedWorld(app)
      const brand = new Client(app)
      await brand.login(w.users.analystA, PASSWORD)
      const res = await brand.get('/portfolio.zip')
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('application/zip')
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="portfolio-\d{4}-\d{2}-\d{2}\.zip"$/)
      const names = unzipParts(res.rawPayload).map((p) => p.name)
      expect(names).toEqual(['suppliers.csv', 'heat-map.csv', 'red-flags.csv', 'gaps.csv'])
      const suppliers = csvOf(res.rawPayload, 'suppliers.csv')
      expect(suppliers.startsWith('\ufeffInternal code,Supplier,')).toBe(true)
      expect(suppliers).toContain('A-1,Supplier A,Thailand')
      expect(suppliers).not.toContain('Supplier B')
      const gaps = csvOf(res.rawPayload, 'gaps.csv').split('\r\n').filter(Boolean)
      expect(gaps.length).toBeGreaterThan(5)
      expect(gaps.slice(1).every((line) => line.startsWith('A-1,Supplier A,'))).toBe(true)
      // Only a brand has a portfolio.
      const supplier = new Client(app)
      await supplier.login(w.users.respA, PASSWORD)
      expect((await supplier.get('/portfolio.zip', { accept: 'application/json' })).statusCode).toBe(403)
      await app.close()

      const run = async (args: string[]) => {
        const p = spawnTs('src/cli.ts', args, env.vars)
        return { code: await p.exit, out: p.stdout(), err: p.stderr() }
      }
      const file = join(env.dir, 'portfolio.zip')
      const cli = await run(['export', 'portfolio', '--brand', String(w.brandA), '--format', 'csv-zip', '--out', file])
      expect(cli.code, cli.err).toBe(0)
      expect(cli.out).toContain(`wrote ${file}`)
      const fromCli = readFileSync(file)
      for (const name of ['suppliers.csv', 'gaps.csv'])
        expect(csvOf(fromCli, name).split('\r\n').length).toBe(csvOf(res.rawPayload, name).split('\r\n').length)
      const bad = await run(['export', 'portfolio', '--brand', String(w.brandA), '--format', 'pdf', '--out', file])
      expect(bad.code).toBe(2)
      expect(bad.err).toContain('--format must be xlsx')
    } finally {
      env.cleanup()
    }
  }, 120_000)

  it('fairhire demo seed --suppliers N fills the brand’s list up to N, every score with its summary', async () => {
    const env = freshEnv()
    try {
      const run = async (args: string[]) => {
        const p = spawnTs('src/cli.ts', args, env.vars)
        return { code: await p.exit, out: p.stdout(), err: p.stderr() }
      }
      const tooFew = await run(['demo', 'seed', '--suppliers', '5'])
      expect(tooFew.code).toBe(2)
      expect(tooFew.err).toContain('--suppliers must be a whole number from 14')
      expect((await run(['demo', 'seed', '--suppliers', 'many'])).code).toBe(2)

      const seeded = await run(['demo', 'seed', '--suppliers', '75'])
      expect(seeded.code, seeded.err).toBe(0)
      expect(seeded.out).toMatch(/^demo ready: 75 suppliers and recruiters, \d+ assessments\./)
      // Not a terminal: no progress line.
      expect(seeded.err).toBe('')

      const app = await buildApp(env.config, { logger: false })
      try {
        const db = app.db
        const analyst = new Client(app)
        await analyst.login('analyst@northwind.example', DEMO_PASSWORD)
        const page = await analyst.get('/portfolio')
        expect(page.body).toContain('75 of 75 suppliers and recruiters')
        expect(page.body).toContain('href="/portfolio?sort=rating&amp;page=2"')
        // The demo's own people still sign in, and its own suppliers are there.
        expect((await analyst.get('/portfolio?country=TH')).body).toContain('Siam Seafood Processing')

        const states = new Set((await db.selectFrom('assessment').select('status').execute()).map((a) => a.status))
        expect([...states].sort()).toEqual(['declined', 'draft', 'returned', 'reviewed', 'submitted'])
        const snaps = await db.selectFrom('score_snapshot').selectAll().orderBy('id').execute()
        const summaries = await db.selectFrom('score_summary').selectAll().orderBy('snapshot_id').execute()
        expect(summaries.map((s) => s.snapshot_id)).toEqual(snaps.map((s) => s.id))
        snaps.forEach((snap, i) => {
          expect(summaries[i]).toEqual({
            snapshot_id: snap.id,
            assessment_id: snap.assessment_id,
            reviewer_organisation_id: snap.reviewer_organisation_id,
            ...summaryColumns(summarise(JSON.parse(snap.result) as ScoreResult)),
          })
        })
        // Each grant points at the latest snapshot its brand sees, and names the assessment's organisation.
        const grants = await db
          .selectFrom('assessment_access as g')
          .innerJoin('assessment as a', 'a.id', 'g.assessment_id')
          .select([
            'g.assessment_id',
            'g.organisation_id',
            'g.supplier_id',
            'g.latest_snapshot_id',
            'a.organisation_id as owner',
          ])
          .execute()
        expect(grants.length).toBeGreaterThan(50)
        for (const g of grants) {
          expect(g.supplier_id).toBe(g.owner)
          const visible = snaps.filter(
            (s) =>
              s.assessment_id === g.assessment_id &&
              (s.reviewer_organisation_id === null || s.reviewer_organisation_id === g.organisation_id),
          )
          expect(g.latest_snapshot_id).toBe(visible.at(-1)?.id ?? null)
        }
        const actions = await db
          .selectFrom('action_item')
          .select(({ fn }) => fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
        expect(Number(actions.n)).toBeGreaterThan(100)
        // Ids were chosen by the seed: the database still numbers new rows after them.
        const org = await createOrganisation(db, { kind: 'supplier', name: 'After the seed' })
        expect(org).toBeGreaterThan(75)
      } finally {
        await app.close()
      }
    } finally {
      env.cleanup()
    }
  }, 180_000)
})
