import { createHash } from 'node:crypto'
import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireRole } from '../access/principal.ts'
import type { BlobStore } from '../blob/blob-store.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { versionById } from '../questionnaire/questionnaire.service.ts'
import * as repo from './assessment.repository.ts'
import { getAssessment } from './assessment.service.ts'
import { AssessmentError, notFound } from './errors.ts'
import * as evidenceRepo from './evidence.repository.ts'
import { cleanFileName, EVIDENCE_TYPES, MAX_EVIDENCE_BYTES, sniffEvidenceType } from './evidence.ts'
import { confirmStored, evidenceKey, releaseNow, runRelease, scheduleRelease, sweepReleases } from './evidence-blobs.ts'
import * as lifecycle from './lifecycle.ts'

/** Evidence files: the respondent attaches them while the assessment is open for answers; readers download them. */

const iso = (d: Date) => d.toISOString()

export async function addEvidence(
  db: Conn,
  p: Principal,
  id: number,
  questionId: string,
  file: { name: string; data: Buffer },
  blobs: BlobStore,
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
  // Stored under the owning organisation's prefix and its content hash, durably before the row below is
  // committed; the name is kept only in the database.
  const key = evidenceKey(a.organisation_id, sha256)
  await blobs.put(key, file.data)
  let evidenceId: number
  try {
    evidenceId = await inTransaction(db, async (trx) => {
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
  } catch (err) {
    // No row names the blob just stored: it goes, unless another attached file has the same bytes. Best effort;
    // the upload's own error is the one to report.
    await releaseNow(db, blobs, a.organisation_id, sha256).catch(() => undefined)
    throw err
  }
  // A release of the same bytes may have moved the blob aside meanwhile (evidence-blobs.ts).
  await confirmStored(blobs, key, file.data)
  return evidenceId
}

/**
 * Removes an attached file while the assessment is open for answers (after submission the files are part of
 * what was submitted). The row is kept, marked deleted, for the audit trail; the blob is removed after the
 * commit unless another attached file of the organisation has the same bytes. A failure to remove the blob
 * does not undo the deletion: `onReleaseError` hears of it, and the scheduled release is finished later by
 * `sweepReleases`.
 */
export async function deleteEvidence(
  db: Conn,
  p: Principal,
  id: number,
  evidenceId: number,
  blobs: BlobStore,
  onReleaseError: (err: unknown) => void,
  now = new Date(),
): Promise<{ question: string }> {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a)
    throw (await repo.findVisible(db, p, id))
      ? new Forbidden('Only the organisation that answers this assessment can remove its evidence.')
      : notFound()
  if (!lifecycle.openForAnswers(a.status))
    throw new AssessmentError(`This assessment is ${a.status}: its evidence can no longer be removed.`, 409)
  const done = await inTransaction(db, async (trx) => {
    const row = await evidenceRepo.softDeleteEvidence(trx, id, evidenceId, iso(now))
    if (!row) return undefined
    // Read again inside the transaction: a save since `a` was read has moved the revision on.
    const current = await repo.findOwned(trx, p, id)
    await repo.update(trx, id, { revision: (current?.revision ?? a.revision) + 1 })
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'delete_evidence',
          entity: 'evidence',
          entityId: evidenceId,
          oldValue: { question: row.question_id, file: row.file_name, sha256: row.sha256 },
        },
      ],
      now,
    )
    const releaseId = await scheduleRelease(trx, a.organisation_id, row.sha256, now)
    return { releaseId, sha256: row.sha256, question: row.question_id }
  })
  if (!done) throw new AssessmentError('Evidence file not found.', 404)
  await runRelease(db, blobs, { id: done.releaseId, organisation_id: a.organisation_id, sha256: done.sha256 }).catch(
    onReleaseError,
  )
  // And any release a stopped process left unfinished (a crash between commit and removal).
  await sweepReleases(db, blobs, onReleaseError, now).catch(onReleaseError)

  return { question: done.question }
}

export async function listEvidence(db: Conn, p: Principal, id: number) {
  await getAssessment(db, p, id)
  return evidenceRows(db, id)
}

/** For callers that have just checked access to the assessment. */
export function evidenceRows(db: Conn, id: number) {
  return evidenceRepo.evidenceQuery(db, id).execute()
}

/** An attached file's bytes, streamed from the blob store, for a caller who may see the assessment. */
export async function evidenceFile(db: Conn, p: Principal, id: number, evidenceId: number, blobs: BlobStore) {
  const a = await getAssessment(db, p, id)
  const row = await evidenceRepo.findEvidence(db, id, evidenceId)
  if (!row) throw new AssessmentError('Evidence file not found.', 404)
  const blob = await blobs.get(evidenceKey(a.organisation_id, row.sha256))
  // A committed row always has its blob (evidence-blobs.ts); one without is lost data, for the log and a 500.
  if (!blob)
    throw new Error(`evidence #${evidenceId}: no blob ${evidenceKey(a.organisation_id, row.sha256)} in ${blobs.where}`)
  return { stream: blob.stream, size: blob.size, name: row.file_name, type: row.media_type }
}
