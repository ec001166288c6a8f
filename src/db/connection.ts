import { closeSync, openSync } from 'node:fs'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import PgCursor from 'pg-cursor'
import type { DatabaseTarget } from '../config.ts'
import type { Database } from './database.ts'
import type { Engine } from './engine.ts'
import { createPool } from './postgres.ts'
import { attachRaw } from './raw.ts'
import { WriteWatch } from './write-watch.ts'

export type Db = Kysely<Database>

/** Creates an empty file readable by this account only, unless the file is already there. */
export function createPrivate(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
}

/**
 * Opens the SQLite file with the pragmas the application relies on. Everything goes through Kysely except
 * the two hot paths in `raw.ts` (session lookup and answer save), which speak SQLite directly.
 */
export function openSqlite(path: string): SQLite.Database {
  // SQLite creates a new database 0644 (less the umask) and gives its -wal and -shm files the database's own
  // mode; created empty here at 0600 first, all three are for this account only.
  if (path !== ':memory:' && path !== '') createPrivate(path)
  // timeout: how long a writer waits for another connection's lock (CLI beside a running server) before SQLITE_BUSY.
  const sqlite = new SQLite(path, { timeout: 5000 })
  // WAL lets readers continue while one writer commits, and survives a crash without a torn page.
  sqlite.pragma('journal_mode = WAL')
  // NORMAL in WAL mode is durable against application crashes; only a power loss can drop the last commits.
  sqlite.pragma('synchronous = NORMAL')
  // Referential integrity is part of tenant isolation: no answer may point at someone else's assessment.
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // Temporary b-trees (sorting, grouping for exports) in memory rather than on disk.
  sqlite.pragma('temp_store = MEMORY')
  cacheStatements(sqlite)
  return sqlite
}

/**
 * Kysely prepares every query it runs; preparing costs more than running most of our small queries.
 * Prepared statements are kept per SQL text (a bounded map, oldest dropped first); a statement still
 * busy with a streamed read is not reused.
 */
function cacheStatements(sqlite: SQLite.Database, max = 500): void {
  const prepare = sqlite.prepare.bind(sqlite)
  const cache = new Map<string, SQLite.Statement>()
  sqlite.prepare = ((source: string) => {
    const hit = cache.get(source)
    if (hit && !hit.busy) return hit
    const stmt = prepare(source)
    if (!hit) {
      cache.set(source, stmt)
      if (cache.size > max) cache.delete(cache.keys().next().value as string)
    }
    return stmt
  }) as typeof sqlite.prepare
}

const watches = new WeakMap<Db, WriteWatch>()

/** Calls `onWrite` whenever one of `tables` is written through this Kysely instance (see WriteWatch). */
export function watchWrites(db: Db, tables: (keyof Database)[], onWrite: () => void): void {
  const watch = watches.get(db)
  if (!watch) throw new Error('This Kysely instance was not opened by createDb')
  watch.on(tables, onWrite)
}

export function createDb(path: string, options: { logSql?: boolean } = {}): { db: Db; sqlite: SQLite.Database } {
  const sqlite = openSqlite(path)
  const watch = new WriteWatch()
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: options.logSql ? ['query', 'error'] : undefined,
    plugins: [watch],
  })
  attachRaw(db, sqlite)
  watches.set(db, watch)
  return { db, sqlite }
}

/** An open database of either engine: the Kysely instance everything uses, and what it was opened on. */
export type DbHandle = {
  db: Db
  engine: Engine
  /** The raw SQLite connection (hot paths, backups); null on PostgreSQL. */
  sqlite: SQLite.Database | null
  destroy(): Promise<void>
}

/** Opens the database the configuration names. */
export function openDatabase(target: DatabaseTarget, options: { logSql?: boolean; poolMax?: number } = {}): DbHandle {
  if (target.engine === 'sqlite') {
    const { db, sqlite } = createDb(target.path, options)
    return { db, engine: 'sqlite', sqlite, destroy: () => db.destroy() }
  }
  const pool = createPool(target.url, options.poolMax)
  const watch = new WriteWatch()
  const db = new Kysely<Database>({
    // The cursor lets long reads (exports) stream rows instead of loading them all.
    dialect: new PostgresDialect({ pool, cursor: PgCursor }),
    log: options.logSql ? ['query', 'error'] : undefined,
    plugins: [watch],
  })
  watches.set(db, watch)
  return { db, engine: 'postgres', sqlite: null, destroy: () => db.destroy() }
}

/** Checks the database answers; used by /readyz. */
export async function ping(db: Db): Promise<boolean> {
  const r = await sql<{ ok: number }>`select 1 as ok`.execute(db)
  return Number(r.rows[0]?.ok) === 1
}
