import ExcelJS from 'exceljs'
import { answerText } from '../../questionnaire/answer-text.ts'
import type { AnswerValue } from '../../questionnaire/condition.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import type { Section } from '../../questionnaire/questionnaire.schema.ts'
import { t } from '../../questionnaire/text.ts'
import { safeText } from '../xlsx/cell-safety.ts'
import { BORDERS, EDITABLE, FONT, HEADER_STYLE, MUTED_COLOR, solid, TOP_WRAP } from '../xlsx/style.ts'
import { describeCondition } from './conditions.ts'
import {
  COL,
  COLUMN_NUMBER,
  COUNTRY_NAMES,
  FORMAT_VERSION,
  HEADER_ROW,
  layout,
  type MetaKey,
  metaChecksum,
  rowKey,
  SHEET,
  type WorkbookMeta,
} from './layout.ts'

/**
 * The offline questionnaire: a workbook a site can fill in without a connection and upload again.
 * People see choice labels and drop-downs; hidden columns and sheets carry what the import needs to
 * refuse a file that belongs to another assessment or questionnaire version, or whose ids were edited.
 */

export type { WorkbookMeta } from './layout.ts'
export { parseQuestionnaireWorkbook } from './parse.ts'

/** A saved answer; `value` is null for a question that has only a comment. */
export type PrefilledAnswer = { value: AnswerValue | null; comment?: string | null }

const SECTION_FILL = solid('D9E2E7')

/** Widths chosen so that a landscape A4 page holds every visible column at about 75 %. */
const ANSWER_HEADERS: [keyof typeof COLUMN_NUMBER, string, number][] = [
  ['section', 'Section', 8],
  ['id', 'ID', 8],
  ['question', 'Question', 48],
  ['answer', 'Answer', 30],
  ['comment', 'Comment (optional)', 24],
  ['how', 'How to answer', 32],
  ['help', 'Help', 44],
  ['key', 'Key (do not change)', 18],
]
const WIDTH = Object.fromEntries(ANSWER_HEADERS.map(([name, , width]) => [name, width])) as Record<
  keyof typeof COLUMN_NUMBER,
  number
>
const INSTRUCTIONS_WIDTH = 72
/** Columns whose text wraps, so their text sets the row height (the section title overflows instead). */
const WRAPPED: (keyof typeof COLUMN_NUMBER)[] = ['question', 'answer', 'comment', 'how', 'help']

/**
 * Neither Excel nor LibreOffice reliably grows a row to fit wrapped text written by a program, so the
 * height is estimated: about 1.2 characters per unit of column width, 15 points per line.
 */
function fitHeight(row: ExcelJS.Row, cells: [text: string, width: number][]): void {
  let lines = 1
  for (const [text, width] of cells) {
    const perLine = Math.max(1, Math.floor(width * 1.2))
    const n = text.split('\n').reduce((sum, para) => sum + Math.max(1, Math.ceil(para.length / perLine)), 0)
    lines = Math.max(lines, n)
  }
  row.height = Math.min(409, lines * 15 + 2)
}

export function buildQuestionnaireWorkbook(
  meta: WorkbookMeta,
  cq: CompiledQuestionnaire,
  answers: Map<string, PrefilledAnswer>,
): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Fairhire'
  wb.title = `${t(cq.def.title)} (assessment ${meta.assessmentId})`
  wb.subject = `Questionnaire ${cq.def.id} ${cq.def.version}, revision ${meta.revision}`
  addInstructions(wb, meta, cq)
  const sheet = wb.addWorksheet(SHEET.answers, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW, activeCell: 'D3' }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
  })
  const lists = new Lists(wb.addWorksheet(SHEET.lists, { state: 'hidden' }))
  addMeta(wb, meta, cq)
  writeAnswerSheet(sheet, meta, cq, answers, lists)
  return wb
}

function addInstructions(wb: ExcelJS.Workbook, meta: WorkbookMeta, cq: CompiledQuestionnaire): void {
  const ws = wb.addWorksheet(SHEET.instructions, {
    pageSetup: { orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
  })
  ws.getColumn(1).width = INSTRUCTIONS_WIDTH
  const title = ws.addRow([safeText(t(cq.def.title))])
  title.font = { ...FONT, bold: true, size: 14 }
  title.alignment = TOP_WRAP
  fitHeight(title, [[t(cq.def.title), INSTRUCTIONS_WIDTH * 0.75]])
  ws.addRow([
    `Assessment ${meta.assessmentId} · questionnaire "${cq.def.id}" version ${cq.def.version} (revision ${meta.revision})`,
  ]).font = { ...FONT, color: MUTED_COLOR }
  ws.addRow([])
  for (const [heading, lines] of instructionText(cq)) {
    ws.addRow([heading]).font = { ...FONT, bold: true, size: 12 }
    for (const line of lines) {
      const row = ws.addRow([safeText(line)])
      row.font = FONT
      row.alignment = TOP_WRAP
      fitHeight(row, [[line, INSTRUCTIONS_WIDTH]])
    }
    ws.addRow([])
  }
}

function instructionText(cq: CompiledQuestionnaire): [string, string[]][] {
  return [
    ['About this questionnaire', [t(cq.def.description)]],
    [
      'How to fill it in',
      [
        `1. Answer on the "${SHEET.answers}" sheet, in the yellow Answer column (${COL.answer}). Where a cell shows a drop-down arrow, pick the answer from the list.`,
        '2. The "How to answer" column says what each question expects. Where several answers are allowed, type them in one cell separated by a semicolon, for example: First answer; Second answer.',
        '3. Numbers: type the number only, without units. Dates: type a date the way your Excel shows dates, or as 2026-06-30.',
        '4. Questions marked "Answer only if …" apply only when that condition is met. Otherwise leave them empty: they are ignored.',
        `5. Add a comment in column ${COL.comment} when an answer needs explaining. Comments are optional.`,
        '6. An empty Answer cell means "not answered". If this file was filled in for you from earlier answers, emptying a cell removes that answer when you upload the file.',
        `7. Do not change the IDs in column ${COL.id}, the hidden key column or the hidden sheets, and do not add or delete rows: they link every answer to its question. Sorting and filtering are fine.`,
        '8. Upload the file on the assessment page. It is checked as a whole: if any row has a problem, nothing is saved, and you get a list of the cells to correct (for example "Answers D14").',
      ],
    ],
    [
      '"Don\'t know"',
      [
        '"Don\'t know" is always allowed and is better than a guess. It is not a bad answer: it is treated as a gap to look into, and many "don\'t know" answers lower the confidence of the result. Find out the answer later if you can, and update it.',
      ],
    ],
    [
      'What the results mean',
      [
        'Some answers show indicators of forced-labour risk, based on the ILO indicators of forced labour. They are warning signs that call for a closer look and for action. A self-assessment shows indicators of risk; it never establishes that forced labour exists.',
      ],
    ],
  ]
}

function addMeta(wb: ExcelJS.Workbook, meta: WorkbookMeta, cq: CompiledQuestionnaire): void {
  // "veryHidden" cannot be unhidden from Excel's menus, which keeps these cells out of casual reach.
  const ws = wb.addWorksheet(SHEET.meta, { state: 'veryHidden' })
  const values: Record<MetaKey, string | number> = {
    format: FORMAT_VERSION,
    assessment_id: meta.assessmentId,
    questionnaire_id: meta.questionnaireId,
    questionnaire_version: cq.def.version,
    revision: meta.revision,
    content_hash: meta.contentHash,
    checksum: metaChecksum(meta, cq),
  }
  for (const [key, value] of Object.entries(values)) ws.addRow([key, value])
  ws.getColumn(1).width = 22
  ws.getColumn(2).width = 70
}

/** Distinct answer lists on the hidden Lists sheet, one per column, shared by questions with the same list. */
class Lists {
  private readonly byContent = new Map<string, string>()
  constructor(private readonly ws: ExcelJS.Worksheet) {}

  rangeFor(name: string, labels: readonly string[]): string {
    const key = labels.join('\u0000')
    let range = this.byContent.get(key)
    if (!range) {
      const column = this.ws.getColumn(this.byContent.size + 1)
      column.width = 40
      this.ws.getCell(1, column.number).value = name
      labels.forEach((label, i) => {
        this.ws.getCell(i + 2, column.number).value = safeText(label)
      })
      range = `${SHEET.lists}!$${column.letter}$2:$${column.letter}$${labels.length + 1}`
      this.byContent.set(key, range)
    }
    return range
  }
}

function writeAnswerSheet(
  ws: ExcelJS.Worksheet,
  meta: WorkbookMeta,
  cq: CompiledQuestionnaire,
  answers: Map<string, PrefilledAnswer>,
  lists: Lists,
): void {
  for (const [name, header, width] of ANSWER_HEADERS) {
    const column = ws.getColumn(COLUMN_NUMBER[name])
    column.width = width
    const cell = ws.getCell(HEADER_ROW, COLUMN_NUMBER[name])
    cell.value = header
    cell.style = HEADER_STYLE
  }
  ws.getColumn(COLUMN_NUMBER.key).hidden = true
  ws.getRow(HEADER_ROW).height = 30
  let last = HEADER_ROW
  for (const item of layout(cq)) {
    if (item.kind === 'section') writeSectionRow(ws.getRow(item.row), cq, item.section)
    else writeQuestionRow(ws.getRow(item.row), meta, item.entry, answers.get(item.entry.question.id), lists, cq)
    last = item.row
  }
  ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: last, column: COLUMN_NUMBER.help } }
  ws.pageSetup.printTitlesRow = `${HEADER_ROW}:${HEADER_ROW}`
}

function fitAnswerRow(row: ExcelJS.Row): void {
  fitHeight(
    row,
    WRAPPED.map((name) => {
      const v = row.getCell(COLUMN_NUMBER[name]).value
      // Bold question text is wider, so it gets fewer characters per line.
      return [typeof v === 'string' ? v : '', name === 'question' ? WIDTH[name] * 0.9 : WIDTH[name]]
    }),
  )
}

function writeSectionRow(row: ExcelJS.Row, cq: CompiledQuestionnaire, s: Section): void {
  const title = `${s.id} ${t(s.title)}${s.profile ? ' (about the site: not scored)' : ''}`
  row.getCell(COLUMN_NUMBER.section).value = safeText(title)
  if (s.when) row.getCell(COLUMN_NUMBER.how).value = `Answer this section only if ${describeCondition(cq, s.when)}.`
  if (s.description) row.getCell(COLUMN_NUMBER.help).value = safeText(t(s.description))
  for (let c = 1; c <= COLUMN_NUMBER.help; c++) {
    const cell = row.getCell(c)
    cell.fill = SECTION_FILL
    cell.font = { ...FONT, bold: c === COLUMN_NUMBER.section }
    // The title overflows into the empty cells beside it, so it is not wrapped.
    cell.alignment = c === COLUMN_NUMBER.section ? { vertical: 'top' } : TOP_WRAP
    cell.border = BORDERS
  }
  fitAnswerRow(row)
}

function writeQuestionRow(
  row: ExcelJS.Row,
  meta: WorkbookMeta,
  e: QuestionEntry,
  prefilled: PrefilledAnswer | undefined,
  lists: Lists,
  cq: CompiledQuestionnaire,
): void {
  const q = e.question
  const unit = q.unit ? ` (${t(q.unit)})` : ''
  row.getCell(COLUMN_NUMBER.section).value = e.section.id
  row.getCell(COLUMN_NUMBER.id).value = q.id
  row.getCell(COLUMN_NUMBER.question).value = safeText(t(q.text) + unit)
  row.getCell(COLUMN_NUMBER.how).value = safeText(howToAnswer(cq, e))
  row.getCell(COLUMN_NUMBER.help).value = safeText(helpText(e))
  row.getCell(COLUMN_NUMBER.key).value = rowKey(meta.contentHash, q.id)
  for (let c = 1; c <= COLUMN_NUMBER.help; c++) {
    const cell = row.getCell(c)
    cell.alignment = TOP_WRAP
    cell.border = BORDERS
    cell.font = FONT
  }
  row.getCell(COLUMN_NUMBER.question).font = { ...FONT, bold: q.required }
  if (q.when) row.getCell(COLUMN_NUMBER.how).font = { ...FONT, italic: true }
  const answer = row.getCell(COLUMN_NUMBER.answer)
  const comment = row.getCell(COLUMN_NUMBER.comment)
  answer.fill = EDITABLE
  comment.fill = EDITABLE
  // A comment without an answer leaves the Answer cell empty, which the import reads as "not answered".
  if (prefilled && prefilled.value !== null) answer.value = answerCellValue(e, prefilled.value)
  if (prefilled?.comment) comment.value = safeText(prefilled.comment)
  if (q.type === 'date') answer.numFmt = 'yyyy-mm-dd'
  if (q.type === 'number' && q.integer) answer.numFmt = '0'
  const validation = answerValidation(e, lists)
  if (validation) answer.dataValidation = validation
  fitAnswerRow(row)
}

function helpText(e: QuestionEntry): string {
  const parts = [t(e.question.help)]
  if (e.question.evidence) parts.push(`Evidence a reviewer may ask for: ${t(e.question.evidence)}`)
  return parts.filter(Boolean).join('\n\n')
}

function howToAnswer(cq: CompiledQuestionnaire, e: QuestionEntry): string {
  const q = e.question
  const lines: string[] = []
  if (q.when) lines.push(`Answer only if ${describeCondition(cq, q.when)}.`)
  switch (q.type) {
    case 'single':
    case 'scale':
      lines.push('Choose one answer from the list.')
      break
    case 'multi':
      lines.push(
        'Choose one or more. The list offers one at a time: to give several, type them separated by ";".',
        `Allowed: ${e.choices.map((c) => t(c.label)).join('; ')}`,
      )
      break
    case 'number':
      lines.push(numberRule(e))
      break
    case 'date':
      lines.push('A date, for example 2026-06-30.')
      break
    case 'country':
      lines.push('Choose the country from the list.')
      break
    case 'text':
      lines.push('Free text, up to 10,000 characters.')
      break
    case 'corridors':
      // The cell is read back as rows (parse.ts): the same codes as the answer page, one route per line.
      lines.push(
        `One route per line (or separated by ";"): country code, number of workers and ${q.corridor_destination ? 'destination country code, ' : ''}answer, joined by ":", for example ${q.corridor_destination ? 'NP-MY' : 'NP'}:120:${e.choices[0]?.id ?? ''}.`,
        `Answers: ${e.choices.map((c) => `${c.id} (${t(c.label)})`).join('; ')}`,
      )
      break
  }
  if (!q.required) lines.push('Optional.')
  return lines.join('\n')
}

function numberRule(e: QuestionEntry): string {
  const q = e.question
  if (q.constraint_message) return t(q.constraint_message)
  const kind = q.integer ? 'A whole number' : 'A number'
  if (q.min !== undefined && q.max !== undefined) return `${kind} from ${q.min} to ${q.max}.`
  if (q.min !== undefined) return `${kind} of ${q.min} or more.`
  if (q.max !== undefined) return `${kind} of ${q.max} or less.`
  return `${kind}.`
}

function answerCellValue(e: QuestionEntry, value: AnswerValue): ExcelJS.CellValue {
  switch (e.question.type) {
    case 'single':
    case 'scale':
    case 'country':
      return safeText(answerText(e, String(value)))
    case 'multi':
      return safeText(answerText(e, Array.isArray(value) ? value : [String(value)]))
    case 'number':
      return typeof value === 'number' ? value : safeText(String(value))
    case 'date':
      return dateCell(String(value))
    case 'text':
      return safeText(String(value))
    case 'corridors':
      // Rows as typed ("NP:120:origin_agency"), one per line, so that the cell reads back as the same rows.
      return safeText(Array.isArray(value) ? value.join('\n') : String(value))
  }
}

/** Dates are stored as UTC midnight, which Excel shows as that calendar day whatever the time zone. */
function dateCell(iso: string): ExcelJS.CellValue {
  const d = new Date(`${iso}T00:00:00Z`)
  return Number.isNaN(d.getTime()) ? safeText(iso) : d
}

/** Excel refuses data-validation messages longer than 255 characters. */
const clip = (s: string, n = 255) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

function answerValidation(e: QuestionEntry, lists: Lists): ExcelJS.DataValidation | undefined {
  const q = e.question
  const base = { allowBlank: true, showErrorMessage: true, errorTitle: `Answer to ${q.id}` }
  switch (q.type) {
    case 'single':
    case 'scale':
      return {
        ...base,
        type: 'list',
        formulae: [
          lists.rangeFor(
            q.id,
            e.choices.map((c) => t(c.label)),
          ),
        ],
        errorStyle: 'stop',
        error: 'Choose one of the answers in the list.',
      }
    case 'multi':
      // "information" lets a person type several answers, which a strict list would refuse.
      return {
        ...base,
        type: 'list',
        formulae: [
          lists.rangeFor(
            q.id,
            e.choices.map((c) => t(c.label)),
          ),
        ],
        errorStyle: 'information',
        error: 'Several answers are fine: separate them with ";" and use the wording of the list.',
        showInputMessage: true,
        promptTitle: 'One or more answers',
        prompt: 'Pick one from the list, or type several separated by ";".',
      }
    case 'country':
      return {
        ...base,
        type: 'list',
        formulae: [
          lists.rangeFor(
            'countries',
            COUNTRY_NAMES.map(([name]) => name),
          ),
        ],
        errorStyle: 'stop',
        error: 'Choose a country from the list.',
      }
    case 'number':
      return numberValidation(e, base)
    case 'date':
      return {
        ...base,
        type: 'date',
        operator: 'greaterThan',
        formulae: [new Date(Date.UTC(1900, 0, 1))],
        errorStyle: 'stop',
        error: 'Type a date, for example 2026-06-30.',
      }
    case 'text':
      return {
        ...base,
        type: 'textLength',
        operator: 'lessThanOrEqual',
        formulae: [10_000],
        errorStyle: 'stop',
        error: 'At most 10,000 characters.',
      }
  }
}

function numberValidation(
  e: QuestionEntry,
  base: { allowBlank: boolean; showErrorMessage: boolean; errorTitle: string },
): ExcelJS.DataValidation {
  const q = e.question
  // Excel needs both bounds for "between"; the open side gets a bound no real answer reaches.
  const min = q.min ?? -1e12
  const max = q.max ?? 1e12
  return {
    ...base,
    type: q.integer ? 'whole' : 'decimal',
    operator: 'between',
    formulae: [min, max],
    errorStyle: 'stop',
    error: clip(numberRule(e)),
  }
}
