import { answerText } from '../../questionnaire/answer-text.ts'
import type { AnswerValue } from '../../questionnaire/condition.ts'
import type { QuestionEntry } from '../../questionnaire/model.ts'

/** Reading an answer, as the stages need it: whether it is empty, and its words. */

export function isEmpty(v: AnswerValue | undefined): boolean {
  return v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
}

export function labelOf(e: QuestionEntry, value: AnswerValue | undefined): string {
  return value === undefined ? 'Not answered' : answerText(e, value)
}
