import type ExcelJS from 'exceljs'
import { answerText } from '../../questionnaire/answer-text.ts'
import type { AnswerValue } from '../../questionnaire/condition.ts'
import type { QuestionEntry } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'
import type { Severity } from '../../questionnaire/vocabulary.ts'
import { type CellInput, dateCell, SEVERITY_SWATCHES, type Swatch } from '../xlsx/style.ts'
import { type TableColumn, writeTable } from '../xlsx/table.ts'
import { capitalise, type GapContext, sectionLabel } from './context.ts'

/** The Answers sheet: every question, one row each, ready to filter. */

const severitySwatch = (s: Severity | undefined): Swatch | undefined => (s ? SEVERITY_SWATCHES[s] : undefined)
const severityLabel = (s: Severity | undefined): string => (s ? SEVERITY_SWATCHES[s].label : '')

type AnswerRow = {
  question: string
  section: string
  questionText: string
  answer: CellInput
  missing: boolean
  comment: string | null
  evidence: string
  verified: string
  severity: Severity | undefined
  credit: number | null
  scoring: string
}

const ANSWER_COLUMNS: TableColumn<AnswerRow>[] = [
  { header: 'Question ID', width: 9, value: (r) => r.question },
  { header: 'Section', width: 16, value: (r) => r.section, wrap: true },
  { header: 'Question', width: 40, value: (r) => r.questionText, wrap: true },
  { header: 'Answer', width: 26, value: (r) => r.answer, wrap: true, muted: (r) => r.missing },
  { header: 'Comment', width: 32, value: (r) => r.comment, wrap: true },
  { header: 'Evidence files', width: 20, value: (r) => r.evidence, wrap: true },
  { header: 'Verified by reviewer', width: 12, value: (r) => r.verified, wrap: true },
  { header: 'Severity', width: 10, value: (r) => severityLabel(r.severity), swatch: (r) => severitySwatch(r.severity) },
  { header: 'Credit', width: 8, value: (r) => r.credit, numFmt: '0%' },
  { header: 'Scoring', width: 28, value: (r) => r.scoring, wrap: true },
]

export function writeAnswers(ws: ExcelJS.Worksheet, ctx: GapContext): void {
  writeTable(ws, {
    title: 'Answers',
    intro:
      'Every question of the questionnaire in order, with the answer given, the comment, the evidence files attached ' +
      'and the reviewer’s verification. Credit is the share of the question’s weight the answer earned.',
    columns: ANSWER_COLUMNS,
    rows: answerRows(ctx),
    empty: 'The questionnaire has no questions.',
    freezeColumns: 1,
    footer: ctx.footer,
  })
}

const VERIFICATION_LABELS: Record<string, string> = {
  document: 'Document',
  worker_interview: 'Worker interview',
  site_visit: 'Site visit',
}

function answerRows(ctx: GapContext): AnswerRow[] {
  const { input } = ctx
  return ctx.cq.entries.map((e) => {
    const qid = e.question.id
    const given = input.answers.get(qid)
    const qs = ctx.scores.get(qid)
    const applies = ctx.applies.get(qid) ?? true
    const method = input.verified.get(qid)
    const answer = given ? answerCell(e, given.value) : null
    return {
      question: qid,
      section: sectionLabel(ctx, e.section.id),
      questionText: t(e.question.text),
      answer: answer ?? (applies ? 'Not answered' : 'Not asked'),
      missing: answer === null,
      comment: given?.comment ?? null,
      evidence: (input.evidence.get(qid) ?? []).join('\n'),
      verified: method ? (VERIFICATION_LABELS[method] ?? method) : '',
      severity: e.scored ? e.question.severity : undefined,
      credit: qs?.credit ?? null,
      scoring: scoringNote(e, qs?.note, applies),
    }
  })
}

function scoringNote(e: QuestionEntry, note: string | undefined, applies: boolean): string {
  if (!applies) return 'Not asked: its condition is not met'
  if (note) return capitalise(note)
  if (e.question.profile) return 'Profile: feeds inherent risk, not scored'
  return 'Not scored'
}

/** The answer as a person reads it: choice labels, country names, and numbers and dates as such. */
function answerCell(e: QuestionEntry, value: AnswerValue): CellInput {
  if (typeof value === 'number') return value
  if (value === '' || (Array.isArray(value) && value.length === 0)) return null
  if (e.question.type === 'date' && typeof value === 'string') return dateCell(value) ?? value
  // Several choices, one a line.
  return answerText(e, value, '\n')
}
