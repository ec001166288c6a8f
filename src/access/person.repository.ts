import type { Insertable } from 'kysely'
import type { Db } from '../db/connection.ts'
import { byName } from '../db/engine.ts'
import type { Role, UserAccountTable, UserRow } from './access.table.ts'
import type { Principal } from './principal.ts'

/** Queries on `user_account` (people). Writes go through Kysely: the session cache watches this table. */

/** A person with their organisation, as a Principal is made from. */
export type PersonRow = {
  user_id: number
  name: string
  email: string
  role: Principal['role']
  org_id: number
  kind: Principal['organisationKind']
  org_name: string
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db
    .selectFrom('user_account')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

export function findIdByEmail(db: Db, email: string): Promise<{ id: number } | undefined> {
  return db.selectFrom('user_account').select('id').where('email', '=', email).executeTakeFirst()
}

export function findByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('user_account').selectAll().where('email', '=', email).executeTakeFirst()
}

export function getById(db: Db, id: number): Promise<UserRow> {
  return db.selectFrom('user_account').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

export function findWithOrganisation(
  db: Db,
  userId: number,
): Promise<(PersonRow & { disabled_at: string | null }) | undefined> {
  return db
    .selectFrom('user_account as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select([
      'u.id as user_id',
      'u.name',
      'u.email',
      'u.role',
      'u.disabled_at',
      'o.id as org_id',
      'o.kind',
      'o.name as org_name',
    ])
    .where('u.id', '=', userId)
    .executeTakeFirst()
}

export async function insertUser(db: Db, row: Insertable<UserAccountTable>): Promise<number> {
  const inserted = await db.insertInto('user_account').values(row).returning('id').executeTakeFirstOrThrow()
  return inserted.id
}

export function listInOrganisation(db: Db, organisationId: number) {
  return db
    .selectFrom('user_account')
    .select(['id', 'email', 'name', 'role', 'disabled_at', 'created_at'])
    .where('organisation_id', '=', organisationId)
    .orderBy(byName(db, 'name'))
    .execute()
}

export function findRoleInOrganisation(db: Db, userId: number, organisationId: number) {
  return db
    .selectFrom('user_account')
    .select(['id', 'role'])
    .where('id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst()
}

export async function setRole(db: Db, userId: number, role: Role): Promise<void> {
  await db.updateTable('user_account').set({ role }).where('id', '=', userId).execute()
}

export async function setPasswordHash(db: Db, userId: number, hash: string): Promise<void> {
  await db.updateTable('user_account').set({ password_hash: hash }).where('id', '=', userId).execute()
}

/** Disables an active person of the organisation; how many were (0 or 1). */
export async function disableInOrganisation(
  db: Db,
  userId: number,
  organisationId: number,
  at: string,
): Promise<number> {
  const res = await db
    .updateTable('user_account')
    .set({ disabled_at: at })
    .where('id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst()
  return Number(res.numUpdatedRows)
}
