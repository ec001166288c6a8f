import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { type AnswerProblem, checkAnswers, type RawAnswer } from '../questionnaire/answers.ts'
import {
  compiledVersion,
  getQuestionnaireVersion,
  type QuestionnaireVersion,
} from '../questionnaire/questionnaire.service.ts'
import { score } from './engine.ts'
import type { ScoreResult } from './result.schema.ts'
import { getRubricVersion, type RubricVersion } from './rubric.service.ts'
import * as snapshots from './score-snapshot.repository.ts'
import { summarise, summaryColumns } from './score-summary.ts'

export class AnswersInvalid extends Error {
  constructor(readonly problems: AnswerProblem[]) {
    super(
      `${problems.length} problem${problems.length > 1 ? 's' : ''} with the answers: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    )
    this.name = 'AnswersInvalid'
  }
}

export type ScoreRequest = {
  questionnaire: string
  version?: string
  rubric?: string
  answers: Record<string, RawAnswer>
  evidence?: string[]
  verified?: Record<string, string>
}

/** Scores a set of answers against a stored questionnaire version and rubric version. */
export async function scoreRequest(
  db: Conn,
  req: ScoreRequest,
): Promise<{ result: ScoreResult; questionnaire: QuestionnaireVersion; rubric: RubricVersion }> {
  const qv = await getQuestionnaireVersion(db, req.questionnaire, req.version)
  const rv = await getRubricVersion(db, req.rubric)
  const cq = compiledVersion(qv)
  const checked = checkAnswers(cq, req.answers, req.evidence, req.verified)
  if (checked.problems.length > 0) throw new AnswersInvalid(checked.problems)
  const result = score({
    questionnaire: cq,
    questionnaireHash: qv.contentHash,
    rubric: rv.rubric,
    rubricHash: rv.hash,
    answers: checked.values,
    evidence: checked.evidence,
    verified: checked.verified,
  })
  return { result, questionnaire: qv, rubric: rv }
}

/**
 * Keeps a score as an immutable snapshot; re-scoring adds a snapshot and never replaces one. `reviewer` is the
 * brand whose review it scores, or null for the respondent's self-assessed score (docs/sharing.md). The
 * snapshot's summary (score-summary.ts) is written, and the grants that see it pointed at it, in the same
 * transaction, so a list never meets a snapshot without them (it joins the caller's transaction when there
 * is one).
 */
export async function storeSnapshot(
  db: Conn,
  assessmentId: number,
  questionnaireVersionId: number,
  rubricVersionId: number,
  reason: string,
  result: ScoreResult,
  now: Date = new Date(),
  reviewer: number | null = null,
) {
  const summary = summarise(result)
  const json = JSON.stringify(result)
  return inTransaction(db, async (trx) => {
    const snap = await snapshots.insertSnapshot(trx, {
      assessment_id: assessmentId,
      questionnaire_version_id: questionnaireVersionId,
      rubric_version_id: rubricVersionId,
      reason,
      rating: result.rating,
      control_score: result.control.overall,
      inherent_score: result.inherent.score,
      red_flags: summary.activeRedFlags,
      result: json,
      created_at: now.toISOString(),
      reviewer_organisation_id: reviewer,
    })
    await snapshots.insertSummary(trx, {
      snapshot_id: snap.id,
      assessment_id: assessmentId,
      reviewer_organisation_id: reviewer,
      ...summaryColumns(summary),
    })
    await snapshots.pointGrantsAt(trx, assessmentId, snap.id, reviewer)
    return snap
  })
}
