import type { AnswerValue } from '../../questionnaire/condition.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import type { QuestionEntry } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'

/** Reading an answer, as the stages need it: whether it is empty, and its words. */

export function isEmpty(v: AnswerValue | undefined): boolean {
  return v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
}

export function labelOf(e: QuestionEntry, value: AnswerValue | undefined): string {
  if (value === undefined) return 'Not answered'
  if (Array.isArray(value)) return value.map((v) => t(e.choiceById.get(v)?.label) || v).join('; ')
  if (typeof value === 'number') return String(value)
  if (e.question.type === 'country') return COUNTRIES[value] ?? value
  const c = e.choiceById.get(value)
  return c ? t(c.label) : value
}
