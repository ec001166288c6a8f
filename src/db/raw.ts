import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Db } from './connection.ts'
import type { Database } from './database.ts'
import { isPostgres } from './engine.ts'

/**
 * The two hottest paths (who is calling, and saving answers) run as plain prepared statements: building and
 * compiling a Kysely query costs more than SQLite takes to run these small ones, and an async Kysely
 * transaction keeps every other request waiting across its awaits. A raw section runs synchronously while
 * holding Kysely's connection lock, so it never interleaves with an open Kysely transaction on the same
 * connection (it would otherwise join that transaction, and be rolled back with it).
 */
const handles = new WeakMap<Db, SQLite.Database>()

export function attachRaw(db: Db, sqlite: SQLite.Database): void {
  handles.set(db, sqlite)
}

function handleOf(db: Db): SQLite.Database {
  const sqlite = handles.get(db)
  if (!sqlite) throw new Error('This Kysely instance was not opened by createDb')
  return sqlite
}

const longReads = new WeakSet<Db>()

/**
 * A long read (an export streaming for seconds) on its own read-only connection. Kysely holds a connection
 * for the whole of a streamed query; on the main connection that would hold every other request for as long.
 * Here the export reads one consistent snapshot while the main connection serves everyone else. An
 * in-memory database has no file to open twice: there the read uses the main connection, and raw sections
 * wait for it like for a transaction.
 */
export async function* readApart<T>(db: Db, path: string, read: (db: Db) => AsyncIterable<T>): AsyncGenerator<T> {
  // PostgreSQL: the pool gives the read a connection of its own, and a cursor streams it.
  if (isPostgres(db)) {
    yield* read(db)
    return
  }
  if (path === ':memory:') {
    longReads.add(db)
    try {
      yield* read(db)
    } finally {
      longReads.delete(db)
    }
    return
  }
  const sqlite = new SQLite(path, { readonly: true, fileMustExist: true, timeout: 5000 })
  const reader = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  try {
    yield* read(reader)
  } finally {
    await reader.destroy()
  }
}

export function withRaw<T>(db: Db, fn: (sqlite: SQLite.Database) => T): Promise<T> {
  const sqlite = handleOf(db)
  // No transaction open on the connection: a synchronous section cannot interleave with anything, so it runs
  // now rather than queueing behind Kysely's lock (a Kysely query holding the lock runs its statement in one
  // synchronous step too). Long reads that keep a cursor open across awaits use their own connection
  // (readApart), except on an in-memory database, where they are marked.
  if (!sqlite.inTransaction && !longReads.has(db)) {
    try {
      return Promise.resolve(fn(sqlite))
    } catch (err) {
      return Promise.reject(err)
    }
  }
  return db.connection().execute(async () => fn(sqlite))
}

/**
 * One write, in two steps: `check` reads and decides (and may refuse by throwing: it has written nothing),
 * then `write` carries the decision out. A throw from `write` is unexpected (a full disk, a broken
 * constraint) and fails its whole group, which is then run again one write at a time.
 */
export type WriteStep<P, T> = { check: (sqlite: SQLite.Database) => P; write: (sqlite: SQLite.Database, plan: P) => T }

type Pending = {
  step: WriteStep<unknown, unknown>
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
}
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }
const queues = new WeakMap<Db, Pending[]>()
const MAX_GROUP = 256

/**
 * A write committed together with the others that arrive in the same turn of the event loop (group
 * commit). Most of a small write's cost is the commit itself (locking, one WAL frame per page touched), and
 * concurrent saves touch the same pages. Writes run one after another inside the group's transaction, each
 * seeing the ones before it, exactly as if they had been serial. A write refused by its check changes
 * nothing and stops no other; every caller hears back only after the COMMIT, so an acknowledged write is
 * durable. If the transaction fails (a write threw, or the COMMIT did), nothing of it stays and each write
 * is run again alone, so only the failing one fails.
 */
export function groupWrite<P, T>(db: Db, step: WriteStep<P, T>): Promise<T> {
  const sqlite = handleOf(db)
  let queue = queues.get(db)
  if (!queue) {
    queue = []
    queues.set(db, queue)
  }
  return new Promise<T>((resolve, reject) => {
    const q = queue as Pending[]
    q.push({ step: step as WriteStep<unknown, unknown>, resolve: resolve as (v: unknown) => void, reject })
    if (q.length === 1) setImmediate(() => flush(db, sqlite, q))
  })
}

/** Runs writes in one IMMEDIATE transaction (the write lock first, so a read-then-write never fails half-way
 * because another process wrote in between); a refusal is an outcome, any other throw aborts them all. */
function runTogether(db: Db, sqlite: SQLite.Database, items: Pending[]): Promise<Outcome[]> {
  return withRaw(db, () =>
    sqlite
      .transaction(() => {
        const outcomes: Outcome[] = []
        for (const { step } of items) {
          let plan: unknown
          try {
            plan = step.check(sqlite)
          } catch (error) {
            outcomes.push({ ok: false, error })
            continue
          }
          outcomes.push({ ok: true, value: step.write(sqlite, plan) })
        }
        return outcomes
      })
      .immediate(),
  )
}

function belongsToOneWrite(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return !(error instanceof SQLite.SqliteError) || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'))
}

async function flush(db: Db, sqlite: SQLite.Database, queue: Pending[]): Promise<void> {
  const group = queue.splice(0, MAX_GROUP)
  if (queue.length > 0) setImmediate(() => flush(db, sqlite, queue))
  let outcomes: Outcome[]
  try {
    outcomes = await runTogether(db, sqlite, group)
  } catch (error) {
    // A busy lock, a full disk or an I/O error would fail each write again (each after its own wait):
    // the whole group hears it. A broken constraint or a throwing write belongs to one write: find it.
    if (group.length === 1 || !belongsToOneWrite(error)) {
      for (const item of group) item.reject(error)
      return
    }
    outcomes = []
    for (const item of group) {
      try {
        outcomes.push(...(await runTogether(db, sqlite, [item])))
      } catch (error) {
        outcomes.push({ ok: false, error })
      }
    }
  }
  group.forEach((item, i) => {
    const o = outcomes[i]
    if (o?.ok) item.resolve(o.value)
    else item.reject(o?.error)
  })
}
