import type { AnswerValue } from './condition.ts'
import { corridorText } from './corridors.ts'
import { COUNTRIES } from './countries.ts'
import type { QuestionEntry } from './model.ts'
import { t } from './text.ts'

/**
 * An answer in words, as a person reads it: choice labels instead of their ids, country names instead of
 * codes, numbers and dates as they are. The one place that does this, so that the scoring result (whose
 * `answerLabel` and inputs are hash-pinned), the answer page, the gap report and the questionnaire
 * workbook word an answer the same way. Pure.
 */

/** A choice's label; the id itself when the question has no such choice. */
export function choiceLabel(e: QuestionEntry, id: string): string {
  const c = e.choiceById.get(id)
  return c ? t(c.label) : id
}

/** Several choices are joined with `separator` ("; " in a line of text, a line break in a cell). */
export function answerText(e: QuestionEntry, value: AnswerValue, separator = '; '): string {
  if (Array.isArray(value) && e.question.type === 'corridors')
    return value
      .map((row) => corridorText(row, (id) => choiceLabel(e, id), e.question.unit && t(e.question.unit)))
      .join(separator)
  if (Array.isArray(value)) return value.map((id) => choiceLabel(e, id)).join(separator)
  if (typeof value === 'number') return String(value)
  if (e.question.type === 'country') return COUNTRIES[value] ?? value
  return choiceLabel(e, value)
}
