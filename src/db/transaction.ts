import type { Conn } from './database.ts'
import { isPostgres } from './engine.ts'

/**
 * Runs `fn` in one transaction, with the same meaning on both engines: as if transactions ran one after
 * another. SQLite has one writer, so they do. PostgreSQL runs them side by side: SERIALIZABLE makes it
 * refuse (40001) any transaction whose outcome would differ from some serial order, and such a transaction
 * (or a deadlock victim, 40P01) is run again from the start, a few times, before the error is let through.
 * `fn` must therefore do nothing outside the database that cannot be done twice.
 */
const RETRYABLE = new Set(['40001', '40P01'])
const ATTEMPTS = 8

export async function inTransaction<T>(
  db: Conn,
  fn: (trx: Conn) => Promise<T>,
  options: { lockedFirst?: boolean } = {},
): Promise<T> {
  if (db.isTransaction) return fn(db)
  if (!isPostgres(db)) return db.transaction().execute(fn)
  // `lockedFirst`: the transaction's first statement locks (SELECT … FOR UPDATE) a row that every writer of
  // what it reads locks too. Those writers then take turns, and READ COMMITTED (each statement sees what
  // committed before it) is enough; SERIALIZABLE would instead fail every waiter whose snapshot predates
  // the lock, and a busy assessment would spend its time retrying.
  const isolation = options.lockedFirst ? 'read committed' : 'serializable'
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().setIsolationLevel(isolation).execute(fn)
    } catch (err) {
      if (attempt >= ATTEMPTS || !isRetryable(err)) throw err
      // Jittered backoff, so the transactions that collided do not collide again.
      await new Promise((r) => setTimeout(r, Math.random() * 2 ** attempt))
    }
  }
}

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && RETRYABLE.has(code)
}

/**
 * Reads through `read` from one snapshot of the database, however long the caller takes to consume it (an
 * export read in chunks). PostgreSQL: a read-only REPEATABLE READ transaction. SQLite: a deferred
 * transaction, whose snapshot is taken at its first read (in WAL mode writers go on meanwhile; on the main
 * connection of an in-memory database they wait for it, as for any open transaction). The transaction ends
 * when the generator does, also when the caller stops early.
 */
export async function* readSnapshot<T>(db: Conn, read: (trx: Conn) => AsyncIterable<T>): AsyncGenerator<T> {
  if (db.isTransaction) {
    yield* read(db)
    return
  }
  const begin = db.startTransaction()
  const trx = await (isPostgres(db)
    ? begin.setIsolationLevel('repeatable read').setAccessMode('read only')
    : begin
  ).execute()
  try {
    yield* read(trx)
  } finally {
    // Nothing was written: ending a read-only transaction either way is the same.
    await trx.rollback().execute()
  }
}
