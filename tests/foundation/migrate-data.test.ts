import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { openDatabase } from '../../src/db/connection.ts'
import { Client } from '../helpers/client.ts'
import { tableDigests, tableNames } from '../helpers/db-state.ts'
import { createEmptyPostgres, onPostgres, TEST_SESSION_SECRET } from '../helpers/engine.ts'
import { spawnTs } from '../helpers/process.ts'

/**
 * Moving an SQLite installation onto PostgreSQL (docs/deploy.md), on the demo data: every row arrives with
 * its ids, new rows continue after them, and the app on PostgreSQL serves what it served on SQLite.
 * It needs a PostgreSQL server, so it runs in the PostgreSQL projects only.
 */
describe.skipIf(!onPostgres)('fairhire migrate-data', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })

  it('copies the demo installation from SQLite into an empty PostgreSQL database, row for row', {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fairhire-move-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'fairhire.db')
    copyFileSync(inject('templateDb'), file)
    const target = createEmptyPostgres()
    cleanups.push(target.drop)
    const cli = async (args: string[], env: Record<string, string>) => {
      const p = spawnTs('src/cli.ts', args, env)
      return { code: await p.exit, out: p.stdout(), err: p.stderr() }
    }
    const seeded = await cli(['demo', 'seed'], { DATABASE_PATH: file })
    expect(seeded.code, seeded.err).toBe(0)

    const moved = await cli(['migrate-data', '--from', `sqlite:${file}`, '--to', target.url], {})
    expect(moved.code, moved.err).toBe(0)
    expect(moved.out).toMatch(/copied \d+ rows in \d+ tables in \d+ ms; row counts match/)

    // Every table holds the same rows on both sides (Kysely's migration bookkeeping aside: its timestamps
    // are the target's own).
    const sqlite = openDatabase({ engine: 'sqlite', path: file })
    const pg = openDatabase({ engine: 'postgres', url: target.url })
    try {
      const names = (await tableNames(sqlite.db)).filter((n) => !n.startsWith('kysely_'))
      expect((await tableNames(pg.db)).filter((n) => !n.startsWith('kysely_'))).toEqual(names)
      const before = await tableDigests(sqlite.db, names)
      const after = await tableDigests(pg.db, names)
      for (const n of names) expect(after.get(n), n).toBe(before.get(n))
      const answers = await pg.db
        .selectFrom('answer')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
      expect(Number(answers?.n)).toBeGreaterThan(100)
    } finally {
      await sqlite.destroy()
      await pg.destroy()
    }

    // A second run finds data there and copies nothing.
    const again = await cli(['migrate-data', '--from', `sqlite:${file}`, '--to', target.url], {})
    expect(again.code).toBe(1)
    expect(again.err).toContain('the target already holds data')

    // The app on PostgreSQL: the demo analyst signs in, and new rows get new ids after the copied ones.
    const app = await buildApp(
      loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: target.url,
        SESSION_SECRET: TEST_SESSION_SECRET,
        EVIDENCE_DIR: join(dir, 'evidence'),
      }),
      { logger: false },
    )
    try {
      const c = new Client(app)
      await c.login('analyst@northwind.example', 'fairhire-demo-2026')
      const page = await c.get('/portfolio')
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('Siam Seafood')
      // Identity counters go on after the copied ids.
      const before = await app.db
        .selectFrom('organisation')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst()
      const added = await app.db
        .insertInto('organisation')
        .values({ kind: 'supplier', name: 'Added after the move', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow()
      expect(added.id).toBe(Number(before?.id) + 1)
    } finally {
      await app.close()
    }
  })

  it('refuses a wrong address or a missing file, saying what is expected', { timeout: 60_000 }, async () => {
    const missing = spawnTs(
      'src/cli.ts',
      ['migrate-data', '--from', 'sqlite:/nonexistent/x.db', '--to', 'postgres://h/db'],
      {},
    )
    expect(await missing.exit).toBe(1)
    expect(missing.stderr()).toContain('there is no database at /nonexistent/x.db')
    const wrong = spawnTs('src/cli.ts', ['migrate-data', '--from', 'sqlite:/tmp/x.db', '--to', 'mysql://h/db'], {})
    expect(await wrong.exit).toBe(2)
    expect(wrong.stderr()).toContain('--to is not a postgres:// address')
  })
})
