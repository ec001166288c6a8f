import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireOrgKind, requireRole } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { versionById } from '../questionnaire/questionnaire.service.ts'
import { INDICATOR_KEYS } from '../questionnaire/vocabulary.ts'
import { storeSnapshot } from '../scoring/score.service.ts'
import { storedAnswers } from './answers.service.ts'
import * as repo from './assessment.repository.ts'
import { getAssessment, type SeenAssessment } from './assessment.service.ts'
import type { ReviewDecision } from './assessment.table.ts'
import { scoreLoaded } from './assessment-score.service.ts'
import { currentDecisions, latestDecisions } from './decisions.ts'
import { AssessmentError } from './errors.ts'
import * as lifecycle from './lifecycle.ts'
import * as reviewRepo from './review.repository.ts'
import * as policy from './sharing.policy.ts'

/**
 * A brand's review of a submitted assessment: decisions on answers (accept, verify, return), suspected red
 * flags, and finishing it, which re-scores and, for the requesting brand only, moves the status
 * (lifecycle.ts). Each brand's review is its own (docs/sharing.md).
 */

const iso = (d: Date) => d.toISOString()

async function reviewable(db: Conn, p: Principal, id: number) {
  requireOrgKind(p, 'brand')
  requireRole(p, 'admin', 'analyst')
  const a = await getAssessment(db, p, id)
  if (!policy.mayReview(a, p)) throw new Forbidden('An organisation does not review its own answers.')
  if (!lifecycle.reviewOpen(a.status))
    throw new AssessmentError(`Only submitted assessments are reviewed; this one is ${a.status}.`, 409)
  return a
}

export const VERIFICATION_METHODS = {
  document: 'document check',
  worker_interview: 'worker interview',
  site_visit: 'site visit',
} as const

export async function decide(
  db: Conn,
  p: Principal,
  id: number,
  input: { question: string; decision: ReviewDecision; method?: string | null; comment?: string | null },
  now = new Date(),
) {
  const a = await reviewable(db, p, id)
  const def = (await versionById(db, a.questionnaire_version_id)).def
  if (!def.sections.some((s) => s.questions.some((q) => q.id === input.question)))
    throw new AssessmentError(`No question "${input.question}".`, 400, [
      { field: 'question', message: 'unknown question' },
    ])
  if (input.decision === 'verified' && !(input.method && input.method in VERIFICATION_METHODS)) {
    throw new AssessmentError('Say how the answer was verified: document, worker interview or site visit.', 400, [
      { field: 'method', message: 'required to verify' },
    ])
  }
  if (input.decision === 'returned' && !input.comment?.trim()) {
    throw new AssessmentError(
      'Say what the respondent should look at again: a comment is required to return an answer.',
      400,
      [{ field: 'comment', message: 'required to return' }],
    )
  }
  await inTransaction(db, async (trx) => {
    await reviewRepo.insertDecision(trx, {
      assessment_id: id,
      question_id: input.question,
      organisation_id: p.organisationId,
      reviewer_user_id: p.userId,
      decision: input.decision,
      method: input.decision === 'verified' ? (input.method ?? null) : null,
      comment: input.comment?.trim() || null,
      created_at: iso(now),
      resolved_at: null,
    })
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: `review_${input.decision}`,
          entity: 'answer',
          entityId: input.question,
          newValue: { method: input.method ?? null, comment: input.comment ?? null },
        },
      ],
      now,
    )
  })
}

type Seen = policy.AssessmentFacts

/**
 * The review decisions the caller may see (sharing.policy.decisionVisible), the current one per question
 * and brand: a brand reads its own; the respondent what each brand returned.
 */
export async function visibleDecisions(db: Conn, p: Principal, a: Seen & { id: number }) {
  const rows = await reviewRepo.decisionsQuery(db, a.id).execute()
  return currentDecisions(rows.filter((d) => policy.decisionVisible(a, p, d)))
}

/** The caller's own current decision per question (a brand's review). */
export async function decisionsOf(db: Conn, p: Principal, a: Seen & { id: number }) {
  const own = (await visibleDecisions(db, p, a)).filter((d) => d.organisation_id === p.organisationId)
  return latestDecisions(own)
}

/**
 * Answers returned by the requesting brand and not answered since: the only ones that reopen for the
 * respondent (sharing.policy.decisionReopens). Anyone who can see the assessment may know which are open.
 */
export async function reopenedQuestions(db: Conn, a: Seen & { id: number }): Promise<string[]> {
  const rows = currentDecisions(await reviewRepo.decisionsQuery(db, a.id).execute())
  return rows.filter((d) => policy.decisionReopens(a, d) && !d.resolved_at).map((d) => d.question_id)
}

export async function raiseSuspectedFlag(
  db: Conn,
  p: Principal,
  id: number,
  input: { question?: string | null; indicator?: string | null; reason: string },
  now = new Date(),
) {
  const a = await reviewable(db, p, id)
  if (!input.reason.trim())
    throw new AssessmentError('Give the reason for the suspicion.', 400, [{ field: 'reason', message: 'required' }])
  if (input.indicator && !(INDICATOR_KEYS as readonly string[]).includes(input.indicator))
    throw new AssessmentError('Unknown indicator.', 400, [{ field: 'indicator', message: 'unknown' }])
  await inTransaction(db, async (trx) => {
    await reviewRepo.insertFlag(trx, {
      assessment_id: id,
      organisation_id: p.organisationId,
      question_id: input.question || null,
      indicator: input.indicator || null,
      reason: input.reason.trim(),
      raised_by: p.userId,
      created_at: iso(now),
      closed_at: null,
    })
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'raise_suspected_flag',
          entity: 'assessment',
          entityId: id,
          newValue: input,
        },
      ],
      now,
    )
  })
  return rescore(db, p, a, 'suspected red flag raised', now)
}

/**
 * A reviewing brand settles a consistency rule's suspected flag (rubric 2026.2): `cleared` when the answers are
 * explained (the comment says how), `confirmed` when the contradiction stands (a red flag of the rule's
 * indicator). The brand's score is stored again at once.
 */
export async function decideRuleFlag(
  db: Conn,
  p: Principal,
  id: number,
  input: { rule: string; decision: string; comment: string },
  now = new Date(),
) {
  const a = await reviewable(db, p, id)
  if (input.decision !== 'cleared' && input.decision !== 'confirmed')
    throw new AssessmentError('Choose whether to clear or confirm the suspected flag.', 400, [
      { field: 'decision', message: 'must be cleared or confirmed' },
    ])
  const comment = input.comment.trim()
  if (!comment)
    throw new AssessmentError('Say what you checked: it is kept with the decision.', 400, [
      { field: 'comment', message: 'required' },
    ])
  const current = await scoreLoaded(db, p, a, await storedAnswers(db, id))
  if (!current.result.suspectedFlags.some((f) => f.rule === input.rule))
    throw new AssessmentError(`No suspected flag of rule "${input.rule}" on this assessment.`, 400, [
      { field: 'rule', message: 'not raised on this assessment' },
    ])
  await inTransaction(db, async (trx) => {
    await reviewRepo.insertRuleDecision(trx, {
      assessment_id: id,
      organisation_id: p.organisationId,
      rule_id: input.rule,
      decision: input.decision as 'cleared' | 'confirmed',
      comment,
      decided_by: p.userId,
      created_at: iso(now),
    })
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'decide_rule_flag',
          entity: 'assessment',
          entityId: id,
          newValue: { rule: input.rule, decision: input.decision, comment },
        },
      ],
      now,
    )
  })
  return rescore(db, p, a, `suspected flag ${input.decision}: ${input.rule}`, now)
}

/** The suspected red flags the caller may see: a brand its own, the respondent none (sharing.policy). */
export async function suspectedFlags(db: Conn, p: Principal, a: Seen & { id: number }) {
  const rows = await reviewRepo.flagsOf(db, a.id)
  return rows.filter((f) => policy.flagVisible(a, p, f))
}

/**
 * Ends a review: with returned answers the assessment goes back to the respondent for those questions
 * only; otherwise it is reviewed. Either way it is re-scored with the verification marks, and the new
 * snapshot joins the history.
 */
export async function finishReview(db: Conn, p: Principal, id: number, now = new Date()) {
  const a = await reviewable(db, p, id)
  const decisions = await decisionsOf(db, p, a)
  const returned = [...decisions.values()].filter((d) => d.decision === 'returned' && !d.resolved_at)
  const scored = await scoreLoaded(db, p, a, await storedAnswers(db, id))
  if (!policy.reviewMovesStatus(a, p)) {
    // A brand the assessment is shared with finishes its own review: its score joins its own history; the
    // assessment, and the requesting brand's review, stay as they are. What it asked, the respondent reads.
    return inTransaction(db, async (trx) => {
      const snap = await storeSnapshot(
        trx,
        id,
        scored.questionnaireVersionId,
        scored.rubricVersionId,
        returned.length > 0 ? 'reviewed, questions asked' : 'reviewed',
        scored.result,
        now,
        scored.reviewer,
      )
      await audit.record(
        trx,
        p,
        [
          {
            organisationId: a.organisation_id,
            assessmentId: id,
            action: 'review_own',
            entity: 'assessment',
            entityId: id,
            newValue: { asked: returned.map((r) => r.question_id), rating: scored.result.rating },
          },
        ],
        now,
      )
      return { status: a.status, rating: scored.result.rating, snapshotId: snap.id }
    })
  }
  const move = lifecycle.afterReview(returned.length)
  const status = lifecycle.target(move)
  return inTransaction(db, async (trx) => {
    await repo.update(trx, id, {
      status,
      reviewed_at: move === 'review' ? iso(now) : a.reviewed_at,
      revision: a.revision + 1,
    })
    const snap = await storeSnapshot(
      trx,
      id,
      scored.questionnaireVersionId,
      scored.rubricVersionId,
      move === 'review' ? 'reviewed' : 'returned for changes',
      scored.result,
      now,
      scored.reviewer,
    )
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: move,
          entity: 'assessment',
          entityId: id,
          oldValue: a.status,
          newValue: { status, returned: returned.map((r) => r.question_id), rating: scored.result.rating },
        },
      ],
      now,
    )
    return { status, rating: scored.result.rating, snapshotId: snap.id }
  })
}

/** A new snapshot of the brand's reviewed score, for the assessment it has just read. */
async function rescore(db: Conn, p: Principal, a: SeenAssessment, reason: string, now: Date) {
  const scored = await scoreLoaded(db, p, a, await storedAnswers(db, a.id))
  const snap = await storeSnapshot(
    db,
    a.id,
    scored.questionnaireVersionId,
    scored.rubricVersionId,
    reason,
    scored.result,
    now,
    scored.reviewer,
  )
  return { rating: scored.result.rating, snapshotId: snap.id }
}
