import type { Insertable } from 'kysely'
import type { Conn } from '../db/database.ts'
import type { EvidenceTable } from './assessment.table.ts'

/** Evidence files' rows; the files themselves are evidence-store.ts's. */

/** Evidence files still attached. */
export function evidenceQuery(db: Conn, assessmentId: number) {
  return db
    .selectFrom('evidence')
    .select(['id', 'question_id', 'file_name', 'media_type', 'size', 'uploaded_at'])
    .where('assessment_id', '=', assessmentId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
}

export function insertEvidence(db: Conn, row: Insertable<EvidenceTable>): Promise<number> {
  return db
    .insertInto('evidence')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow()
    .then((r) => r.id)
}

export function findEvidence(db: Conn, assessmentId: number, evidenceId: number) {
  return db
    .selectFrom('evidence')
    .selectAll()
    .where('id', '=', evidenceId)
    .where('assessment_id', '=', assessmentId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

/** The questions with evidence attached: what raises a score's confidence. */
export async function questionsWithEvidence(db: Conn, assessmentId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('evidence')
    .select('question_id')
    .where('assessment_id', '=', assessmentId)
    .where('deleted_at', 'is', null)
    .execute()
  return rows.map((r) => r.question_id)
}
