import type { AnswerValue } from '../../questionnaire/condition.ts'
import { applicability, type CompiledQuestionnaire } from '../../questionnaire/model.ts'

/** What applies to one set of answers. */
export type Applicable = {
  /** By entry index of the compiled questionnaire: 1 when the question applies. */
  byIndex: Uint8Array
  section: (sectionId: string) => boolean
  question: (questionId: string) => boolean
}

/**
 * A stage of the score (scoring.md §3.5): which sections and questions apply, from the raw answers. A question that
 * does not apply, or sits in a section that does not apply, is left out of both sides of the score.
 */
export function applicableQuestions(cq: CompiledQuestionnaire, answers: ReadonlyMap<string, AnswerValue>): Applicable {
  const app = applicability(cq, answers)
  return {
    byIndex: app.byIndex,
    section: (id) => app.sections.get(id) ?? true,
    question: app.applies,
  }
}
