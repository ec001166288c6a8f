import type SQLite from 'better-sqlite3'
import type { Insertable } from 'kysely'
import type { Db } from '../db/connection.ts'
import { isPostgres } from '../db/engine.ts'
import { withRaw } from '../db/raw.ts'
import type { ApiTokenTable, OrganisationKind } from './access.table.ts'

/**
 * Queries on `api_token`. The check run on every API request is plain prepared statements (see db/raw.ts);
 * no cache copies this table.
 */

export type TokenOrganisationRow = Pick<ApiTokenTable, 'name' | 'role' | 'revoked_at' | 'last_used_at'> & {
  id: number
  org_id: number
  kind: OrganisationKind
  org_name: string
}

/** The statements of the per-request token check, run together in one synchronous section. */
export type TokenStatements = {
  /** The token with its organisation, in one query. */
  findWithOrganisation(tokenHash: string): TokenOrganisationRow | undefined
  /** Records a use of the token. */
  touch(id: number, at: string): void
}

const TOKEN_ORGANISATION = `select t.id, t.name, t.role, t.revoked_at, t.last_used_at, o.id as org_id, o.kind, o.name as org_name
  from api_token t join organisation o on o.id = t.organisation_id where t.token_hash = ?`

const statements = new WeakMap<SQLite.Database, TokenStatements>()

function statementsOf(sqlite: SQLite.Database): TokenStatements {
  let s = statements.get(sqlite)
  if (!s) {
    s = {
      findWithOrganisation: (tokenHash) =>
        sqlite.prepare(TOKEN_ORGANISATION).get(tokenHash) as TokenOrganisationRow | undefined,
      touch: (id, at) => {
        sqlite.prepare('update api_token set last_used_at = ? where id = ?').run(at, id)
      },
    }
    statements.set(sqlite, s)
  }
  return s
}

/**
 * Runs `fn` with the statements for the token `tokenHash`. On SQLite, synchronously on the raw connection;
 * on PostgreSQL the token is read first and the writes `fn` asked for are made before the promise settles.
 */
export async function withTokenStatements<T>(db: Db, tokenHash: string, fn: (s: TokenStatements) => T): Promise<T> {
  if (!isPostgres(db)) return withRaw(db, (sqlite) => fn(statementsOf(sqlite)))
  const found = await db
    .selectFrom('api_token as t')
    .innerJoin('organisation as o', 'o.id', 't.organisation_id')
    .select([
      't.id',
      't.name',
      't.role',
      't.revoked_at',
      't.last_used_at',
      'o.id as org_id',
      'o.kind',
      'o.name as org_name',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst()
  const writes: (() => Promise<unknown>)[] = []
  const result = fn({
    findWithOrganisation: (h) => (h === tokenHash ? found : undefined),
    touch: (id, at) =>
      writes.push(() => db.updateTable('api_token').set({ last_used_at: at }).where('id', '=', id).execute()),
  })
  for (const w of writes) await w()
  return result
}

export async function insertToken(db: Db, row: Insertable<ApiTokenTable>): Promise<number> {
  const inserted = await db.insertInto('api_token').values(row).returning('id').executeTakeFirstOrThrow()
  return inserted.id
}

/** Revokes an active token of the organisation; how many were (0 or 1). */
export async function revokeInOrganisation(db: Db, id: number, organisationId: number, at: string): Promise<number> {
  const res = await db
    .updateTable('api_token')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(res.numUpdatedRows)
}

export function listInOrganisation(db: Db, organisationId: number) {
  return db
    .selectFrom('api_token')
    .select(['id', 'name', 'prefix', 'role', 'created_at', 'last_used_at', 'revoked_at'])
    .where('organisation_id', '=', organisationId)
    .orderBy('id', 'desc')
    .execute()
}
