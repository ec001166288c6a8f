import type { Insertable } from 'kysely'
import type { Db } from '../db/connection.ts'
import type { OrganisationTable } from './access.table.ts'

/** Queries on `organisation`. Writes go through Kysely: the session cache watches this table. */

export async function insertOrganisation(db: Db, row: Insertable<OrganisationTable>): Promise<number> {
  const inserted = await db.insertInto('organisation').values(row).returning('id').executeTakeFirstOrThrow()
  return inserted.id
}
