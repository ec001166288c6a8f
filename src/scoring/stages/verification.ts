import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import type { ScoreResult } from '../result.schema.ts'
import type { Rubric } from '../rubric.schema.ts'
import type { QuestionPoints } from './types.ts'

export type Verification = NonNullable<ScoreResult['verification']>

/**
 * A stage of the score (scoring.md §5.1, rubric 2026.2): which of the answers the rating rests on are proven.
 * A required question (severity listed in the rubric's `verification.severities`, applicable and answered or
 * left unanswered) is verified when a reviewer verified it, or accepted its answer with evidence attached.
 * Evidence alone earns full credit (§3.3) but does not verify: someone other than the respondent must have
 * looked at it. Returns null under a rubric without the verification block (2026.1).
 */
export function verification(
  cq: CompiledQuestionnaire,
  r: Rubric,
  points: QuestionPoints,
  evidence: ReadonlySet<string>,
  verified: ReadonlyMap<string, string>,
  accepted: ReadonlySet<string>,
): Omit<Verification, 'rule' | 'caution'> | null {
  const v = r.verification
  if (!v) return null
  let required = 0
  let done = 0
  const unverified: string[] = []
  for (let i = 0; i < points.length; i++) {
    const s = points[i]
    if (!s) continue
    const st = s.qs.status
    if (st === 'not_applicable' || st === 'excluded') continue
    if (!v.severities.includes(s.qs.severity)) continue
    required++
    const id = (cq.entries[i] as QuestionEntry).question.id
    if (verified.has(id) || (evidence.has(id) && accepted.has(id))) done++
    else unverified.push(id)
  }
  return { required, verified: done, unverified }
}
