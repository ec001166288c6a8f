import type ExcelJS from 'exceljs'
import {
  applyBorders,
  type CellInput,
  fitText,
  growRow,
  put,
  styleBlockHeading,
  styleHeader,
  styleMuted,
  textLines,
} from './style.ts'

/**
 * A sheet written top to bottom in blocks (a heading, label and value lines, small tables), as the
 * Summary and Method sheets are. Text that spans columns is merged and wrapped, and its row is grown,
 * because Excel does not grow rows for merged cells by itself.
 */
export class BlockSheet {
  private row = 1
  readonly last: number

  constructor(
    readonly ws: ExcelJS.Worksheet,
    private readonly widths: number[],
  ) {
    this.last = widths.length
    ws.columns = widths.map((width) => ({ width }))
    ws.views = [{ showGridLines: false }]
  }

  next(): ExcelJS.Row {
    return this.ws.getRow(this.row++)
  }

  get current(): number {
    return this.row
  }

  skip(): void {
    this.row++
  }

  heading(text: string): void {
    const row = this.next()
    put(row.getCell(1), text)
    styleBlockHeading(row, this.last)
    row.height = 20
  }

  label(row: ExcelJS.Row, text: string): void {
    const cell = row.getCell(1)
    put(cell, text)
    cell.font = { bold: true }
    cell.alignment = { vertical: 'top', wrapText: true }
  }

  /** A label and its value; text values take the rest of the row. */
  keyValue(name: string, value: CellInput, numFmt?: string): ExcelJS.Row {
    const row = this.next()
    this.label(row, name)
    if (typeof value === 'string' || value === null || value === undefined) {
      this.explain(row, 2, value ?? '')
      if (!value) styleMuted(row.getCell(2))
      return row
    }
    const cell = row.getCell(2)
    put(cell, value, numFmt)
    cell.alignment = { horizontal: 'left', vertical: 'top' }
    return row
  }

  /** Text over the rest of the row from `fromColumn`, wrapped, with the row grown to show it. */
  explain(row: ExcelJS.Row, fromColumn: number, text: string): ExcelJS.Cell {
    if (fromColumn < this.last) this.ws.mergeCells(row.number, fromColumn, row.number, this.last)
    const cell = row.getCell(fromColumn)
    put(cell, text)
    cell.alignment = { vertical: 'top', wrapText: true }
    fitText(row, text, this.widthOf(fromColumn))
    return cell
  }

  /** A whole-width line of text. */
  line(text: string): ExcelJS.Cell {
    return this.explain(this.next(), 1, text)
  }

  /** The width of columns `fromColumn` to `toColumn` together. */
  widthOf(fromColumn: number, toColumn = this.last): number {
    return this.widths.slice(fromColumn - 1, toColumn).reduce((a, b) => a + b, 0)
  }

  tableHeader(headers: string[]): ExcelJS.Row {
    const row = this.next()
    let lines = 1
    headers.forEach((h, i) => {
      put(row.getCell(i + 1), h)
      styleHeader(row.getCell(i + 1))
      lines = Math.max(lines, textLines(h, this.widths[i] ?? 10))
    })
    growRow(row, lines)
    return row
  }

  /** A table row; `merge` joins columns from..to into one cell, measured as one for the row height. */
  tableRow(
    cells: CellInput[],
    formats: (string | undefined)[] = [],
    merge?: { from: number; to: number },
  ): ExcelJS.Row {
    const row = this.next()
    let lines = 1
    cells.forEach((v, i) => {
      const cell = row.getCell(i + 1)
      put(cell, v, formats[i])
      cell.alignment = { vertical: 'top', wrapText: typeof v === 'string' }
      applyBorders(cell)
      const width = merge?.from === i + 1 ? this.widthOf(merge.from, merge.to) : (this.widths[i] ?? 10)
      if (typeof v === 'string') lines = Math.max(lines, textLines(v, width))
    })
    if (merge) this.ws.mergeCells(row.number, merge.from, row.number, merge.to)
    growRow(row, lines)
    return row
  }

  bold(row: ExcelJS.Row): void {
    row.eachCell((cell) => {
      cell.font = { ...cell.font, bold: true }
    })
  }
}
