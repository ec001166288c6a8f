import type { Insertable } from 'kysely'
import type { Conn } from '../db/database.ts'
import type { EvidenceTable } from './assessment.table.ts'

/** Evidence files' rows, and the to-do list of blob removals; the bytes are in the blob store (evidence-blobs.ts). */

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

/** Marks an attached evidence file deleted; its content hash, or undefined when there was none to delete. */
export function softDeleteEvidence(db: Conn, assessmentId: number, evidenceId: number, at: string) {
  return db
    .updateTable('evidence')
    .set({ deleted_at: at })
    .where('id', '=', evidenceId)
    .where('assessment_id', '=', assessmentId)
    .where('deleted_at', 'is', null)
    .returning(['sha256', 'file_name', 'question_id'])
    .executeTakeFirst()
}

/** How many attached evidence files of one organisation have this content: what keeps its blob. */
export async function liveReferences(db: Conn, organisationId: number, sha256: string): Promise<number> {
  const row = await db
    .selectFrom('evidence as e')
    .innerJoin('assessment as a', 'a.id', 'e.assessment_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('a.organisation_id', '=', organisationId)
    .where('e.sha256', '=', sha256)
    .where('e.deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export function insertRelease(db: Conn, organisationId: number, sha256: string, at: string): Promise<number> {
  return db
    .insertInto('evidence_blob_release')
    .values({ organisation_id: organisationId, sha256, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow()
    .then((r) => r.id)
}

export async function deleteRelease(db: Conn, id: number): Promise<void> {
  await db.deleteFrom('evidence_blob_release').where('id', '=', id).execute()
}

/** Releases written before `before` and not finished: their process stopped half-way. */
export function releasesBefore(db: Conn, before: string) {
  return db
    .selectFrom('evidence_blob_release')
    .select(['id', 'organisation_id', 'sha256'])
    .where('created_at', '<', before)
    .orderBy('id')
    .execute()
}

/** Every attached evidence file's assessment, organisation and content: where its blob was and is. */
export function evidenceOwners(db: Conn) {
  return db
    .selectFrom('evidence as e')
    .innerJoin('assessment as a', 'a.id', 'e.assessment_id')
    .select(['e.assessment_id', 'a.organisation_id', 'e.sha256'])
    .where('e.deleted_at', 'is', null)
    .distinct()
    .execute()
}
