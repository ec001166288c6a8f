import { checkAnswers, type RawAnswer } from '../../questionnaire/answers.ts'
import type { AnswerValue } from '../../questionnaire/condition.ts'
import { applicability, type CompiledQuestionnaire } from '../../questionnaire/model.ts'
import { xmlText } from '../xlsx/cell-safety.ts'
import { describeCondition } from './conditions.ts'
import type { ParsedQuestionnaire } from './parse.ts'

/**
 * What an accepted offline questionnaire changes, compared with the saved answers. A row counts as
 * changed only when its cells differ from what the export wrote for the saved answer, so a file uploaded
 * as it was downloaded changes nothing. A row of a question that is not asked, under the answers as they
 * will be after the import, is not saved and is listed as ignored; it may still clear what was saved.
 * Answers saved earlier for questions that are now not asked are kept, as a save from the form keeps
 * them: they count again if the question is asked again.
 */

export type SavedAnswer = { value: AnswerValue | null; comment: string | null }
export type IgnoredRow = { question: string; cell: string; reason: string }
export type WorkbookChanges = {
  /** Changed answers, for saveAnswers (null clears). */
  answers: Record<string, RawAnswer>
  /** Changed comments, for saveAnswers (null clears). */
  comments: Record<string, string | null>
  /** Rows with an answer or comment that was not saved because the question is not asked, in questionnaire order. */
  ignored: IgnoredRow[]
}

/**
 * Text as a cell gives it back: XML drops control characters and replaces what it cannot hold (xmlText),
 * reads CR LF and CR as LF, and a cell of blanks reads as empty.
 */
function asCell(text: string): string {
  const s = xmlText(text).replace(/\r\n?/g, '\n')
  return s.trim() === '' ? '' : s
}

function sameValue(saved: AnswerValue | null | undefined, read: RawAnswer): boolean {
  if (typeof saved === 'string')
    return asCell(saved) === (typeof read === 'string' ? asCell(read) : read === null ? '' : read)
  return JSON.stringify(saved ?? null) === JSON.stringify(read ?? null)
}

const sameComment = (saved: string | null | undefined, read: string) => asCell(saved ?? '').trim() === read.trim()

export function workbookChanges(
  cq: CompiledQuestionnaire,
  saved: ReadonlyMap<string, SavedAnswer>,
  parsed: Pick<ParsedQuestionnaire, 'answers' | 'comments' | 'cells'>,
): WorkbookChanges {
  const valueChanged: Record<string, RawAnswer> = {}
  const commentChanged: Record<string, string | null> = {}
  for (const e of cq.entries) {
    const q = e.question.id
    const cur = saved.get(q)
    if (q in parsed.answers && !sameValue(cur?.value, parsed.answers[q] ?? null))
      valueChanged[q] = parsed.answers[q] ?? null
    const comment = parsed.comments[q]
    if (comment !== undefined && !sameComment(cur?.comment, comment)) commentChanged[q] = comment.trim() || null
  }

  // The answers as they will be after the import: what applies is decided on these, so a file that answers
  // "no housing" and the housing headcount in one go does not store the headcount.
  const after = new Map<string, AnswerValue>()
  for (const [q, a] of saved) if (a.value !== null) after.set(q, a.value)
  const checked = checkAnswers(cq, valueChanged).values
  for (const q of Object.keys(valueChanged)) {
    const v = checked.get(q)
    if (v === undefined) after.delete(q)
    else after.set(q, v)
  }
  // An answer to a question that is not asked never changes what applies (conditions do not see it), so
  // leaving the ignored rows out below cannot make another question asked or not asked.
  const app = applicability(cq, after)

  const out: WorkbookChanges = { answers: {}, comments: {}, ignored: [] }
  for (const e of cq.entries) {
    const q = e.question.id
    const value = q in valueChanged
    const comment = q in commentChanged
    if (!value && !comment) continue
    const adds = (value && valueChanged[q] !== null) || (comment && commentChanged[q] !== null)
    if (adds && !app.applies(q)) {
      const sectionOff = app.sections.get(e.section.id) === false && e.section.when
      const reason = sectionOff
        ? `not saved: the questions of section ${e.section.id} are asked only if ${describeCondition(cq, e.section.when as string)}`
        : `not saved: this question is asked only if ${describeCondition(cq, e.question.when ?? 'true')}`
      out.ignored.push({ question: q, cell: parsed.cells[q] ?? '', reason: `${q}: ${reason}` })
      continue
    }
    if (value) out.answers[q] = valueChanged[q] ?? null
    if (comment) out.comments[q] = commentChanged[q] ?? null
  }
  return out
}
