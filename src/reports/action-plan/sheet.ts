import type ExcelJS from 'exceljs'
import { t } from '../../questionnaire/text.ts'
import type { Severity } from '../../questionnaire/vocabulary.ts'
import type { Gap } from '../../scoring/result.schema.ts'
import {
  type GapContext,
  gapTypeLabel,
  plural,
  SEVERITY_RANK,
  sectionLabel,
  severityOf,
} from '../gap-report/context.ts'
import { CLOSED_TIER, compareUrgency, type UrgencyKey, urgencyOf } from '../gap-report/urgency.ts'
import { safeText } from '../xlsx/cell-safety.ts'
import { addDaysUtc, type CellInput, DATE_FORMAT, dateCell, SEVERITY_SWATCHES } from '../xlsx/style.ts'
import { type TableColumn, type TableGroup, writeTable } from '../xlsx/table.ts'
import {
  ACTION_PLAN_COLUMNS,
  type ActionItem,
  type ActionPlanColumnKey,
  type ActionStatus,
  ASSESSMENT_ID_CELL,
  CHECKED_COLUMNS,
  type CheckedColumnKey,
  cellOf,
  columnOf,
  DUE_DATE_MAX,
  DUE_DATE_MIN,
  FORMAT_CELL,
  FORMAT_MARKER,
  HEADING_ROW_MARKER,
  NOTES_MAX_LENGTH,
  OWNER_MAX_LENGTH,
  rowCheck,
  STATUS_LABELS,
} from './layout.ts'

/**
 * The corrective action plan: one row per gap, grouped by section of the questionnaire under a heading row
 * that counts the section's gaps and red flags; within a section, most urgent first (gap-report/urgency.ts,
 * the order of the Top actions sheet). Owner, due date, status and notes are for the site to fill in and
 * upload back; the hidden id column and row check let the upload match rows and notice edits to the
 * read-only columns. A heading row carries HEADING_ROW_MARKER where an action has its id, and the upload
 * skips it; columns and hidden cells are unchanged, so copies made before the headings upload as before.
 */

type PlanRow = {
  id: number | null
  question: string
  section: string
  questionText: string
  answer: string
  severity: Severity | undefined
  redFlag: string
  gapType: string
  standard: string
  action: string
  timeframe: string
  owner: string | null
  dueDate: Date | null
  status: ActionStatus
  notes: string | null
  /** The section the row is grouped under ('' when its question is no longer in the questionnaire). */
  sectionId: string
  isGap: boolean
  isRedFlag: boolean
  sortKey: UrgencyKey
}

const VALUES: Record<Exclude<ActionPlanColumnKey, 'check'>, (r: PlanRow) => CellInput> = {
  id: (r) => r.id,
  question: (r) => r.question,
  section: (r) => r.section,
  questionText: (r) => r.questionText,
  answer: (r) => r.answer,
  severity: (r) => (r.severity ? SEVERITY_SWATCHES[r.severity].label : ''),
  redFlag: (r) => r.redFlag,
  gapType: (r) => r.gapType,
  standard: (r) => r.standard,
  action: (r) => r.action,
  timeframe: (r) => r.timeframe,
  owner: (r) => r.owner,
  dueDate: (r) => r.dueDate,
  status: (r) => STATUS_LABELS[r.status],
  notes: (r) => r.notes,
}

/** The texts the row check covers, exactly as they are written to the cells. */
function checkOf(r: PlanRow): string {
  const texts = Object.fromEntries(CHECKED_COLUMNS.map((k) => [k, safeText(String(VALUES[k](r) ?? ''))])) as Record<
    CheckedColumnKey,
    string
  >
  return rowCheck(texts)
}

const WRAPPED = new Set<ActionPlanColumnKey>([
  'section',
  'questionText',
  'answer',
  'redFlag',
  'gapType',
  'standard',
  'action',
  'timeframe',
  'owner',
  'notes',
])

const COLUMNS: TableColumn<PlanRow>[] = ACTION_PLAN_COLUMNS.map((spec) => ({
  header: spec.header,
  width: spec.width,
  hidden: 'hidden' in spec ? spec.hidden : false,
  editable: 'editable' in spec ? spec.editable : false,
  wrap: WRAPPED.has(spec.key),
  value: spec.key === 'check' ? checkOf : VALUES[spec.key],
  numFmt: spec.key === 'dueDate' ? DATE_FORMAT : spec.key === 'id' ? '0' : undefined,
  swatch:
    spec.key === 'severity' ? (r: PlanRow) => (r.severity ? SEVERITY_SWATCHES[r.severity] : undefined) : undefined,
}))

export function writeActionPlan(ws: ExcelJS.Worksheet, ctx: GapContext): void {
  const rows = planRows(ctx)
  const uploadable = rows.length > 0 && rows.every((r) => r.id !== null)
  const placed = writeTable(ws, {
    title: 'Corrective action plan',
    intro: uploadable ? UPLOAD_INTRO : rows.length > 0 ? DRAFT_INTRO : EMPTY_INTRO,
    columns: COLUMNS,
    // The heading text stays within the read-only columns: merged into an editable one, it would read there.
    rows: { groups: bySection(ctx, rows), headingColumns: { from: columnOf('question'), to: columnOf('timeframe') } },
    empty: 'No gaps in this assessment.',
    freezeColumns: 2,
    footer: ctx.footer,
  })
  ws.getCell(ASSESSMENT_ID_CELL).value = ctx.input.assessment.id
  ws.getCell(FORMAT_CELL).value = FORMAT_MARKER
  for (const row of placed.headingRows) ws.getCell(cellOf('id', row)).value = HEADING_ROW_MARKER
  if (rows.length === 0) return
  for (const row of placed.dataRows) addValidations(ws, row)
  addOverdueHighlight(ws, placed.firstRow, placed.lastRow)
}

const ORDER =
  'One row per gap, grouped by section with a heading row counting its gaps (use the outline buttons on the left ' +
  'to fold a section); within a section, most urgent first, as on the Top actions sheet.'
const UPLOAD_INTRO =
  `${ORDER} Fill in the green-headed columns (Owner, Due date, Status, Notes) and upload this file to Fairhire to ` +
  'update the plan. Leave the other columns, their order and the hidden columns as they are: an upload that ' +
  'changes them is refused, and the cell is named. Overdue dates that are not done show in bold red.'
const DRAFT_INTRO =
  `${ORDER} Due dates are suggested from each gap’s timeframe. This plan is not yet saved in Fairhire, so this ` +
  'copy cannot be uploaded back: start the action plan in Fairhire and download the report again to update it ' +
  'from Excel.'
const EMPTY_INTRO = 'One row per gap, grouped by section.'

/**
 * The rows under one heading per section, in questionnaire order; actions whose question has left the
 * questionnaire come last. The heading counts the gaps and red flags (e.g. "A3 Recruitment fees and related
 * costs — 21 gaps, 18 red flags"), so that the counts of all headings add up to the gaps of the score.
 */
function bySection(ctx: GapContext, rows: PlanRow[]): TableGroup<PlanRow>[] {
  const sections = new Map<string, PlanRow[]>()
  for (const r of rows) sections.set(r.sectionId, [...(sections.get(r.sectionId) ?? []), r])
  const position = new Map(ctx.cq.def.sections.map((s, i) => [s.id, i]))
  const at = (id: string) => position.get(id) ?? Number.MAX_SAFE_INTEGER
  return [...sections]
    .sort(([a], [b]) => at(a) - at(b))
    .map(([id, list]) => ({ heading: sectionHeading(ctx, id, list), rows: list }))
}

function sectionHeading(ctx: GapContext, sectionId: string, rows: PlanRow[]): string {
  const name = sectionId ? sectionLabel(ctx, sectionId) : 'Questions no longer in this questionnaire'
  const gaps = rows.filter((r) => r.isGap).length
  const flags = rows.filter((r) => r.isRedFlag).length
  const closed = rows.length - gaps
  const counts = [plural(gaps, 'gap')]
  if (flags > 0) counts.push(plural(flags, 'red flag'))
  const tail = closed > 0 ? `; ${closed} earlier ${closed === 1 ? 'action' : 'actions'} no longer a gap` : ''
  return `${name} — ${counts.join(', ')}${tail}`
}

function addValidations(ws: ExcelJS.Worksheet, row: number): void {
  ws.getCell(cellOf('status', row)).dataValidation = {
    type: 'list',
    allowBlank: false,
    formulae: [`"${Object.values(STATUS_LABELS).join(',')}"`],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: 'Status',
    error: `Choose one of: ${Object.values(STATUS_LABELS).join(', ')}.`,
  }
  ws.getCell(cellOf('dueDate', row)).dataValidation = {
    type: 'date',
    operator: 'between',
    allowBlank: true,
    formulae: [dateCell(DUE_DATE_MIN) as Date, dateCell(DUE_DATE_MAX) as Date],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: 'Due date',
    error: 'Type a date, for example 2026-03-31.',
    showInputMessage: true,
    promptTitle: 'Due date',
    prompt: 'A date, for example 2026-03-31.',
  }
  for (const [key, max] of [
    ['owner', OWNER_MAX_LENGTH],
    ['notes', NOTES_MAX_LENGTH],
  ] as const) {
    ws.getCell(cellOf(key, row)).dataValidation = {
      type: 'textLength',
      operator: 'lessThanOrEqual',
      allowBlank: true,
      formulae: [max],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: key === 'owner' ? 'Owner' : 'Notes',
      error: `At most ${max} characters.`,
    }
  }
}

/** A due date in the past on an open action turns bold red, on screen and on paper (it stays legible). */
function addOverdueHighlight(ws: ExcelJS.Worksheet, first: number, last: number): void {
  const due = cellOf('dueDate', first)
  const status = cellOf('status', first)
  const open = [STATUS_LABELS.open, STATUS_LABELS.in_progress].map((s) => `${status}="${s}"`).join(',')
  ws.addConditionalFormatting({
    ref: `${cellOf('dueDate', first)}:${cellOf('dueDate', last)}`,
    rules: [
      {
        type: 'expression',
        priority: 1,
        formulae: [`AND(ISNUMBER(${due}),${due}<TODAY(),OR(${open}))`],
        style: { font: { bold: true, color: { argb: 'FFC00000' } } },
      },
    ],
  })
}

/**
 * The stored actions, plus any gap that has none yet (the plan lags behind a re-score): a gap is never
 * left out of the report, even though such a copy cannot be uploaded back.
 */
function planRows(ctx: GapContext): PlanRow[] {
  const { input } = ctx
  const planned = new Set(input.actions.map((a) => a.question))
  const rows = [
    ...input.actions.map((a) => rowFromAction(ctx, a)),
    ...input.result.gaps.filter((g) => !planned.has(g.question)).map((g) => rowFromGap(ctx, g)),
  ]
  return rows.sort((a, b) => compareUrgency(a.sortKey, b.sortKey))
}

function rowFromGap(ctx: GapContext, g: Gap): PlanRow {
  return {
    ...gapColumns(ctx, g),
    id: null,
    owner: null,
    dueDate: g.days === null ? null : addDaysUtc(ctx.input.generatedAt, g.days),
    status: 'open',
    notes: null,
  }
}

function rowFromAction(ctx: GapContext, a: ActionItem): PlanRow {
  const g = ctx.gaps.get(a.question)
  const base = g ? gapColumns(ctx, g) : closedGapColumns(ctx, a.question)
  return {
    ...base,
    id: a.id,
    owner: a.owner,
    dueDate: a.dueDate ? dateCell(a.dueDate) : null,
    status: a.status,
    notes: a.notes,
  }
}

type GapColumns = Omit<PlanRow, 'id' | 'owner' | 'dueDate' | 'status' | 'notes'>

function gapColumns(ctx: GapContext, g: Gap): GapColumns {
  return {
    question: g.question,
    section: sectionLabel(ctx, g.section),
    questionText: g.questionText,
    answer: g.answerLabel,
    severity: g.severity,
    redFlag: g.redFlag ? (ctx.redFlagIndicators.get(g.question) ?? 'Yes') : '',
    gapType: gapTypeLabel(g.gapType),
    standard: g.sources.join('\n'),
    action: g.action,
    timeframe: g.timeframe,
    sectionId: g.section,
    isGap: true,
    isRedFlag: g.redFlag,
    sortKey: urgencyOf(ctx, g),
  }
}

/** An action whose question is no longer a gap in this score (answered better since): kept, so it can be closed. */
function closedGapColumns(ctx: GapContext, questionId: string): GapColumns {
  const e = ctx.cq.byId.get(questionId)
  const severity = severityOf(ctx, questionId)
  const rem = e?.question.remediation
  const current = ctx.scores.get(questionId)?.answerLabel
  return {
    question: questionId,
    section: e ? sectionLabel(ctx, e.section.id) : '',
    questionText: e ? t(e.question.text) : questionId,
    answer: current ? `${current} (no longer a gap)` : 'No longer a gap',
    severity,
    redFlag: '',
    gapType: gapTypeLabel(rem?.gap_type ?? null),
    standard: (e?.question.sources ?? [])
      .map((s) => (s.clause ? `${s.framework} ${s.clause}` : s.framework))
      .join('\n'),
    action: t(rem?.action),
    timeframe: t(rem?.timeframe),
    sectionId: e?.section.id ?? '',
    isGap: false,
    isRedFlag: false,
    sortKey: [CLOSED_TIER, severity ? SEVERITY_RANK[severity] : 4, 0, ctx.order.get(questionId) ?? 0],
  }
}
