import type { Choice } from '../../questionnaire/questionnaire.schema.ts'
import type { QuestionScore } from '../result.schema.ts'

/**
 * One question after the question-points stage: its row in the result plus what the later stages
 * read (the chosen answers for red flags and remediation, "don't know" and gap for the tallies).
 * Rows are shared between results through the memo, so they are frozen and read-only.
 */
export type ScoredAnswer = {
  qs: QuestionScore
  selected: readonly Choice[]
  dontKnow: boolean
  gap: boolean
}

/**
 * The question points of one scoring, by entry index of the compiled questionnaire: undefined for
 * questions that are not scored (profile questions), a "not asked" row for those that do not apply.
 */
export type QuestionPoints = readonly (ScoredAnswer | undefined)[]

/** The counts behind confidence and the "don't know" factor of inherent risk. */
export type Tally = { counted: number; dontKnow: number; unverified: number }
