import type ExcelJS from 'exceljs'

/**
 * Reading cells of an uploaded workbook. Spreadsheet programs store what a person typed in several shapes
 * (shared or inline strings, rich text, hyperlinks, formulas with a cached result, numbers, dates); these
 * helpers reduce them to what an import needs, and say in plain words when a cell cannot be used.
 */

export type ReadCell =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; value: Date }
  | { kind: 'problem'; reason: string }

export function readCell(cell: ExcelJS.Cell): ReadCell {
  return readValue(cell.value)
}

function readValue(v: ExcelJS.CellValue): ReadCell {
  if (v === null || v === undefined) return { kind: 'empty' }
  if (typeof v === 'string') return v === '' ? { kind: 'empty' } : { kind: 'text', text: v }
  if (typeof v === 'number') return { kind: 'number', value: v }
  if (typeof v === 'boolean') return { kind: 'text', text: v ? 'TRUE' : 'FALSE' }
  if (v instanceof Date)
    return Number.isNaN(v.getTime()) ? { kind: 'problem', reason: 'the date is not valid' } : { kind: 'date', value: v }
  if ('richText' in v) return { kind: 'text', text: v.richText.map((p) => p.text).join('') }
  if ('error' in v) return { kind: 'problem', reason: `the cell shows the error ${v.error}` }
  if ('formula' in v || 'sharedFormula' in v) return formulaResult(v)
  // A hyperlink's text may itself be rich text, whatever the type declarations say.
  if ('text' in v) return readValue(v.text as ExcelJS.CellValue)
  return { kind: 'problem', reason: 'the cell holds something other than text, a number or a date' }
}

/** A formula is accepted for what it shows (its last computed value), never re-evaluated. */
function formulaResult(v: ExcelJS.CellFormulaValue | ExcelJS.CellSharedFormulaValue): ReadCell {
  const r = v.result
  if (r === undefined || r === null)
    return { kind: 'problem', reason: 'the cell holds a formula without a value; type the value itself' }
  if (typeof r === 'object' && !(r instanceof Date) && 'error' in r) {
    return { kind: 'problem', reason: `the formula in the cell shows the error ${r.error}` }
  }
  return readValue(r as ExcelJS.CellValue)
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
