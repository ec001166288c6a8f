import type { Principal } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { compiledVersion, versionById } from '../questionnaire/questionnaire.service.ts'
import { score } from '../scoring/engine.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import { getRubricVersion } from '../scoring/rubric.service.ts'
import type { RuleDecision } from '../scoring/stages/consistency.ts'
import type { StoredAnswer } from './answer-cache.ts'
import { storedAnswers, valuesOf } from './answers.service.ts'
import { getAssessment } from './assessment.service.ts'
import { latestDecisions } from './decisions.ts'
import * as evidenceRepo from './evidence.repository.ts'
import * as reviewRepo from './review.repository.ts'
import * as policy from './sharing.policy.ts'

/**
 * Evidence, and the verification marks and open suspected flags of one reviewing brand: what raises or holds
 * its score. With no reviewer (the respondent's self-assessed score), evidence only.
 */
async function scoringInputs(db: Conn, id: number, reviewer: number | null) {
  const evidence = new Set(await evidenceRepo.questionsWithEvidence(db, id))
  if (reviewer === null) return { evidence, verified: new Map<string, string>(), suspected: [] }
  const latest = latestDecisions(await reviewRepo.decisionsBy(db, id, reviewer))
  const verified = new Map(
    [...latest.values()]
      .filter((d) => d.decision === 'verified' && d.method)
      .map((d) => [d.question_id, d.method as string]),
  )
  const accepted = new Set([...latest.values()].filter((d) => d.decision === 'accepted').map((d) => d.question_id))
  const flags = await reviewRepo.openFlagsBy(db, id, reviewer)
  const suspected = flags.map((f) => ({ question: f.question_id, indicator: f.indicator as never, reason: f.reason }))
  const ruleDecisions = new Map<string, RuleDecision>()
  for (const d of await reviewRepo.ruleDecisionsBy(db, id, reviewer)) ruleDecisions.set(d.rule_id, d.decision)
  return { evidence, verified, suspected, accepted, ruleDecisions }
}

export type Scored = {
  result: ScoreResult
  questionnaireVersionId: number
  rubricVersionId: number
  reviewer: number | null
}

/**
 * Scores an assessment's stored answers with the current default rubric (or the one named), as the caller
 * sees it: a brand with its own review, the respondent self-assessed (sharing.policy). The same pure engine
 * either way; only the verifications and flags it is given differ.
 */
export async function scoreAssessment(db: Conn, p: Principal, id: number, rubricSpec?: string): Promise<Scored> {
  const a = await getAssessment(db, p, id)
  return scoreLoaded(db, p, a, await storedAnswers(db, id), rubricSpec)
}

/** As scoreAssessment, for a caller that has just read the assessment and its answers. */
export async function scoreLoaded(
  db: Conn,
  p: Principal,
  a: policy.AssessmentFacts & { id: number; questionnaire_version_id: number },
  answers: ReadonlyMap<string, StoredAnswer>,
  rubricSpec?: string,
): Promise<Scored> {
  return scoreAs(db, a, answers, policy.reviewerFor(a, p), rubricSpec)
}

/**
 * Scores an assessment for one reader without asking who is calling: `reviewer` is the brand whose review it
 * scores, or null for the self-assessed score. For callers that have already decided (the re-score job works
 * through every stored score); everyone else goes through scoreAssessment or scoreLoaded.
 */
export async function scoreAs(
  db: Conn,
  a: { id: number; questionnaire_version_id: number },
  answers: ReadonlyMap<string, StoredAnswer>,
  reviewer: number | null,
  rubricSpec?: string,
): Promise<Scored> {
  const qv = await versionById(db, a.questionnaire_version_id)
  const rv = await getRubricVersion(db, rubricSpec)
  const inputs = await scoringInputs(db, a.id, reviewer)
  const result = score({
    questionnaire: compiledVersion(qv),
    questionnaireHash: qv.contentHash,
    rubric: rv.rubric,
    rubricHash: rv.hash,
    answers: valuesOf(answers),
    ...inputs,
  })
  return { result, questionnaireVersionId: qv.versionId, rubricVersionId: rv.versionId, reviewer }
}
