import { createHash } from 'node:crypto'
import { toColumnLetter } from '../xlsx/columns.ts'

/**
 * The layout of the gap report's Action plan sheet, shared by the writer and the upload parser so that
 * the two cannot drift apart. Changing a header, the order of columns or a hidden cell breaks uploads
 * of files already handed out: bump FORMAT_MARKER when doing so.
 */

/** An action of the corrective action plan, as stored and as the sheet shows it. */
export type ActionStatus = 'open' | 'in_progress' | 'done' | 'verified'

export type ActionItem = {
  id: number
  question: string
  owner: string | null
  /** YYYY-MM-DD */
  dueDate: string | null
  status: ActionStatus
  notes: string | null
}

export const ACTION_PLAN_SHEET = 'Action plan'
/** Hidden cells in the hidden id column, above the header. */
export const ASSESSMENT_ID_CELL = 'A1'
export const FORMAT_CELL = 'A2'
export const FORMAT_MARKER = 'fairhire:action-plan:1'
/**
 * In the hidden id column of a section heading row, where an action row has its id: the upload skips such a
 * row, and names it when something was typed into it. Copies made before the headings have none, and need none.
 */
export const HEADING_ROW_MARKER = 'section'

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'verified'] as const satisfies readonly ActionStatus[]
export const STATUS_LABELS: Record<ActionStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Done',
  verified: 'Verified',
}

export const OWNER_MAX_LENGTH = 200
export const NOTES_MAX_LENGTH = 4000
export const DUE_DATE_MIN = '2000-01-01'
export const DUE_DATE_MAX = '2100-12-31'

type ColumnSpec = {
  key: string
  header: string
  width: number
  hidden?: boolean
  editable?: boolean
  /** Read-only text guarded by the hidden row check. */
  checked?: boolean
}

export const ACTION_PLAN_COLUMNS = [
  { key: 'id', header: 'Action id', width: 10, hidden: true },
  { key: 'question', header: 'Question ID', width: 9 },
  { key: 'section', header: 'Section', width: 16, checked: true },
  { key: 'questionText', header: 'Question', width: 34, checked: true },
  { key: 'answer', header: 'Answer', width: 20, checked: true },
  { key: 'severity', header: 'Severity', width: 10, checked: true },
  { key: 'redFlag', header: 'Red flag', width: 15, checked: true },
  { key: 'gapType', header: 'Gap type', width: 16, checked: true },
  { key: 'standard', header: 'Standard', width: 16, checked: true },
  { key: 'action', header: 'Recommended action', width: 44, checked: true },
  { key: 'timeframe', header: 'Suggested timeframe', width: 13, checked: true },
  { key: 'owner', header: 'Owner', width: 16, editable: true },
  { key: 'dueDate', header: 'Due date', width: 11.5, editable: true },
  { key: 'status', header: 'Status', width: 11.5, editable: true },
  { key: 'notes', header: 'Notes', width: 24, editable: true },
  { key: 'check', header: 'Row check', width: 12, hidden: true },
] as const satisfies readonly ColumnSpec[]

export type ActionPlanColumnKey = (typeof ACTION_PLAN_COLUMNS)[number]['key']
export type CheckedColumnKey = Extract<(typeof ACTION_PLAN_COLUMNS)[number], { checked: true }>['key']

export const CHECKED_COLUMNS = ACTION_PLAN_COLUMNS.filter((c): c is Extract<typeof c, { checked: true }> =>
  'checked' in c ? c.checked : false,
).map((c) => c.key)

/** 1-based column number of a column of the Action plan sheet. */
export function columnOf(key: ActionPlanColumnKey): number {
  return ACTION_PLAN_COLUMNS.findIndex((c) => c.key === key) + 1
}

export function cellOf(key: ActionPlanColumnKey, row: number): string {
  return `${toColumnLetter(columnOf(key))}${row}`
}

export function headerOf(key: ActionPlanColumnKey): string {
  return ACTION_PLAN_COLUMNS[columnOf(key) - 1]?.header ?? key
}

/** Status from what a person typed or picked: the labels, the stored values, any letter case. */
export function parseStatus(text: string): ActionStatus | null {
  const norm = text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_')
  return (ACTION_STATUSES as readonly string[]).includes(norm) ? (norm as ActionStatus) : null
}

const CHECK_PREFIX = 'v1'

/**
 * A short fingerprint of a read-only cell. Whitespace is normalised because spreadsheet programs may
 * rewrite line ends when saving; a real edit of the words still changes it.
 */
export function fingerprint(text: string): string {
  const norm = text.normalize('NFC').replace(/\s+/g, ' ').trim()
  return createHash('sha256').update(norm).digest('hex').slice(0, 8)
}

/** The hidden row check: one fingerprint per read-only text column, in column order. */
export function rowCheck(texts: Record<CheckedColumnKey, string>): string {
  return [CHECK_PREFIX, ...CHECKED_COLUMNS.map((k) => fingerprint(texts[k]))].join(' ')
}

/** The fingerprints of a row check, by column, or null when the check itself was damaged. */
export function readRowCheck(value: string): Map<CheckedColumnKey, string> | null {
  const parts = value.trim().split(' ')
  if (parts[0] !== CHECK_PREFIX || parts.length !== CHECKED_COLUMNS.length + 1) return null
  return new Map(CHECKED_COLUMNS.map((k, i) => [k, parts[i + 1] as string]))
}
