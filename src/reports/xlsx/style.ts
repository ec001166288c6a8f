import type ExcelJS from 'exceljs'
import type { ControlBand, InherentBand, Rating } from '../../scoring/rubric.schema.ts'
import { safeText, xmlText } from './cell-safety.ts'

/**
 * The look shared by Fairhire's workbooks. Colours are chosen so that their grey-scale brightness still
 * tells them apart on a black-and-white printer, and every coloured cell also carries its word.
 */

export type CellInput = string | number | Date | null | undefined

export const DATE_FORMAT = 'yyyy-mm-dd'
export const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm'

const argb = (hex: string): string => `FF${hex}`
/** A solid fill of one colour (six hex digits, without alpha). */
export const solid = (hex: string): ExcelJS.Fill => ({
  type: 'pattern',
  pattern: 'solid',
  fgColor: { argb: argb(hex) },
})

export type Swatch = { fill: string; font: string; label: string }

// Brightness (grey value) from dark to light: about 58, 150, 215, 233.
const DARK_RED: Swatch = { fill: 'C00000', font: 'FFFFFF', label: 'Critical' }
const ORANGE: Swatch = { fill: 'ED7D31', font: '000000', label: 'High' }
const YELLOW: Swatch = { fill: 'FFD966', font: '000000', label: 'Medium' }
const PALE_GREEN: Swatch = { fill: 'E2EFDA', font: '000000', label: 'Low' }

export const SEVERITY_SWATCHES: Record<'critical' | 'high' | 'medium' | 'low', Swatch> = {
  critical: DARK_RED,
  high: ORANGE,
  medium: YELLOW,
  low: PALE_GREEN,
}

export const RATING_SWATCHES: Record<Rating, Swatch> = {
  critical: DARK_RED,
  high: ORANGE,
  medium: YELLOW,
  low: { fill: 'A9D08E', font: '000000', label: 'Low' },
}

export const CONTROL_BAND_LABELS: Record<ControlBand, string> = {
  strong: 'Strong',
  adequate: 'Adequate',
  weak: 'Weak',
  very_weak: 'Very weak',
}

export const INHERENT_BAND_LABELS: Record<InherentBand, string> = { low: 'Low', medium: 'Medium', high: 'High' }

const HEADER_FILL = '1F3864'
const EDITABLE_HEADER_FILL = '375623'
/** Light yellow is the usual "type here" colour and stays distinguishable when printed in grey. */
const EDITABLE_FILL = 'FFF2CC'
const BLOCK_FILL = 'D9E1F2'
const MUTED_FONT = '595959'
export const THIN: ExcelJS.Border = { style: 'thin', color: { argb: argb('BFBFBF') } }
export const BORDERS: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN }

/** Fonts always carry a name: LibreOffice falls back to a serif face for a font without one. */
export const FONT: Partial<ExcelJS.Font> = { name: 'Calibri', size: 11 }
export const MUTED_COLOR: Partial<ExcelJS.Color> = { argb: argb(MUTED_FONT) }
export const TOP_WRAP: Partial<ExcelJS.Alignment> = { vertical: 'top', wrapText: true }
/** The cells a person fills in. */
export const EDITABLE: ExcelJS.Fill = solid(EDITABLE_FILL)

/**
 * The header row of the questionnaire workbook and the portfolio, as one style object assigned whole
 * (cell.style): exceljs writes a style object it has seen before without serialising it again, which
 * keeps the streamed portfolio fast. The gap report's tables are styled cell by cell (styleHeader).
 */
export const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { ...FONT, bold: true, color: { argb: argb('FFFFFF') } },
  fill: solid('1F4E5F'),
  alignment: { vertical: 'middle', wrapText: true },
  border: BORDERS,
}

/** Writes a value: text always as guarded plain text, numbers as numbers, dates as date cells. */
export function put(cell: ExcelJS.Cell, value: CellInput, numFmt?: string): void {
  if (value === null || value === undefined || value === '') {
    cell.value = null
    return
  }
  if (typeof value === 'string') {
    cell.value = safeText(value)
    return
  }
  cell.value = value
  if (numFmt) cell.numFmt = numFmt
  else if (value instanceof Date) cell.numFmt = DATE_FORMAT
}

export function paint(cell: ExcelJS.Cell, swatch: Swatch, bold = true): void {
  cell.fill = solid(swatch.fill)
  cell.font = { ...cell.font, bold, color: { argb: argb(swatch.font) } }
}

export function styleHeader(cell: ExcelJS.Cell, editable = false): void {
  cell.fill = solid(editable ? EDITABLE_HEADER_FILL : HEADER_FILL)
  cell.font = { bold: true, color: { argb: argb('FFFFFF') } }
  cell.alignment = { vertical: 'middle', horizontal: 'left', wrapText: true }
  cell.border = BORDERS
}

export function styleBody(cell: ExcelJS.Cell, wrap: boolean, editable = false): void {
  cell.alignment = { vertical: 'top', wrapText: wrap }
  cell.border = BORDERS
  if (editable) cell.fill = solid(EDITABLE_FILL)
}

export function styleMuted(cell: ExcelJS.Cell): void {
  cell.font = { ...cell.font, italic: true, color: { argb: argb(MUTED_FONT) } }
}

export function styleTitle(cell: ExcelJS.Cell): void {
  cell.font = { bold: true, size: 16, color: { argb: argb(HEADER_FILL) } }
  cell.alignment = { vertical: 'middle' }
}

export function styleBlockHeading(row: ExcelJS.Row, lastColumn: number): void {
  for (let c = 1; c <= lastColumn; c++) {
    const cell = row.getCell(c)
    cell.fill = solid(BLOCK_FILL)
    cell.font = { bold: true, size: 12, color: { argb: argb(HEADER_FILL) } }
  }
}

/** A heading row inside a table (a group of its rows): bold on the block colour, bordered like the rows. */
export function styleGroupHeading(cell: ExcelJS.Cell): void {
  cell.fill = solid(BLOCK_FILL)
  cell.font = { bold: true, color: { argb: argb(HEADER_FILL) } }
  cell.border = BORDERS
}

export function applyBorders(cell: ExcelJS.Cell): void {
  cell.border = BORDERS
}

const LINE_HEIGHT = 15
const MAX_ROW_HEIGHT = 409

/**
 * Lines a text takes in a wrapped cell `width` units wide. A unit is one digit of the default font, and
 * ordinary text fits about 1.2 characters a unit; the word breaks of wrapping waste a few characters a
 * line, which matters most in narrow columns. The estimate errs towards white space rather than cut text.
 */
export function textLines(text: string, width: number): number {
  const perLine = Math.max(width, width * 1.2 - 6)
  return text.split('\n').reduce((n, p) => n + Math.max(1, Math.ceil(p.length / perLine)), 0)
}

/**
 * Neither Excel nor LibreOffice grows rows of a generated file to fit wrapped text when opening it, so
 * rows are given the height their text needs (never lowered: a row takes its tallest cell).
 */
export function growRow(row: ExcelJS.Row, lines: number): void {
  const height = Math.min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 3)
  if ((row.height ?? 0) < height) row.height = height
}

export function fitText(row: ExcelJS.Row, text: string, width: number): void {
  growRow(row, textLines(text, width))
}

/** Landscape, one page wide, the header rows on every page, and a footer that says what the paper is. */
export function printSetup(ws: ExcelJS.Worksheet, opts: { headerRows?: string; footer: string }): void {
  ws.pageSetup = {
    ...ws.pageSetup,
    orientation: 'landscape',
    paperSize: 9,
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: false,
    margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    ...(opts.headerRows ? { printTitlesRow: opts.headerRows } : {}),
  }
  const footer = headerFooterText(opts.footer)
  ws.headerFooter = { oddFooter: `&L${footer}&RPage &P of &N`, evenFooter: `&L${footer}&RPage &P of &N` }
}

/**
 * In header and footer codes "&" starts a command; a literal one is written twice. The text must be XML
 * too, after the cut (which may split a surrogate pair).
 */
function headerFooterText(s: string): string {
  return xmlText(
    s
      .replace(/[\r\n\t]+/g, ' ')
      .replace(/&/g, '&&')
      .slice(0, 200),
  )
}

/** A calendar date (YYYY-MM-DD) as a date cell value: midnight UTC, which exceljs stores without shift. */
export function dateCell(isoDate: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate)
  if (!m) return null
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.toISOString().slice(0, 10) === isoDate ? d : null
}

/** Database timestamps ("2026-01-15T10:22:33.000Z", "2026-01-15 10:22:33", "2026-01-15"), read as UTC. */
export function timestampCell(value: string | null | undefined): Date | string | null {
  if (!value) return null
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim())
  if (!m) return value
  const d = new Date(m[2] ? `${m[1]}T${m[2]}${m[3] ?? 'Z'}` : `${m[1]}T00:00:00Z`)
  return Number.isNaN(d.getTime()) ? value : d
}

export function addDaysUtc(from: Date, days: number): Date {
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + days))
}
