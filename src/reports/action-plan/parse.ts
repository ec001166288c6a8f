import type ExcelJS from 'exceljs'
import { textProblem } from '../../plain-text.ts'
import { UploadRejected } from '../upload/errors.ts'
import { openUploadedWorkbook } from '../upload/open.ts'
import { safeText, unquoteText } from '../xlsx/cell-safety.ts'
import { toColumnLetter } from '../xlsx/columns.ts'
import { cellText, type ReadCell, readCell } from '../xlsx/read.ts'
import type { SheetError } from '../xlsx/sheet-error.ts'
import { dateCell } from '../xlsx/style.ts'
import { FIRST_DATA_ROW, HEADER_ROW } from '../xlsx/table.ts'
import {
  ACTION_PLAN_COLUMNS,
  ACTION_PLAN_SHEET,
  type ActionItem,
  type ActionPlanColumnKey,
  type ActionStatus,
  ASSESSMENT_ID_CELL,
  CHECKED_COLUMNS,
  cellOf,
  columnOf,
  DUE_DATE_MAX,
  DUE_DATE_MIN,
  FORMAT_CELL,
  FORMAT_MARKER,
  fingerprint,
  HEADING_ROW_MARKER,
  headerOf,
  NOTES_MAX_LENGTH,
  OWNER_MAX_LENGTH,
  parseStatus,
  readRowCheck,
  STATUS_LABELS,
} from './layout.ts'

/**
 * Reading back the Action plan sheet of a gap report that a site filled in. Rows are matched by their
 * hidden action id; only Owner, Due date, Status and Notes may change. Every problem is reported with
 * the sheet, the cell and a reason a person can act on, and all of them are reported at once. Applying
 * the changes only when there is no error (all or nothing) is the caller's job; the changes of valid
 * rows are returned even when other rows have errors, so that the caller can say what would have changed.
 *
 * The workbook is opened within the upload limits (upload/limits.ts), which throw UploadRejected; the
 * caller runs checkXlsxUpload first to refuse a file that is no workbook with the reason why.
 */

export type ActionPlanChange = {
  id: number
  owner?: string | null
  dueDate?: string | null
  status?: ActionStatus
  notes?: string | null
}

type Expected = { assessmentId: number; actions: ActionItem[] }
type Result = { changes: ActionPlanChange[]; errors: SheetError[] }
export type ActionPlanResult = Result

const EDITABLE = ACTION_PLAN_COLUMNS.filter((c) => 'editable' in c && c.editable)
  .map((c) => `"${c.header}"`)
  .join(', ')
  .replace(/, ([^,]*)$/, ' and $1')
const ONLY_EDITABLE = `Only ${EDITABLE} can be changed`

export async function parseActionPlanUpload(data: Buffer, expected: Expected): Promise<Result> {
  const wb = await loadWorkbook(data)
  if (!wb) {
    return refuse(
      '',
      '',
      'The file could not be read as an Excel workbook. Save it as "Excel Workbook (.xlsx)" and upload it again.',
    )
  }
  const ws = wb.getWorksheet(ACTION_PLAN_SHEET)
  if (!ws) {
    return refuse(
      ACTION_PLAN_SHEET,
      '',
      `The workbook has no sheet named "${ACTION_PLAN_SHEET}". Upload the gap report downloaded from Fairhire, without renaming its sheets.`,
    )
  }
  const fatal = checkMeta(ws, expected.assessmentId) ?? checkHeaders(ws)
  if (fatal) return { changes: [], errors: [fatal] }
  return readRows(ws, expected.actions)
}

/** Null when the file cannot be read as a workbook; an upload over the limits is refused (UploadRejected). */
async function loadWorkbook(data: Buffer): Promise<ExcelJS.Workbook | null> {
  try {
    return await openUploadedWorkbook(data)
  } catch (err) {
    if (err instanceof UploadRejected && (err.reason === 'damaged' || err.reason === 'not_xlsx')) return null
    throw err
  }
}

function refuse(sheet: string, cell: string, reason: string): Result {
  return { changes: [], errors: [{ sheet, cell, reason }] }
}

const error = (cell: string, reason: string): SheetError => ({ sheet: ACTION_PLAN_SHEET, cell, reason })

function checkMeta(ws: ExcelJS.Worksheet, assessmentId: number): SheetError | null {
  const marker = readCell(ws.getCell(FORMAT_CELL))
  if (marker.kind !== 'text' || marker.text !== FORMAT_MARKER) {
    return error(
      FORMAT_CELL,
      'This sheet is not an action plan downloaded from Fairhire, or its hidden column A was changed. Download the gap report again and fill that in.',
    )
  }
  const id = readCell(ws.getCell(ASSESSMENT_ID_CELL))
  if (id.kind !== 'number') {
    return error(
      ASSESSMENT_ID_CELL,
      'The hidden assessment number in column A was changed. Download the gap report again.',
    )
  }
  if (id.value !== assessmentId) {
    return error(
      ASSESSMENT_ID_CELL,
      `This action plan belongs to assessment ${id.value}, not to assessment ${assessmentId}. Upload the gap report of assessment ${assessmentId}.`,
    )
  }
  return null
}

/** A moved or inserted column would shift every value; the first header out of place is reported. */
function checkHeaders(ws: ExcelJS.Worksheet): SheetError | null {
  const header = ws.getRow(HEADER_ROW)
  for (let i = 0; i < ACTION_PLAN_COLUMNS.length; i++) {
    const want = ACTION_PLAN_COLUMNS[i]?.header ?? ''
    const got = cellText(readCell(header.getCell(i + 1)))?.trim() ?? ''
    if (got !== want) {
      const cell = `${toColumnLetter(i + 1)}${HEADER_ROW}`
      return error(
        cell,
        `Column ${toColumnLetter(i + 1)} should be headed "${want}" but is headed "${got}". Columns cannot be added, removed or moved: download the gap report again and copy your entries into it.`,
      )
    }
  }
  return null
}

function readRows(ws: ExcelJS.Worksheet, actions: ActionItem[]): Result {
  const byId = new Map(actions.map((a) => [a.id, a]))
  const seen = new Map<number, number>()
  const changes: ActionPlanChange[] = []
  const errors: SheetError[] = []
  ws.eachRow((row, n) => {
    if (n < FIRST_DATA_ROW) return
    if (isHeading(row)) {
      if (hasEntries(row)) {
        errors.push(
          error(
            firstEntry(row),
            'This row is a section heading, not an action: nothing typed in it can be saved. Type owners, dates, statuses and notes in the rows of the actions below it.',
          ),
        )
      }
      return
    }
    const rowErrors: SheetError[] = []
    const action = matchRow(row, byId, seen, rowErrors)
    if (action) {
      checkReadOnly(row, action, rowErrors)
      const change = readChange(row, action, rowErrors)
      if (change && rowErrors.length === 0) changes.push(change)
    }
    errors.push(...rowErrors)
  })
  return { changes, errors }
}

/** The stored action a row stands for, by its hidden id; null (with the reason) when there is none. */
function matchRow(
  row: ExcelJS.Row,
  byId: Map<number, ActionItem>,
  seen: Map<number, number>,
  errors: SheetError[],
): ActionItem | null {
  const n = row.number
  const cell = cellOf('id', n)
  const id = readCell(row.getCell(columnOf('id')))
  if (id.kind === 'empty') {
    if (hasEntries(row)) {
      errors.push(
        error(
          cell,
          'This row has no action id, so it cannot be matched to the plan in Fairhire. Rows cannot be added in the spreadsheet, and a copy made before the plan was saved in Fairhire cannot be uploaded: download the gap report again.',
        ),
      )
    }
    return null
  }
  if (id.kind !== 'number' || !Number.isInteger(id.value)) {
    errors.push(error(cell, 'The hidden action id in column A was changed. Download the gap report again.'))
    return null
  }
  const action = byId.get(id.value)
  if (!action) {
    errors.push(
      error(
        cell,
        `Action ${id.value} is not part of this assessment's action plan: the hidden column A was changed, or the file is from another plan.`,
      ),
    )
    return null
  }
  const before = seen.get(id.value)
  if (before !== undefined) {
    errors.push(
      error(cell, `Action ${id.value} appears twice, in rows ${before} and ${n}. Each action may appear only once.`),
    )
    return null
  }
  seen.set(id.value, n)
  return action
}

const ENTRY_COLUMNS = ['owner', 'dueDate', 'status', 'notes'] as const

/** Rows without an id that carry no entries (the "no gaps" note) are not rows of the plan. */
function hasEntries(row: ExcelJS.Row): boolean {
  return ENTRY_COLUMNS.some((k) => readCell(row.getCell(columnOf(k))).kind !== 'empty')
}

function firstEntry(row: ExcelJS.Row): string {
  const key = ENTRY_COLUMNS.find((k) => readCell(row.getCell(columnOf(k))).kind !== 'empty') ?? 'owner'
  return cellOf(key, row.number)
}

/** A section heading of the sheet (the hidden id column holds the heading marker instead of an id). */
function isHeading(row: ExcelJS.Row): boolean {
  const id = readCell(row.getCell(columnOf('id')))
  return id.kind === 'text' && id.text.trim() === HEADING_ROW_MARKER
}

function checkReadOnly(row: ExcelJS.Row, action: ActionItem, errors: SheetError[]): void {
  const n = row.number
  const question = cellText(readCell(row.getCell(columnOf('question'))))
  if (question === null || unquoteText(question).trim() !== action.question) {
    errors.push(
      error(
        cellOf('question', n),
        `The question ID must stay ${action.question}, as downloaded. ${ONLY_EDITABLE}; undo the change or download the gap report again.`,
      ),
    )
  }
  const check = readCell(row.getCell(columnOf('check')))
  const expected = check.kind === 'text' ? readRowCheck(check.text) : null
  if (!expected) {
    errors.push(
      error(cellOf('check', n), 'The hidden row check was changed or removed. Download the gap report again.'),
    )
    return
  }
  for (const key of CHECKED_COLUMNS) {
    const text = cellText(readCell(row.getCell(columnOf(key))))
    if (text === null || fingerprint(text) !== expected.get(key)) {
      errors.push(
        error(
          cellOf(key, n),
          `"${headerOf(key)}" was changed. ${ONLY_EDITABLE}; undo the change or download the gap report again.`,
        ),
      )
    }
  }
}

/** The fields of the row that differ from the stored action, or null when nothing changed. */
function readChange(row: ExcelJS.Row, action: ActionItem, errors: SheetError[]): ActionPlanChange | null {
  const change: ActionPlanChange = { id: action.id }
  const cell = (key: ActionPlanColumnKey) => ({
    at: cellOf(key, row.number),
    read: readCell(row.getCell(columnOf(key))),
  })

  const owner = readText(cell('owner'), action.owner, OWNER_MAX_LENGTH, 'owner', errors)
  if (owner !== undefined) change.owner = owner
  const due = readDueDate(cell('dueDate'), errors)
  if (due !== undefined && due !== action.dueDate) change.dueDate = due
  const status = readStatus(cell('status'), errors)
  if (status !== undefined && status !== action.status) change.status = status
  const notes = readText(cell('notes'), action.notes, NOTES_MAX_LENGTH, 'notes', errors)
  if (notes !== undefined) change.notes = notes

  return Object.keys(change).length > 1 ? change : null
}

type Located = { at: string; read: ReadCell }

/**
 * Free text: a new value, or undefined when it is unchanged or unusable. The text was written through
 * safeText, so a cell that still reads exactly as written is unchanged even when it was quoted or cut.
 */
function readText(
  { at, read }: Located,
  stored: string | null,
  max: number,
  what: string,
  errors: SheetError[],
): string | null | undefined {
  const raw = cellText(read)
  if (raw === null) {
    errors.push(error(at, `The ${what} cannot be read: ${read.kind === 'problem' ? read.reason : 'unknown content'}.`))
    return undefined
  }
  if (raw === safeText(stored)) return undefined
  const value = unquoteText(raw).trim()
  const problem = textProblem(value)
  if (problem) {
    errors.push(error(at, `The ${what} ${problem}.`))
    return undefined
  }
  if (value.length > max) {
    errors.push(error(at, `The ${what} is ${value.length} characters long; at most ${max} are allowed.`))
    return undefined
  }
  const next = value === '' ? null : value
  return next === (stored?.trim() || null) ? undefined : next
}

function readDueDate({ at, read }: Located, errors: SheetError[]): string | null | undefined {
  let iso: string | null
  switch (read.kind) {
    case 'empty':
      return null
    case 'date':
      iso = read.value.toISOString().slice(0, 10)
      break
    case 'text':
      iso = dateCell(read.text.trim()) ? read.text.trim() : null
      if (iso === null) {
        errors.push(
          error(
            at,
            `"${read.text}" is not a date Fairhire can read. Type the date as YYYY-MM-DD (for example 2026-03-31).`,
          ),
        )
        return undefined
      }
      break
    case 'number':
      errors.push(
        error(
          at,
          `The due date holds the number ${read.value}, not a date. Type the date as YYYY-MM-DD or format the cell as a date.`,
        ),
      )
      return undefined
    case 'problem':
      errors.push(error(at, `The due date cannot be read: ${read.reason}.`))
      return undefined
  }
  if (iso < DUE_DATE_MIN || iso > DUE_DATE_MAX) {
    errors.push(error(at, `The due date ${iso} is out of range: use a date from ${DUE_DATE_MIN} to ${DUE_DATE_MAX}.`))
    return undefined
  }
  return iso
}

function readStatus({ at, read }: Located, errors: SheetError[]): ActionStatus | undefined {
  const choices = Object.values(STATUS_LABELS).join(', ')
  const text = cellText(read)
  if (!text) {
    errors.push(error(at, `The status is empty. Choose one of: ${choices}.`))
    return undefined
  }
  const status = parseStatus(unquoteText(text))
  if (!status) errors.push(error(at, `"${text}" is not a status. Choose one of: ${choices}.`))
  return status ?? undefined
}
