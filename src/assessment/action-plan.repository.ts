import type { Insertable, Updateable } from 'kysely'
import { batchesOf } from '../db/bulk.ts'
import type { Conn } from '../db/database.ts'
import type { ActionItemTable } from './assessment.table.ts'

/** The corrective action plan's items. */

/** What a re-sync needs of each existing action. */
export function actionStates(db: Conn, assessmentId: number) {
  return db
    .selectFrom('action_item')
    .select(['id', 'question_id', 'status', 'notes', 'version'])
    .where('assessment_id', '=', assessmentId)
    .execute()
}

/** The plan, red flags first. */
export function listActions(db: Conn, assessmentId: number) {
  return db
    .selectFrom('action_item')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .orderBy('red_flag', 'desc')
    .orderBy('id')
    .execute()
}

export function findAction(db: Conn, assessmentId: number, actionId: number) {
  return db
    .selectFrom('action_item')
    .selectAll()
    .where('id', '=', actionId)
    .where('assessment_id', '=', assessmentId)
    .executeTakeFirst()
}

export async function insertActions(db: Conn, rows: Insertable<ActionItemTable>[]): Promise<void> {
  for (const batch of batchesOf(rows)) await db.insertInto('action_item').values(batch).execute()
}

export async function updateAction(db: Conn, actionId: number, set: Updateable<ActionItemTable>): Promise<void> {
  await db.updateTable('action_item').set(set).where('id', '=', actionId).execute()
}

/** Updates an action only if it is still at `version` (an import decided on what it read). */
export async function updateActionIfVersion(
  db: Conn,
  actionId: number,
  version: number,
  set: Updateable<ActionItemTable>,
): Promise<void> {
  await db.updateTable('action_item').set(set).where('id', '=', actionId).where('version', '=', version).execute()
}
