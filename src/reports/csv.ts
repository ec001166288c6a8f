/**
 * CSV as Excel, LibreOffice and data tools read it: RFC 4180 (comma-separated, CRLF line ends, a field
 * quoted when it holds a comma, a quote or a line break, quotes doubled), UTF-8 with a byte order mark
 * so that Excel does not read it as the system's code page.
 *
 * Formula injection: a spreadsheet opening a CSV file treats a field starting with =, +, -, @, a tab or a
 * carriage return as a formula. Text cells of the workbooks already went through cell-safety's safeText
 * (which quotes them); every other string (codes, labels from the vocabulary) is checked here too, so
 * that no text field of a CSV file can start a formula. Numbers stay numbers (a negative number is not
 * text) and dates are written as YYYY-MM-DD.
 */

export const CSV_BOM = '\ufeff'
const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

export type CsvValue = string | number | Date | null | undefined

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10)
  const text = FORMULA_START.test(value) ? `'${value}` : value
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`
}
