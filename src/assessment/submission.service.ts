import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireRole } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { compiledVersion, versionById } from '../questionnaire/questionnaire.service.ts'
import { storeSnapshot } from '../scoring/score.service.ts'
import { syncActions } from './action-plan.service.ts'
import type { StoredAnswer } from './answer-cache.ts'
import { answerPageData, missingIn } from './answers.service.ts'
import * as repo from './assessment.repository.ts'
import type { SeenAssessment } from './assessment.service.ts'
import { scoreLoaded } from './assessment-score.service.ts'
import { AssessmentError } from './errors.ts'
import * as lifecycle from './lifecycle.ts'

/**
 * Submitting: the respondent hands its answers over. The answers lock, the score is stored and every gap
 * becomes an action of the plan, in one transaction.
 */

const iso = (d: Date) => d.toISOString()

/** An assessment and its answers, read together at one revision (answers.service.answerPageData). */
export type Loaded = { a: SeenAssessment; stored: ReadonlyMap<string, StoredAnswer> }

/**
 * Submitting locks the answers and stores the score snapshot in one transaction: a crash leaves either
 * the draft or the complete submission, never a locked assessment without its score. The assessment and its
 * answers are read once (or given by a caller that has just read them): the update below only lands if the
 * assessment is still at the revision they were read at.
 */
export async function submitAssessment(db: Conn, p: Principal, id: number, now = new Date(), loaded?: Loaded) {
  requireRole(p, 'admin', 'respondent')
  const { a, stored } = loaded ?? (await answerPageData(db, p, id))
  if (a.organisation_id !== p.organisationId)
    throw new Forbidden('Only the organisation that answers this assessment can submit it.')
  if (!lifecycle.canMove(a.status, 'submit')) throw new AssessmentError(`This assessment is already ${a.status}.`, 409)
  const missing = missingIn(compiledVersion(await versionById(db, a.questionnaire_version_id)), stored)
  if (missing.length > 0) {
    throw new AssessmentError(
      `${missing.length} required question${missing.length > 1 ? 's are' : ' is'} not answered yet. "Don't know" is an allowed answer.`,
      400,
      missing.map((m) => ({ field: `answers.${m.question}`, message: 'required' })),
    )
  }
  const scored = await scoreLoaded(db, p, a, stored)
  const status = lifecycle.target('submit')
  return inTransaction(db, async (trx) => {
    if (!(await repo.updateIfRevision(trx, id, a.revision, { status, submitted_at: iso(now) })))
      throw new AssessmentError('The answers changed while submitting. Review them and submit again.', 409)
    const snap = await storeSnapshot(
      trx,
      id,
      scored.questionnaireVersionId,
      scored.rubricVersionId,
      lifecycle.submissionReason(a.status),
      scored.result,
      now,
      scored.reviewer,
    )
    await syncActions(trx, id, scored.result, now, p, a.organisation_id)
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'submit',
          entity: 'assessment',
          entityId: id,
          oldValue: a.status,
          newValue: { status, rating: scored.result.rating, snapshot: snap.id },
        },
      ],
      now,
    )
    return { status, rating: scored.result.rating, snapshotId: snap.id }
  })
}
