import type ExcelJS from 'exceljs'
import { unquoteText } from './cell-safety.ts'

/**
 * Reading cells of an uploaded workbook: the one reader both uploads (the questionnaire workbook and the
 * gap report's action plan) use, so that a cell means the same in both. Spreadsheet programs store what a
 * person typed in several shapes (shared or inline strings, rich text, hyperlinks, numbers, dates); these
 * are reduced to what an import needs, and a cell that cannot be used says why in plain words.
 *
 * A formula is refused, whatever result it shows. The result a file carries is whatever the program that
 * saved it wrote, never recomputed here: a stale NOW(), a reference to a row that has since moved, or a
 * result forged in the XML would be saved as if the person had typed it. Typing the value is always
 * possible, and text that starts with "=" only needs an apostrophe in front.
 */

export type ReadCell =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; value: Date }
  | { kind: 'problem'; reason: string }

export const FORMULA_REFUSED =
  'the cell holds a formula; type the value itself (to start text with "=", type an apostrophe first)'

export function readCell(cell: ExcelJS.Cell): ReadCell {
  return readValue(cell.value)
}

export function readValue(v: ExcelJS.CellValue): ReadCell {
  if (v === null || v === undefined) return { kind: 'empty' }
  if (typeof v === 'string') return v === '' ? { kind: 'empty' } : { kind: 'text', text: v }
  if (typeof v === 'number') return { kind: 'number', value: v }
  if (typeof v === 'boolean') return { kind: 'text', text: v ? 'TRUE' : 'FALSE' }
  if (v instanceof Date)
    return Number.isNaN(v.getTime()) ? { kind: 'problem', reason: 'the date is not valid' } : { kind: 'date', value: v }
  if ('formula' in v || 'sharedFormula' in v) return { kind: 'problem', reason: FORMULA_REFUSED }
  if ('richText' in v) return { kind: 'text', text: v.richText.map((p) => p.text).join('') }
  if ('error' in v) return { kind: 'problem', reason: `the cell shows the error ${v.error}; type the value itself` }
  // A hyperlink's text may itself be rich text, whatever the type declarations say.
  if ('text' in v) return readValue(v.text as ExcelJS.CellValue)
  return { kind: 'problem', reason: 'the cell holds something other than text, a number or a date' }
}

/**
 * What a person typed: text that is only spaces counts as empty, and the quote the export puts before
 * formula-like text (safeText) is taken off again. For cells written from free input, such as answers.
 */
export function readTyped(cell: ExcelJS.Cell): ReadCell {
  const c = readCell(cell)
  if (c.kind !== 'text') return c
  return c.text.trim() === '' ? { kind: 'empty' } : { kind: 'text', text: unquoteText(c.text) }
}

/** The cell as text, for columns that hold text (numbers typed there are text too, e.g. a staff number). */
export function cellText(c: ReadCell): string | null {
  switch (c.kind) {
    case 'empty':
      return ''
    case 'text':
      return c.text
    case 'number':
      return String(c.value)
    case 'date':
      return c.value.toISOString().slice(0, 10)
    case 'problem':
      return null
  }
}
