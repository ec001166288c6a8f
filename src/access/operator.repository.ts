import type { Conn } from '../db/database.ts'
import { byName } from '../db/engine.ts'

/** Queries on `platform_operator`: the people who run the installation (operator.service.ts). */

export async function isOperator(db: Conn, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('platform_operator as p')
    .innerJoin('user_account as u', 'u.id', 'p.user_id')
    .select('p.user_id')
    .where('p.user_id', '=', userId)
    // A disabled account signs in no more, but its grant must not outlive it should it be enabled elsewhere.
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst()
  return row !== undefined
}

/** Adds the grant; false when the person held it already. */
export async function grant(db: Conn, userId: number, at: string): Promise<boolean> {
  const r = await db
    .insertInto('platform_operator')
    .values({ user_id: userId, granted_at: at })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0
}

/** Removes the grant; false when the person did not hold it. */
export async function revoke(db: Conn, userId: number): Promise<boolean> {
  const r = await db.deleteFrom('platform_operator').where('user_id', '=', userId).executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}

export function listAll(db: Conn) {
  return db
    .selectFrom('platform_operator as p')
    .innerJoin('user_account as u', 'u.id', 'p.user_id')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.email', 'u.name', 'u.disabled_at', 'o.name as organisation', 'p.granted_at'])
    .orderBy(byName(db, 'u.email'))
    .execute()
}
