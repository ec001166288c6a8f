import type { AnswerValue } from '../../questionnaire/condition.ts'
import type { QuestionnaireFile } from '../../questionnaire/questionnaire.schema.ts'
import type { ScoreResult } from '../../scoring/result.schema.ts'
import type { Rubric } from '../../scoring/rubric.schema.ts'
import type { ActionItem } from '../action-plan/layout.ts'

/** What the gap report is made from: one assessment, its score, answers, evidence and action plan. */

export type GapReportInput = {
  organisation: { name: string; site?: string | null; country?: string | null; sector?: string | null }
  assessment: { id: number; status: string; createdAt: string; submittedAt?: string | null; reviewedAt?: string | null }
  questionnaire: { id: string; title: string; version: string; revision: number; def: QuestionnaireFile }
  rubric: { id: string; version: string; revision: number; rubric: Rubric }
  result: ScoreResult
  answers: Map<string, { value: AnswerValue; comment?: string | null }>
  /** Question id → evidence file names. */
  evidence: Map<string, string[]>
  /** Question id → verification method. */
  verified: Map<string, string>
  /**
   * The stored corrective action plan, one item per gap question. Gaps without an item (all of them when
   * none is stored yet) are listed open, due their suggested number of days after generatedAt, and
   * without ids: a copy with such rows says it cannot be uploaded back.
   */
  actions: ActionItem[]
  generatedAt: Date
}
