import type { Insertable } from 'kysely'
import type { Db } from '../db/connection.ts'
import type { InvitationTable } from './access.table.ts'

/** Queries on `invitation`. Only a link's hash is kept. */

export function insertInvitation(db: Db, row: Insertable<InvitationTable>) {
  return db
    .insertInto('invitation')
    .values(row)
    .returning(['id', 'expires_at', 'email', 'role', 'organisation_name'])
    .executeTakeFirstOrThrow()
}

export function listFromOrganisation(db: Db, organisationId: number) {
  return db
    .selectFrom('invitation')
    .select(['id', 'email', 'kind', 'organisation_name', 'role', 'created_at', 'expires_at', 'used_at', 'revoked_at'])
    .where('inviter_organisation_id', '=', organisationId)
    .orderBy('id', 'desc')
    .execute()
}

/** Withdraws an open invitation of the organisation; how many were (0 or 1). */
export async function revokeOpen(db: Db, id: number, organisationId: number, at: string): Promise<number> {
  const res = await db
    .updateTable('invitation')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('inviter_organisation_id', '=', organisationId)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(res.numUpdatedRows)
}

/** The invitation with the name of the organisation that sent it. */
export function findByTokenHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('invitation as i')
    .innerJoin('organisation as o', 'o.id', 'i.inviter_organisation_id')
    .selectAll('i')
    .select('o.name as inviter_name')
    .where('i.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

/**
 * Uses the invitation up unless already used (and, with `unlessRevoked`, unless withdrawn): 1 if this call
 * used it, 0 if it was not there to use. Run inside the transaction that acts on it, so a link used twice
 * at once acts once.
 */
export async function markUsed(db: Db, id: number, at: string, opts: { unlessRevoked: boolean }): Promise<number> {
  let q = db.updateTable('invitation').set({ used_at: at }).where('id', '=', id).where('used_at', 'is', null)
  if (opts.unlessRevoked) q = q.where('revoked_at', 'is', null)
  const res = await q.executeTakeFirst()
  return Number(res.numUpdatedRows)
}
