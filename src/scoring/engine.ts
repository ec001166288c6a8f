import type { AnswerValue } from '../questionnaire/condition.ts'
import type { CompiledQuestionnaire } from '../questionnaire/model.ts'
import type { ScoreResult } from './result.schema.ts'
import type { Rubric } from './rubric.schema.ts'
import { applicableQuestions } from './stages/applicability.ts'
import { brandMaturity } from './stages/brand-maturity.ts'
import { confidence, dontKnowShare } from './stages/confidence.ts'
import { consistency, type RuleDecision } from './stages/consistency.ts'
import { controlScore } from './stages/control-score.ts'
import { gaps } from './stages/gaps.ts'
import { inherentRisk } from './stages/inherent-risk.ts'
import { questionPoints } from './stages/question-points.ts'
import { rating } from './stages/rating.ts'
import { redFlags, type SuspectedInput, suspectedFlags } from './stages/red-flags.ts'
import { verification } from './stages/verification.ts'

/**
 * The scoring engine: a pure function of (questionnaire version, rubric version, answers, evidence,
 * verification marks). No clock, no database, no randomness: the same input always gives the same
 * result, and every number in it can be traced to the answers and rubric entries that produced it.
 *
 * `score` runs the stages of docs/scoring.md in order, each a pure function in stages/ that reads the
 * input and what earlier stages produced. A new stage is a module in stages/ and one call here; what it
 * adds to the result goes into result.schema.ts. What is remembered between scorings (lookups prepared
 * per rubric and questionnaire, scored answers) lives in memo.ts and nowhere else.
 */

export type ScoreInput = {
  questionnaire: CompiledQuestionnaire
  questionnaireHash: string
  rubric: Rubric
  rubricHash: string
  answers: ReadonlyMap<string, AnswerValue>
  /** Questions with evidence attached. */
  evidence?: ReadonlySet<string>
  /** Questions a reviewer verified, with the method (document, worker interview, site visit). */
  verified?: ReadonlyMap<string, string>
  /** Reviewers' precautionary ("suspected") red flags. */
  suspected?: readonly SuspectedInput[]
  /** Questions whose answer the reviewer accepted: with evidence attached, that verifies it (2026.2). */
  accepted?: ReadonlySet<string>
  /** A reviewer's decisions on the suspected flags raised by consistency rules, by rule id. */
  ruleDecisions?: ReadonlyMap<string, RuleDecision>
}

const EMPTY_SET: ReadonlySet<string> = new Set()
const EMPTY_MAP: ReadonlyMap<string, string> = new Map()
const NO_DECISIONS: ReadonlyMap<string, RuleDecision> = new Map()

export function score(input: ScoreInput): ScoreResult {
  const { questionnaire: cq, rubric: r, answers } = input
  const evidence = input.evidence ?? EMPTY_SET
  const verified = input.verified ?? EMPTY_MAP

  const applicable = applicableQuestions(cq, answers) // §3.5
  const points = questionPoints(cq, r, answers, evidence, verified, applicable) // §3.1–3.5
  const { control, tally } = controlScore(cq, r, applicable, points) // §3.6–3.8
  const inherent = inherentRisk(cq, r, answers, applicable, dontKnowShare(tally)) // §4
  const rules = consistency(cq, r, answers, applicable, input.ruleDecisions ?? NO_DECISIONS) // §6.3
  const flags = redFlags(cq, r, points, answers, applicable, evidence, verified) // §6, §6.1
  for (const f of rules.confirmed) flags.push(f)
  const suspected = suspectedFlags(input.suspected) // §6.2
  for (const f of rules.suspected) suspected.push(f)
  const open = suspected.filter((f) => f.status === undefined || f.status === 'open').length
  const proof = verification(cq, r, points, evidence, verified, input.accepted ?? EMPTY_SET) // §5.1
  const rated = rating(cq, r, inherent.band, control.band, flags, open, proof) // §5, §5.1, §6
  const actions = gaps(cq, r, points, flags, evidence, verified) // §7, §7.1

  return {
    questionnaire: { id: cq.def.id, version: cq.def.version, hash: input.questionnaireHash },
    rubric: { id: r.id, version: r.version, hash: input.rubricHash },
    rating: rated.rating,
    ratingExplanation: rated.ratingExplanation,
    control,
    inherent,
    redFlags: flags,
    ...(rated.verification ? { verification: rated.verification } : {}),
    suspectedFlags: suspected,
    gaps: actions,
    confidence: confidence(r, tally), // §8
    ...brandMaturity(cq, r, points, answers, applicable), // §14: brands only, under a rubric with `maturity`
  }
}
