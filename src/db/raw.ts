import type SQLite from 'better-sqlite3'
import type { Db } from './connection.ts'

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

export function withRaw<T>(db: Db, fn: (sqlite: SQLite.Database) => T): Promise<T> {
  const sqlite = handleOf(db)
  // No transaction open on the connection: a synchronous section cannot interleave with anything, so it runs
  // now rather than queueing behind Kysely's lock (a Kysely query holding the lock runs its statement in one
  // synchronous step too). Long reads that keep a cursor open across awaits use their own connection
  // (exports, see createDb's reader).
  if (!sqlite.inTransaction) {
    try {
      return Promise.resolve(fn(sqlite))
    } catch (err) {
      return Promise.reject(err)
    }
  }
  return db.connection().execute(async () => fn(sqlite))
}

/** Several reads in one read transaction: one consistent snapshot, and one lock taken instead of one per query. */
export function readSnapshot<T>(db: Db, fn: (sqlite: SQLite.Database) => T): Promise<T> {
  return withRaw(db, (sqlite) => sqlite.transaction(() => fn(sqlite)).deferred())
}

type Pending = { fn: (sqlite: SQLite.Database) => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }
const queues = new WeakMap<Db, Pending[]>()
const MAX_GROUP = 256

/**
 * A write transaction, committed together with the others that arrive in the same turn of the event loop
 * (group commit). Most of a small write's cost is the commit itself (locking, one WAL frame per page
 * touched), and concurrent saves touch the same pages. Each write runs in its own savepoint, so one that
 * throws is rolled back alone and the others still commit; every caller hears back only after the COMMIT,
 * so an acknowledged write is durable. Writes run one after another, exactly as if they had been serial.
 */
export function groupWrite<T>(db: Db, fn: (sqlite: SQLite.Database) => T): Promise<T> {
  const sqlite = handleOf(db)
  let queue = queues.get(db)
  if (!queue) {
    queue = []
    queues.set(db, queue)
  }
  return new Promise<T>((resolve, reject) => {
    const q = queue as Pending[]
    q.push({ fn, resolve: resolve as (v: unknown) => void, reject })
    if (q.length === 1) setImmediate(() => flush(db, sqlite, q))
  })
}

// better-sqlite3 builds a new wrapper for every transaction() call; one per connection serves every write.
const savepoints = new WeakMap<SQLite.Database, (fn: (sqlite: SQLite.Database) => unknown) => unknown>()
function inSavepoint(sqlite: SQLite.Database) {
  let run = savepoints.get(sqlite)
  if (!run) {
    // Called inside the group's transaction, a better-sqlite3 transaction function runs as a savepoint.
    run = sqlite.transaction((fn: (s: SQLite.Database) => unknown) => fn(sqlite))
    savepoints.set(sqlite, run)
  }
  return run
}

async function flush(db: Db, sqlite: SQLite.Database, queue: Pending[]): Promise<void> {
  const group = queue.splice(0, MAX_GROUP)
  if (queue.length > 0) setImmediate(() => flush(db, sqlite, queue))
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
  try {
    // IMMEDIATE takes the write lock first, so a read-then-write never fails half-way because another
    // process (the command line) wrote in between.
    await withRaw(db, () =>
      sqlite
        .transaction(() => {
          for (const item of group) {
            try {
              outcomes.push({ ok: true, value: inSavepoint(sqlite)(item.fn) })
            } catch (error) {
              outcomes.push({ ok: false, error })
            }
          }
        })
        .immediate(),
    )
  } catch (error) {
    for (const item of group) item.reject(error)
    return
  }
  group.forEach((item, i) => {
    const o = outcomes[i]
    if (o?.ok) item.resolve(o.value)
    else item.reject(o?.error)
  })
}
