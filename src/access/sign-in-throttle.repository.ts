import type SQLite from 'better-sqlite3'
import type { Db } from '../db/connection.ts'
import { isPostgres } from '../db/engine.ts'
import { withRaw } from '../db/raw.ts'
import { inTransaction as inDbTransaction } from '../db/transaction.ts'

/**
 * Queries on `sign_in_throttle`, as plain prepared statements (see db/raw.ts): an attempt is counted in
 * one synchronous transaction, so that simultaneous attempts are each counted. No cache copies this table.
 */

export type ThrottleRow = { failures: number; last_attempt_at: string }

export type ThrottleStatements = {
  find(key: string): ThrottleRow | undefined
  /** Removes the rows of accounts not tried since `at`. */
  deleteQuietSince(at: string): void
  save(key: string, failures: number, at: string): void
}

const statements = new WeakMap<SQLite.Database, ThrottleStatements>()

function statementsOf(sqlite: SQLite.Database): ThrottleStatements {
  let s = statements.get(sqlite)
  if (!s) {
    s = {
      find: (key) =>
        sqlite.prepare('select failures, last_attempt_at from sign_in_throttle where account_hash = ?').get(key) as
          | ThrottleRow
          | undefined,
      deleteQuietSince: (at) => {
        sqlite.prepare('delete from sign_in_throttle where last_attempt_at < ?').run(at)
      },
      save: (key, failures, at) => {
        sqlite
          .prepare(
            `insert into sign_in_throttle (account_hash, failures, last_attempt_at) values (?, ?, ?)
             on conflict (account_hash) do update set failures = excluded.failures, last_attempt_at = excluded.last_attempt_at`,
          )
          .run(key, failures, at)
      },
    }
    statements.set(sqlite, s)
  }
  return s
}

/**
 * Runs `fn` on the attempts of account `key` in one transaction; a throw changes nothing. On SQLite, one
 * IMMEDIATE transaction on the raw connection. On PostgreSQL, a serializable transaction (run again when
 * two attempts collide, so each is counted): the row is read first, `fn` decides, its writes follow.
 */
export async function inTransaction<T>(db: Db, key: string, fn: (s: ThrottleStatements) => T): Promise<T> {
  if (!isPostgres(db)) return withRaw(db, (sqlite) => sqlite.transaction(() => fn(statementsOf(sqlite))).immediate())
  return inDbTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('sign_in_throttle')
      .select(['failures', 'last_attempt_at'])
      .where('account_hash', '=', key)
      .executeTakeFirst()
    const writes: (() => Promise<unknown>)[] = []
    const result = fn({
      find: (k) => (k === key ? row : undefined),
      deleteQuietSince: (at) =>
        writes.push(() => trx.deleteFrom('sign_in_throttle').where('last_attempt_at', '<', at).execute()),
      save: (k, failures, at) =>
        writes.push(() =>
          trx
            .insertInto('sign_in_throttle')
            .values({ account_hash: k, failures, last_attempt_at: at })
            .onConflict((oc) => oc.column('account_hash').doUpdateSet({ failures, last_attempt_at: at }))
            .execute(),
        ),
    })
    for (const w of writes) await w()
    return result
  })
}

export async function clear(db: Db, key: string): Promise<void> {
  if (isPostgres(db)) {
    await db.deleteFrom('sign_in_throttle').where('account_hash', '=', key).execute()
    return
  }
  return withRaw(db, (sqlite) => {
    sqlite.prepare('delete from sign_in_throttle where account_hash = ?').run(key)
  })
}
