import type SQLite from 'better-sqlite3'
import type { Insertable } from 'kysely'
import type { Db } from '../db/connection.ts'
import { isPostgres } from '../db/engine.ts'
import { withRaw } from '../db/raw.ts'
import type { SessionTable, UserAccountTable } from './access.table.ts'
import type { PersonRow } from './person.repository.ts'

/**
 * Queries on `session`. Sign-in, sign-out and the ends of sessions write through Kysely, so that the
 * session cache (session-cache.ts) hears of them. The check run on every signed-in request is plain
 * prepared statements instead (see db/raw.ts): it only reads, ends a session whose times cannot be trusted,
 * and moves its last use forward, none of which a cached copy needs to forget.
 */

export type SessionPersonRow = PersonRow &
  Pick<SessionTable, 'id_hash' | 'revoked_at' | 'expires_at' | 'last_seen_at'> &
  Pick<UserAccountTable, 'disabled_at'>

/** The statements of the per-request session check, run together in one synchronous section. */
export type SessionStatements = {
  /** The session with its person and organisation, in one query. */
  findWithPerson(idHash: string): SessionPersonRow | undefined
  /** Ends the session for good (unless already ended). */
  end(idHash: string, at: string): void
  /** Records a use of the session. */
  touch(idHash: string, at: string): void
}

const SESSION_PERSON = `select s.id_hash, s.revoked_at, s.expires_at, s.last_seen_at, u.id as user_id, u.name, u.email,
  u.role, u.disabled_at, o.id as org_id, o.kind, o.name as org_name
  from session s join user_account u on u.id = s.user_id join organisation o on o.id = u.organisation_id
  where s.id_hash = ?`

const statements = new WeakMap<SQLite.Database, SessionStatements>()

function statementsOf(sqlite: SQLite.Database): SessionStatements {
  let s = statements.get(sqlite)
  if (!s) {
    s = {
      findWithPerson: (idHash) => sqlite.prepare(SESSION_PERSON).get(idHash) as SessionPersonRow | undefined,
      end: (idHash, at) => {
        sqlite.prepare('update session set revoked_at = ? where id_hash = ? and revoked_at is null').run(at, idHash)
      },
      touch: (idHash, at) => {
        sqlite.prepare('update session set last_seen_at = ? where id_hash = ?').run(at, idHash)
      },
    }
    statements.set(sqlite, s)
  }
  return s
}

/**
 * Runs `fn` with the session statements for the session `idHash`. On SQLite, synchronously on the raw
 * connection. On PostgreSQL the session is read first, `fn` decides on that row, and the writes it asked
 * for are made before the returned promise settles (each is a single idempotent UPDATE).
 */
export async function withSessionStatements<T>(db: Db, idHash: string, fn: (s: SessionStatements) => T): Promise<T> {
  if (!isPostgres(db)) return withRaw(db, (sqlite) => fn(statementsOf(sqlite)))
  const found = await db
    .selectFrom('session as s')
    .innerJoin('user_account as u', 'u.id', 's.user_id')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select([
      's.id_hash',
      's.revoked_at',
      's.expires_at',
      's.last_seen_at',
      'u.id as user_id',
      'u.name',
      'u.email',
      'u.role',
      'u.disabled_at',
      'o.id as org_id',
      'o.kind',
      'o.name as org_name',
    ])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst()
  const writes: (() => Promise<unknown>)[] = []
  const result = fn({
    findWithPerson: (h) => (h === idHash ? (found as SessionPersonRow | undefined) : undefined),
    end: (h, at) => writes.push(() => revoke(db, h, at)),
    touch: (h, at) =>
      writes.push(() => db.updateTable('session').set({ last_seen_at: at }).where('id_hash', '=', h).execute()),
  })
  for (const w of writes) await w()
  return result
}

export async function insertSession(db: Db, row: Insertable<SessionTable>): Promise<void> {
  await db.insertInto('session').values(row).execute()
}

/** Ends one session (sign-out), unless already ended. */
export async function revoke(db: Db, idHash: string, at: string): Promise<void> {
  await db
    .updateTable('session')
    .set({ revoked_at: at })
    .where('id_hash', '=', idHash)
    .where('revoked_at', 'is', null)
    .execute()
}

/** Ends every open session of a person. */
export async function revokeAllOf(db: Db, userId: number, at: string): Promise<void> {
  await db
    .updateTable('session')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute()
}
