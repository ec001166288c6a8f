import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { readApart } from '../../src/db/raw.ts'
import { portfolioStream } from '../../src/portfolio/portfolio.service.ts'
import { Client } from '../helpers/client.ts'
import { onPostgres } from '../helpers/engine.ts'
import { buildWorld, PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

/**
 * A brand's portfolio export streams for as long as it has suppliers (seconds for thousands). Meanwhile
 * everyone else must be served: the export reads on its own connection, from one snapshot.
 */
describe('a long export beside other work', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  it('does not hold up saves and pages while it is half-read, and reads one snapshot', async () => {
    const stream = readApart(t.app.db, t.env.config.databasePath, (db) => portfolioStream(db, w.principals.analystA))
    const first = await stream.next()
    expect(first.done).toBe(false)

    const c = new Client(t.app)
    await c.login(w.users.respA, PASSWORD)
    const stalled = (what: string) =>
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} waited for the export`)), 10_000))
    const save = await Promise.race([
      c.api('PUT', `/api/v1/assessments/${w.assessments.requested}/answers`, { answers: { 'A0.1b': 'Mae Sot' } }),
      stalled('a save'),
    ])
    expect(save.statusCode, save.body).toBe(200)
    const page = await Promise.race([c.get(`/assessments/${w.assessments.requested}/sections/A0`), stalled('a page')])
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Mae Sot')

    // A supplier linked after the export began is not in it: the export is one snapshot.
    const late = await t.app.db
      .insertInto('organisation')
      .values({ kind: 'supplier', name: 'Late Supplier', created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow()
    await t.app.db
      .insertInto('brand_supplier')
      .values({
        brand_id: w.brandA,
        supplier_id: late.id,
        internal_code: null,
        tier: 1,
        created_at: new Date().toISOString(),
      })
      .execute()
    const names = [first.value?.supplier.name]
    for await (const e of stream) names.push(e.supplier.name)
    expect(names.length).toBeGreaterThan(0)
    expect(names).not.toContain('Late Supplier')
  })

  // An in-memory database is SQLite's alone.
  it.skipIf(onPostgres)(
    'on an in-memory database (no file to open twice) a save waits for the half-read export instead of failing',
    async () => {
      const mem = await buildApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_PATH: ':memory:' }), {
        logger: false,
      })
      try {
        const mw = await buildWorld(mem)
        // More suppliers than one chunk of the export (100 rows), so its snapshot stays open between reads.
        const at = new Date().toISOString()
        for (let i = 0; i < 250; i++) {
          const org = await mem.db
            .insertInto('organisation')
            .values({ kind: 'supplier', name: `Supplier ${String(i).padStart(3, '0')}`, created_at: at })
            .returning('id')
            .executeTakeFirstOrThrow()
          await mem.db
            .insertInto('brand_supplier')
            .values({ brand_id: mw.brandA, supplier_id: org.id, internal_code: null, tier: 2, created_at: at })
            .execute()
        }
        const c = new Client(mem)
        await c.login(mw.users.respA, PASSWORD)
        const url = `/api/v1/assessments/${mw.assessments.requested}/answers`
        // A first save warms every cache, so the next one needs no Kysely query, only the raw connection.
        expect((await c.api('PUT', url, { answers: { 'A0.1b': 'Songkhla' } })).statusCode).toBe(200)
        // One connection: while the export holds it, everything else waits for it (but does not fail).
        const stream = readApart(mem.db, ':memory:', (db) => portfolioStream(db, mw.principals.analystA))
        expect((await stream.next()).done).toBe(false)
        const pending = c.api('PUT', url, { answers: { 'A0.1b': 'Hat Yai' } })
        // Let the save run as far as it can while the export's cursor is open.
        await new Promise((r) => setTimeout(r, 100))
        for await (const _ of stream) {
          // read to the end
        }
        const save = await pending
        expect(save.statusCode, save.body).toBe(200)
        const portfolio = new Client(mem)
        await portfolio.login(mw.users.analystA, PASSWORD)
        // 251 suppliers are six pages; Supplier A is the one in Thailand.
        const page = await portfolio.get('/portfolio?country=TH')
        expect(page.statusCode).toBe(200)
        expect(page.body).toContain('Supplier A')
        expect(page.body).toContain('1 of 251 suppliers and recruiters')
      } finally {
        await mem.close()
      }
    },
  )
})
