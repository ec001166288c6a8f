import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { migrations } from '../../migrations/index.ts'
import { createDb, type Db } from '../../src/db/connection.ts'
import { migrateDown, migrateToLatest, pendingMigrations } from '../../src/db/migrator.ts'

async function tables(db: Db): Promise<string[]> {
  const r = await sql<{
    name: string
  }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(
    db,
  )
  return r.rows.map((x) => x.name)
}

describe('migrations', () => {
  let dir: string
  let db: Db
  afterEach(async () => {
    await db.destroy()
    rmSync(dir, { recursive: true, force: true })
  })

  it('run up from an empty database, are a no-op the second time, and round-trip down and up', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fairhire-mig-'))
    db = createDb(join(dir, 'm.db')).db
    const names = Object.keys(migrations).sort()

    expect(await tables(db)).toEqual([])
    expect(await migrateToLatest(db)).toEqual(names)
    const schema = await tables(db)
    expect(schema.length).toBeGreaterThan(0)
    expect(await pendingMigrations(db)).toEqual([])

    expect(await migrateToLatest(db)).toEqual([])

    for (let i = names.length - 1; i >= 0; i--) {
      expect(await migrateDown(db)).toEqual([names[i]])
    }
    expect(await tables(db)).toEqual([])
    expect(await pendingMigrations(db)).toEqual(names)

    expect(await migrateToLatest(db)).toEqual(names)
    expect(await tables(db)).toEqual(schema)
  })

  it('have date-prefixed names in order', () => {
    const names = Object.keys(migrations)
    for (const n of names) expect(n).toMatch(/^\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+$/)
    expect([...names].sort()).toEqual(names)
  })
})
