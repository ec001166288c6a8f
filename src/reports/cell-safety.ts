/**
 * Text written into spreadsheets. A cell that starts with =, +, -, @, a tab or a carriage return can be
 * read as a formula by Excel or LibreOffice ("CSV/formula injection"); answers come from respondents,
 * so such text is prefixed with an apostrophe-like quote character that spreadsheet users recognise,
 * and written as a plain string. Excel also refuses cells longer than 32,767 characters.
 */

export const EXCEL_CELL_LIMIT = 32_767
const TRUNCATION_MARKER = ' […truncated]'
const FORMULA_START = /^[=+\-@\t\r]/

export function safeText(value: string | null | undefined): string {
  if (value === null || value === undefined) return ''
  let s = FORMULA_START.test(value) ? `'${value}` : value
  if (s.length > EXCEL_CELL_LIMIT) s = s.slice(0, EXCEL_CELL_LIMIT - TRUNCATION_MARKER.length) + TRUNCATION_MARKER
  return s
}

/** Reverses the quote added by safeText when reading a workbook back (imports). */
export function unquoteText(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value
}
