import type ExcelJS from 'exceljs'
import { answerText } from '../../questionnaire/answer-text.ts'
import type { AnswerValue } from '../../questionnaire/condition.ts'
import type { QuestionEntry } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'
import { INDICATORS, type Severity } from '../../questionnaire/vocabulary.ts'
import { type CellInput, dateCell, RATING_SWATCHES, SEVERITY_SWATCHES, type Swatch } from '../xlsx/style.ts'
import { type TableColumn, writeTable } from '../xlsx/table.ts'
import { capitalise, type GapContext, sectionLabel, severityOf } from './context.ts'

/** The Red flags and Answers sheets: long lists, one row per item, ready to filter. */

type RedFlagRow = {
  question: string
  section: string
  questionText: string
  answer: string
  severity: Severity | undefined
  indicator: string
  why: string
  status: 'active' | 'downgraded' | 'cleared' | 'suspected'
  statusReason: string
  escalates: boolean | null
  action: string
  timeframe: string
  days: number | null
}

const STATUS_SWATCHES: Record<RedFlagRow['status'], Swatch> = {
  active: RATING_SWATCHES.critical,
  downgraded: RATING_SWATCHES.high,
  suspected: RATING_SWATCHES.medium,
  cleared: RATING_SWATCHES.low,
}

const severitySwatch = (s: Severity | undefined): Swatch | undefined => (s ? SEVERITY_SWATCHES[s] : undefined)
const severityLabel = (s: Severity | undefined): string => (s ? SEVERITY_SWATCHES[s].label : '')

const RED_FLAG_COLUMNS: TableColumn<RedFlagRow>[] = [
  { header: 'Question ID', width: 9, value: (r) => r.question },
  { header: 'Section', width: 16, value: (r) => r.section, wrap: true },
  { header: 'Question', width: 32, value: (r) => r.questionText, wrap: true },
  { header: 'Answer', width: 22, value: (r) => r.answer, wrap: true },
  { header: 'Severity', width: 10, value: (r) => severityLabel(r.severity), swatch: (r) => severitySwatch(r.severity) },
  { header: 'Indicator of forced labour', width: 18, value: (r) => r.indicator, wrap: true },
  { header: 'Why it matters', width: 36, value: (r) => r.why, wrap: true },
  { header: 'Status', width: 12, value: (r) => capitalise(r.status), swatch: (r) => STATUS_SWATCHES[r.status] },
  { header: 'Status reason', width: 20, value: (r) => r.statusReason, wrap: true },
  {
    header: 'Escalates alone',
    width: 10,
    value: (r) => (r.escalates === null ? null : r.escalates ? 'Yes' : 'No'),
  },
  { header: 'Immediate action', width: 44, value: (r) => r.action, wrap: true },
  { header: 'Timeframe', width: 14, value: (r) => r.timeframe, wrap: true },
  { header: 'Days', width: 7, value: (r) => r.days, numFmt: '0' },
]

export function writeRedFlags(ws: ExcelJS.Worksheet, ctx: GapContext): void {
  writeTable(ws, {
    title: 'Red flags',
    intro:
      'Answers that match an ILO indicator of forced labour. Each needs action now, whatever the overall score; ' +
      '"Escalates alone" marks those that raise the rating by themselves. Suspected red flags were raised by a ' +
      'reviewer and need checking. These are indicators of risk, not findings of forced labour.',
    columns: RED_FLAG_COLUMNS,
    rows: redFlagRows(ctx),
    empty: 'No answer in this assessment is a red flag, and no reviewer has raised a suspected one.',
    freezeColumns: 1,
    footer: ctx.footer,
  })
}

function redFlagRows(ctx: GapContext): RedFlagRow[] {
  const r = ctx.input.result
  const rows: RedFlagRow[] = r.redFlags.map((f) => ({
    question: f.question,
    section: sectionLabel(ctx, f.section),
    questionText: f.questionText,
    answer: f.answerLabel,
    severity: severityOf(ctx, f.question),
    indicator: f.indicatorLabel,
    why: f.why,
    status: f.status,
    statusReason: f.statusReason,
    escalates: f.escalates,
    action: f.action,
    timeframe: f.timeframe,
    days: f.days,
  }))
  for (const s of r.suspectedFlags) {
    const e = s.question ? ctx.cq.byId.get(s.question) : undefined
    rows.push({
      question: s.question ?? '',
      section: e ? sectionLabel(ctx, e.section.id) : '',
      questionText: e ? t(e.question.text) : '',
      answer: s.question ? (ctx.scores.get(s.question)?.answerLabel ?? '') : '',
      severity: s.question ? severityOf(ctx, s.question) : undefined,
      indicator: s.indicator ? INDICATORS[s.indicator] : '',
      why: s.reason,
      status: 'suspected',
      statusReason: 'Raised by a reviewer as a precaution: verify with workers and documents',
      escalates: null,
      action: '',
      timeframe: '',
      days: null,
    })
  }
  return rows
}

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
