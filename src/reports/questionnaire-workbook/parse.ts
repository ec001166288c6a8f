import type ExcelJS from 'exceljs'
import { textProblem } from '../../plain-text.ts'
import { checkAnswers, type RawAnswer } from '../../questionnaire/answers.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from '../upload/limits.ts'
import { openUploadedWorkbook } from '../upload/open.ts'
import { cellText, type ReadCell, readTyped } from '../xlsx/read.ts'
import { type SheetError, sortSheetErrors } from '../xlsx/sheet-error.ts'
import {
  COL,
  COLUMN_NUMBER,
  choiceIndex,
  countryByName,
  FORMAT_VERSION,
  HEADER_ROW,
  layout,
  META_KEYS,
  type MetaKey,
  MULTI_SEPARATOR,
  metaChecksum,
  normaliseLabel,
  rowKey,
  SHEET,
  type WorkbookMeta,
} from './layout.ts'
import { readRoutesCell } from './routes.ts'

/**
 * Reading an offline questionnaire back. Every row is checked and every problem is reported with its
 * sheet and cell, so a person can correct the file in one pass. Answers come back only when there is
 * no problem at all: the import is all or nothing, and a caller cannot save half a file by mistake.
 */

export type ParsedQuestionnaire = {
  /** Every question row's answer, null where the cell is empty (the answer is cleared). */
  answers: Record<string, RawAnswer>
  /** Every question row's comment, '' where the cell is empty. */
  comments: Record<string, string>
  /** The Answer cell of each question's row ("D14"): rows may have been sorted. */
  cells: Record<string, string>
  errors: SheetError[]
}

/** saveAnswers refuses a longer comment; refusing it here names its sheet and cell. */
const MAX_COMMENT = 5_000

/**
 * Throws UploadRejected (before parsing) for a file that is too large, not an .xlsx or a zip bomb, and
 * for a file exceljs cannot read; everything about the content is returned as errors.
 */
export async function parseQuestionnaireWorkbook(
  data: Buffer,
  expected: WorkbookMeta,
  cq: CompiledQuestionnaire,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): Promise<ParsedQuestionnaire> {
  const wb = await openUploadedWorkbook(data, limits)
  const metaErrors = checkMeta(wb, expected, cq)
  if (metaErrors.length > 0) return refused(metaErrors)
  const sheet = wb.getWorksheet(SHEET.answers)
  if (!sheet) {
    return refused([
      { sheet: SHEET.answers, cell: 'A1', reason: `The "${SHEET.answers}" sheet is missing or was renamed.` },
    ])
  }
  const headerErrors = checkHeaders(sheet)
  if (headerErrors.length > 0) return refused(headerErrors)

  const errors: SheetError[] = []
  const rows = locateRows(sheet, expected, cq, errors)
  const { answers, comments, cells } = readRows(sheet, cq, rows, errors)
  for (const p of checkAnswers(cq, answers).problems) {
    const qid = p.field.replace(/^answers\./, '')
    errors.push({ sheet: SHEET.answers, cell: cells.get(qid) ?? '', reason: `${qid}: ${p.message}` })
  }
  if (errors.length > 0) return refused(errors)
  return { answers, comments, cells: Object.fromEntries(cells), errors: [] }
}

function refused(errors: SheetError[]): ParsedQuestionnaire {
  return { answers: {}, comments: {}, cells: {}, errors: sortSheetErrors(errors) }
}

// ---------------------------------------------------------------------------------------------------
// Cell values (read by the kit's one cell reader, xlsx/read.ts)

type Value = Exclude<ReadCell, { kind: 'empty' } | { kind: 'problem' }>

/** Keys, ids and metadata: the text trimmed, a number as its digits, anything else as nothing. */
function textOf(cell: ExcelJS.Cell): string {
  const c = readTyped(cell)
  if (c.kind === 'text') return c.text.trim()
  if (c.kind === 'number') return String(c.value)
  return ''
}

type Read = { value: RawAnswer } | { error: string }

function readAnswer(e: QuestionEntry, cell: ExcelJS.Cell): Read {
  const p = readTyped(cell)
  if (p.kind === 'empty') return { value: null }
  if (p.kind === 'problem') return { error: p.reason }
  switch (e.question.type) {
    case 'single':
    case 'scale':
      return readChoice(e, p)
    case 'multi':
      return readChoices(e, p)
    case 'number':
      return readNumber(p)
    case 'date':
      if (p.kind === 'date') return { value: plainText(p) }
      if (p.kind === 'number') return { error: 'expected a date, for example 2026-06-30' }
      return { value: p.text.trim() }
    case 'country':
      return readCountry(p)
    case 'text':
      return { value: plainText(p) }
    case 'corridors':
      // One route per line, in words ("Nepal; 450; Agency in the home country") or short ("NP:450:origin_agency").
      return readRoutesCell(e, plainText(p))
  }
}

/** A date as YYYY-MM-DD, a number as its digits. */
const plainText = (p: Value): string => cellText(p) as string

const allowedLabels = (e: QuestionEntry) => e.choices.map((c) => `"${t(c.label)}"`).join(', ')

function readChoice(e: QuestionEntry, p: Value): Read {
  const text = plainText(p)
  const id = choiceIndex(e).get(normaliseLabel(text))
  if (id) return { value: id }
  if (MULTI_SEPARATOR.test(text) && text.split(MULTI_SEPARATOR).filter((s) => s.trim()).length > 1) {
    return { error: `only one answer is allowed here; choose one of ${allowedLabels(e)}` }
  }
  return { error: `"${text}" is not one of the answers in the list (${allowedLabels(e)})` }
}

function readChoices(e: QuestionEntry, p: Value): Read {
  const text = plainText(p)
  const index = choiceIndex(e)
  // A whole cell matching one label wins, in case a label itself contains a separator.
  const whole = index.get(normaliseLabel(text))
  if (whole) return { value: [whole] }
  const parts = text
    .split(MULTI_SEPARATOR)
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = parts.filter((s) => !index.has(normaliseLabel(s)))
  if (unknown.length > 0) {
    const list = unknown.map((u) => `"${u}"`).join(', ')
    return {
      error: `${list} ${unknown.length > 1 ? 'are not answers' : 'is not an answer'} in the list; separate answers with ";" and use the wording of the list (${allowedLabels(e)})`,
    }
  }
  return { value: parts.map((s) => index.get(normaliseLabel(s)) as string) }
}

/** A number typed into a cell formatted as text still counts; anything else goes to checkAnswers as text. */
function readNumber(p: Value): Read {
  if (p.kind === 'date') return { error: 'expected a number, but the cell holds a date' }
  if (p.kind === 'number') return { value: p.value }
  const text = p.text.trim()
  const n = Number(text)
  return { value: text !== '' && Number.isFinite(n) ? n : text }
}

function readCountry(p: Value): Read {
  const text = plainText(p)
  const code = countryByName().get(normaliseLabel(text))
  if (code) return { value: code }
  return { error: `"${text}" is not a country in the list; choose one from the drop-down` }
}

// ---------------------------------------------------------------------------------------------------
// Metadata, headers and rows

const REDOWNLOAD = 'Download a new workbook from the assessment page and copy your answers into it.'

function readMeta(ws: ExcelJS.Worksheet): Map<string, { value: string; cell: string }> {
  const out = new Map<string, { value: string; cell: string }>()
  ws.eachRow((row) => {
    const key = textOf(row.getCell(1))
    if (key) out.set(key, { value: textOf(row.getCell(2)), cell: row.getCell(2).address })
  })
  return out
}

function checkMeta(wb: ExcelJS.Workbook, expected: WorkbookMeta, cq: CompiledQuestionnaire): SheetError[] {
  const ws = wb.getWorksheet(SHEET.meta)
  if (!ws) {
    return [
      {
        sheet: SHEET.meta,
        cell: 'A1',
        reason: `The hidden "${SHEET.meta}" sheet is missing, so this file cannot be matched to an assessment. It was not downloaded from Fairhire, or its content was copied into another file. ${REDOWNLOAD}`,
      },
    ]
  }
  const meta = readMeta(ws)
  const missing = META_KEYS.filter((k) => !meta.get(k)?.value)
  if (missing.length > 0) {
    return [
      {
        sheet: SHEET.meta,
        cell: 'A1',
        reason: `The hidden metadata is incomplete (${missing.join(', ')} missing). ${REDOWNLOAD}`,
      },
    ]
  }
  const get = (k: MetaKey) => meta.get(k) as { value: string; cell: string }
  const error = (k: MetaKey, reason: string): SheetError => ({ sheet: SHEET.meta, cell: get(k).cell, reason })
  if (get('format').value !== String(FORMAT_VERSION)) {
    return [error('format', `This workbook was made by another version of Fairhire and cannot be read. ${REDOWNLOAD}`)]
  }
  const errors: SheetError[] = []
  const assessment = get('assessment_id').value
  if (assessment !== String(expected.assessmentId)) {
    errors.push(
      error(
        'assessment_id',
        `This workbook belongs to assessment ${assessment}, not to assessment ${expected.assessmentId}. Upload it on the page of assessment ${assessment}, or download the workbook of this assessment.`,
      ),
    )
  }
  const questionnaire = get('questionnaire_id').value
  if (questionnaire !== expected.questionnaireId) {
    errors.push(
      error(
        'questionnaire_id',
        `This workbook is for the "${questionnaire}" questionnaire, but this assessment uses "${expected.questionnaireId}". ${REDOWNLOAD}`,
      ),
    )
  } else if (
    get('revision').value !== String(expected.revision) ||
    get('content_hash').value !== expected.contentHash
  ) {
    errors.push(
      error(
        'revision',
        `This workbook was made for revision ${get('revision').value} of the "${questionnaire}" questionnaire (version ${get('questionnaire_version').value}); this assessment now uses revision ${expected.revision} (version ${cq.def.version}). ${REDOWNLOAD}`,
      ),
    )
  }
  // The fields can each look right and still have been edited; the checksum covers them together.
  if (errors.length === 0 && get('checksum').value !== metaChecksum(expected, cq)) {
    errors.push(error('checksum', `The hidden metadata of this workbook was changed. ${REDOWNLOAD}`))
  }
  return errors
}

const REQUIRED_HEADERS: [keyof typeof COLUMN_NUMBER, string][] = [
  ['id', 'ID'],
  ['answer', 'Answer'],
  ['comment', 'Comment'],
]

/** An inserted or deleted column would shift the answers; that is refused rather than guessed at. */
function checkHeaders(ws: ExcelJS.Worksheet): SheetError[] {
  const errors: SheetError[] = []
  for (const [name, prefix] of REQUIRED_HEADERS) {
    const cell = ws.getCell(HEADER_ROW, COLUMN_NUMBER[name])
    if (!textOf(cell).startsWith(prefix)) {
      errors.push({
        sheet: SHEET.answers,
        cell: cell.address,
        reason: `Column ${COL[name]} should be headed "${prefix}"; columns must not be inserted, deleted or moved. ${REDOWNLOAD}`,
      })
    }
  }
  return errors
}

/** Finds each question's row by its hidden key, so sorting is harmless but edited ids are caught. */
function locateRows(
  ws: ExcelJS.Worksheet,
  expected: WorkbookMeta,
  cq: CompiledQuestionnaire,
  errors: SheetError[],
): Map<string, number> {
  const byKey = new Map(cq.entries.map((e) => [rowKey(expected.contentHash, e.question.id), e.question.id]))
  const where = `the "${cq.def.id}" questionnaire, version ${cq.def.version} (revision ${expected.revision})`
  const found = new Map<string, number>()
  const accounted = new Set<string>()
  const error = (row: number, column: keyof typeof COL, reason: string) =>
    errors.push({ sheet: SHEET.answers, cell: `${COL[column]}${row}`, reason })

  // Only rows that hold something: one cell typed on row 1,048,576 must not make this walk a million rows.
  ws.eachRow((row, r) => {
    if (r <= HEADER_ROW) return
    const id = textOf(row.getCell(COLUMN_NUMBER.id))
    const key = textOf(row.getCell(COLUMN_NUMBER.key))
    const keyed = byKey.get(key)
    if (!id && !keyed) {
      const typed = ['answer', 'comment'] as const
      for (const c of typed) {
        if (readTyped(row.getCell(COLUMN_NUMBER[c])).kind !== 'empty') {
          error(
            r,
            c,
            'this row has no question ID, so what is typed here would be lost; move it to the row of its question',
          )
        }
      }
      return
    }
    if (keyed && id !== keyed) {
      accounted.add(keyed)
      error(r, 'id', `the ID of question ${keyed} was changed to "${id}"; put back "${keyed}"`)
    } else if (keyed) {
      const first = found.get(id)
      if (first !== undefined) error(r, 'id', `question ${id} appears twice (rows ${first} and ${r}); keep one row`)
      else found.set(id, r)
      accounted.add(id)
    } else if (cq.byId.has(id)) {
      // Reported once: this row stands for the question, so it is not also listed as missing.
      accounted.add(id)
      error(
        r,
        'id',
        `this row of question ${id} does not belong to this workbook: it was added by hand or copied from a workbook of another assessment or questionnaire version; type the answer in the original row of ${id}`,
      )
    } else {
      error(r, 'id', `"${id}" is not a question of ${where}; question IDs must not be edited`)
    }
  })
  for (const item of layout(cq)) {
    if (item.kind === 'question' && !accounted.has(item.entry.question.id)) {
      error(
        item.row,
        'id',
        `the row of question ${item.entry.question.id} is missing (it was probably deleted); rows must not be deleted`,
      )
    }
  }
  return found
}

function readRows(ws: ExcelJS.Worksheet, cq: CompiledQuestionnaire, rows: Map<string, number>, errors: SheetError[]) {
  const answers: Record<string, RawAnswer> = {}
  const comments: Record<string, string> = {}
  const cells = new Map<string, string>()
  for (const [qid, r] of rows) {
    const e = cq.byId.get(qid) as QuestionEntry
    const answerCell = ws.getCell(r, COLUMN_NUMBER.answer)
    cells.set(qid, answerCell.address)
    const read = readAnswer(e, answerCell)
    if ('error' in read)
      errors.push({ sheet: SHEET.answers, cell: answerCell.address, reason: `${qid}: ${read.error}` })
    else answers[qid] = read.value
    const commentCell = ws.getCell(r, COLUMN_NUMBER.comment)
    const comment = readTyped(commentCell)
    if (comment.kind === 'problem') {
      errors.push({ sheet: SHEET.answers, cell: commentCell.address, reason: `${qid}: ${comment.reason}` })
    } else {
      const text = comment.kind === 'empty' ? '' : plainText(comment)
      if (text.length > MAX_COMMENT) {
        errors.push({
          sheet: SHEET.answers,
          cell: commentCell.address,
          reason: `${qid}: the comment is longer than ${MAX_COMMENT.toLocaleString('en')} characters`,
        })
      }
      const problem = textProblem(text)
      if (problem)
        errors.push({ sheet: SHEET.answers, cell: commentCell.address, reason: `${qid}: the comment ${problem}` })
      comments[qid] = text
    }
  }
  return { answers, comments, cells }
}
