import { createHash } from 'node:crypto'
import { join } from 'node:path'
import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireRole } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { versionById } from '../questionnaire/questionnaire.service.ts'
import * as repo from './assessment.repository.ts'
import { getAssessment } from './assessment.service.ts'
import { AssessmentError, notFound } from './errors.ts'
import * as evidenceRepo from './evidence.repository.ts'
import { cleanFileName, EVIDENCE_TYPES, MAX_EVIDENCE_BYTES, sniffEvidenceType } from './evidence.ts'
import { storeEvidenceFile } from './evidence-store.ts'
import * as lifecycle from './lifecycle.ts'

/** Evidence files: the respondent attaches them while the assessment is open for answers; readers download them. */

const iso = (d: Date) => d.toISOString()

export async function addEvidence(
  db: Conn,
  p: Principal,
  id: number,
  questionId: string,
  file: { name: string; data: Buffer },
  evidenceDir: string,
  now = new Date(),
) {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a)
    throw (await repo.findVisible(db, p, id))
      ? new Forbidden('Only the organisation that answers this assessment can add evidence.')
      : notFound()
  if (!lifecycle.openForAnswers(a.status))
    throw new AssessmentError(`This assessment is ${a.status}: evidence can no longer be added.`, 409)
  const cq = (await versionById(db, a.questionnaire_version_id)).def
  if (!cq.sections.some((s) => s.questions.some((q) => q.id === questionId)))
    throw new AssessmentError(`No question "${questionId}".`, 400, [{ field: 'question', message: 'unknown question' }])
  if (file.data.length === 0)
    throw new AssessmentError('The file is empty.', 400, [{ field: 'file', message: 'empty file' }])
  if (file.data.length > MAX_EVIDENCE_BYTES)
    throw new AssessmentError(`The file is larger than ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB.`, 413, [
      { field: 'file', message: 'too large' },
    ])
  const type = sniffEvidenceType(file.data)
  if (!type) {
    throw new AssessmentError(
      `This file type is not accepted. Upload a ${Object.values(EVIDENCE_TYPES).join(', ')}.`,
      415,
      [{ field: 'file', message: 'type not accepted' }],
    )
  }
  const sha256 = createHash('sha256').update(file.data).digest('hex')
  // Stored outside the web root under its content hash, durably before the row below is committed; the name
  // is kept only in the database.
  await storeEvidenceFile(evidenceDir, id, sha256, file.data)
  return inTransaction(db, async (trx) => {
    const evidenceId = await evidenceRepo.insertEvidence(trx, {
      assessment_id: id,
      question_id: questionId,
      file_name: cleanFileName(file.name),
      media_type: type,
      size: file.data.length,
      sha256,
      uploaded_by: p.userId,
      uploaded_at: iso(now),
      deleted_at: null,
    })
    await repo.update(trx, id, { revision: a.revision + 1 })
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'add_evidence',
          entity: 'evidence',
          entityId: evidenceId,
          newValue: { question: questionId, file: cleanFileName(file.name), sha256 },
        },
      ],
      now,
    )
    return evidenceId
  })
}

export async function listEvidence(db: Conn, p: Principal, id: number) {
  await getAssessment(db, p, id)
  return evidenceRows(db, id)
}

/** For callers that have just checked access to the assessment. */
export function evidenceRows(db: Conn, id: number) {
  return evidenceRepo.evidenceQuery(db, id).execute()
}

export async function evidenceFile(db: Conn, p: Principal, id: number, evidenceId: number, evidenceDir: string) {
  await getAssessment(db, p, id)
  const row = await evidenceRepo.findEvidence(db, id, evidenceId)
  if (!row) throw new AssessmentError('Evidence file not found.', 404)
  return { path: join(evidenceDir, String(id), row.sha256), name: row.file_name, type: row.media_type }
}
