import type SQLite from 'better-sqlite3'
import type { Db } from '../db/connection.ts'
import { withRaw } from '../db/raw.ts'

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

/** Runs `fn` in one IMMEDIATE transaction on the raw connection; a throw rolls it back. */
export function inTransaction<T>(db: Db, fn: (s: ThrottleStatements) => T): Promise<T> {
  return withRaw(db, (sqlite) => sqlite.transaction(() => fn(statementsOf(sqlite))).immediate())
}

export function clear(db: Db, key: string): Promise<void> {
  return withRaw(db, (sqlite) => {
    sqlite.prepare('delete from sign_in_throttle where account_hash = ?').run(key)
  })
}
