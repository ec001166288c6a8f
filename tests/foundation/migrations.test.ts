import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { migrations } from '../../migrations/index.ts'
import { createDb, type Db, openDatabase } from '../../src/db/connection.ts'
import { migrateDown, migrateToLatest, pendingMigrations } from '../../src/db/migrator.ts'
import { tableNames } from '../helpers/db-state.ts'
import { createEmptyPostgres, onPostgres } from '../helpers/engine.ts'

async function tables(db: Db): Promise<string[]> {
  return (await tableNames(db)).filter((n) => !n.startsWith('kysely_'))
}

describe('migrations', () => {
  let dir: string
  let db: Db
  let drop = () => {}
  afterEach(async () => {
    await db.destroy()
    drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('run up from an empty database, are a no-op the second time, and round-trip down and up', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fairhire-mig-'))
    if (onPostgres) {
      const empty = createEmptyPostgres()
      drop = empty.drop
      db = openDatabase({ engine: 'postgres', url: empty.url }).db
    } else db = createDb(join(dir, 'm.db')).db
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
