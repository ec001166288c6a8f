import { type Insertable, sql, type Updateable } from 'kysely'
import { batchesOf, chunksOf, UNNEST_ROWS } from '../db/bulk.ts'
import type { Conn } from '../db/database.ts'
import { isPostgres } from '../db/engine.ts'
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
  if (isPostgres(db) && rows.length > 1000) {
    // Many rows (bulk loading): one array per column, as in answer.store's insertFreshAnswers.
    for (const c of chunksOf(rows, UNNEST_ROWS)) {
      const col = <K extends keyof Insertable<ActionItemTable>>(k: K) => c.map((r) => r[k] ?? null)
      await sql`insert into action_item (assessment_id, question_id, gap_type, severity, red_flag, action, timeframe,
          owner, due_date, status, notes, closing_evidence, created_at, updated_at, verified_by)
        select * from unnest(${col('assessment_id')}::integer[], ${col('question_id')}::text[], ${col('gap_type')}::text[],
          ${col('severity')}::text[], ${col('red_flag')}::integer[], ${col('action')}::text[], ${col('timeframe')}::text[],
          ${col('owner')}::text[], ${col('due_date')}::text[], ${col('status')}::text[], ${col('notes')}::text[],
          ${col('closing_evidence')}::text[], ${col('created_at')}::text[], ${col('updated_at')}::text[],
          ${col('verified_by')}::integer[])`.execute(db)
    }
    return
  }
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
