import type { Insertable } from 'kysely'
import { batchesOf } from '../db/bulk.ts'
import type { Db } from '../db/connection.ts'
import type { OrganisationTable } from './access.table.ts'

/** Queries on `organisation`. Writes go through Kysely: the session cache watches this table. */

export async function insertOrganisation(db: Db, row: Insertable<OrganisationTable>): Promise<number> {
  const inserted = await db.insertInto('organisation').values(row).returning('id').executeTakeFirstOrThrow()
  return inserted.id
}

/** Many organisations with ids chosen by the caller (bulk loading; see db/bulk.ts). */
export async function insertOrganisations(db: Db, rows: (Insertable<OrganisationTable> & { id: number })[]) {
  for (const batch of batchesOf(rows)) await db.insertInto('organisation').values(batch).execute()
}

/** The largest organisation id so far (0 when there is none). */
export async function maxOrganisationId(db: Db): Promise<number> {
  const r = await db
    .selectFrom('organisation')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst()
  return Number(r?.m ?? 0)
}
