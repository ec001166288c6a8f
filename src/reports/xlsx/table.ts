import type ExcelJS from 'exceljs'
import { toColumnLetter } from './columns.ts'
import {
  type CellInput,
  fitText,
  growRow,
  paint,
  printSetup,
  put,
  type Swatch,
  styleBody,
  styleGroupHeading,
  styleHeader,
  styleMuted,
  styleTitle,
  textLines,
} from './style.ts'

/**
 * A list sheet: a title, one line saying what the sheet is for, then a table with a frozen, filtered
 * header row that repeats on every printed page. Every list sheet of the gap report has this shape, so a
 * reader learns it once.
 */

export const TITLE_ROW = 1
export const INTRO_ROW = 2
export const HEADER_ROW = 3
export const FIRST_DATA_ROW = 4

export type TableColumn<R> = {
  header: string
  width: number
  value: (row: R) => CellInput
  numFmt?: string
  wrap?: boolean
  hidden?: boolean
  /** Columns the reader is expected to fill in: highlighted. */
  editable?: boolean
  swatch?: (row: R) => Swatch | undefined
  muted?: (row: R) => boolean
}

/** Rows under a heading row that says what they are and how many (see TableOptions.rows). */
export type TableGroup<R> = { heading: string; rows: readonly R[] }

export type GroupedRows<R> = {
  groups: readonly TableGroup<R>[]
  /**
   * The columns a heading's text is merged across (1-based, default: the first visible to the last). A sheet
   * that is uploaded back keeps its editable columns out: a merged cell reads as its text in every column.
   */
  headingColumns?: { from: number; to: number }
}

export type TableOptions<R> = {
  title: string
  intro: string
  columns: TableColumn<R>[]
  /**
   * The rows, or the rows in groups: each group under a heading row, its rows one outline level below, so
   * that a reader can fold a group away (the outline buttons sit beside the headings, above their rows).
   */
  rows: readonly R[] | GroupedRows<R>
  /** Shown instead of rows when there are none, so an empty sheet never looks like a broken one. */
  empty: string
  /** Columns kept in view when scrolling right (counted from A, hidden ones included). */
  freezeColumns?: number
  footer: string
}

/** `dataRows`: the rows that hold a row of data; `headingRows`: the group headings. Both in order. */
export type TablePlacement = {
  firstRow: number
  lastRow: number
  lastColumn: number
  dataRows: number[]
  headingRows: number[]
}

export function writeTable<R>(ws: ExcelJS.Worksheet, opts: TableOptions<R>): TablePlacement {
  const { columns, rows } = opts
  const lastColumn = columns.length
  const firstVisible = firstVisibleColumn(columns)
  writeTop(ws, opts)
  let lastRow = FIRST_DATA_ROW - 1
  const dataRows: number[] = []
  const headingRows: number[] = []
  const grouped = 'groups' in rows
  const groups: readonly { heading: string | null; rows: readonly R[] }[] = grouped
    ? rows.groups
    : [{ heading: null, rows }]
  const span = (grouped ? rows.headingColumns : undefined) ?? { from: firstVisible, to: lastColumn }
  for (const group of groups) {
    if (group.heading !== null) {
      lastRow++
      headingRows.push(lastRow)
      writeGroupHeading(ws.getRow(lastRow), group.heading, columns, span, firstVisible)
    }
    for (const r of group.rows) {
      lastRow++
      const row = ws.getRow(lastRow)
      writeRow(row, columns, r)
      if (group.heading !== null) row.outlineLevel = 1
      dataRows.push(lastRow)
    }
  }
  if (grouped && groups.length > 0) {
    ws.properties.outlineLevelRow = 1
    ws.properties.outlineProperties = { summaryBelow: false, summaryRight: false }
  }
  if (lastRow < FIRST_DATA_ROW) {
    lastRow = FIRST_DATA_ROW
    writeEmptyNote(ws, opts.empty, firstVisible, lastColumn)
  }
  ws.views = tableViews(opts)
  ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: lastRow, column: lastColumn } }
  printSetup(ws, { headerRows: `${HEADER_ROW}:${HEADER_ROW}`, footer: opts.footer })
  return { firstRow: FIRST_DATA_ROW, lastRow, lastColumn, dataRows, headingRows }
}

const firstVisibleColumn = <R>(columns: TableColumn<R>[]) => columns.findIndex((c) => !c.hidden) + 1

/** Column widths, the title, the line under it and the header row. */
function writeTop<R>(ws: ExcelJS.Worksheet, opts: Omit<TableOptions<R>, 'rows'>): void {
  const { columns } = opts
  ws.columns = columns.map((c) => ({ width: c.width, hidden: c.hidden ?? false }))
  writeHeading(ws, opts, firstVisibleColumn(columns), columns.length)
  const header = ws.getRow(HEADER_ROW)
  let headerLines = 2
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1)
    cell.value = c.header
    styleHeader(cell, c.editable)
    if (!c.hidden) headerLines = Math.max(headerLines, textLines(c.header, c.width))
  })
  growRow(header, headerLines)
}

/** The header frozen (and the first columns asked for), the cursor on the first data cell. */
function tableViews<R>(opts: Omit<TableOptions<R>, 'rows'>): Partial<ExcelJS.WorksheetView>[] {
  return [
    {
      state: 'frozen',
      xSplit: opts.freezeColumns ?? 0,
      ySplit: HEADER_ROW,
      topLeftCell: `${toColumnLetter((opts.freezeColumns ?? 0) + 1)}${FIRST_DATA_ROW}`,
      activeCell: `${toColumnLetter(firstVisibleColumn(opts.columns))}${FIRST_DATA_ROW}`,
    },
  ]
}

/** Excel's last row; a longer list continues on another sheet ("Name (2)"). */
const MAX_SHEET_ROWS = 1_048_576

/**
 * The same list sheet written row by row into a streaming workbook (exceljs' WorkbookWriter), for lists too
 * long to hold in memory: each row is committed as soon as it is written. The views and the fit-to-page set-up
 * are given when the sheet is made, because the streaming writer writes them before the first row.
 * `pace` (xlsx/pace.ts) lets the zip and the destination catch up.
 */
export class StreamedTable<R> {
  private ws!: ExcelJS.Worksheet
  private lastRow = 0
  private part = 0
  private rows = 0

  constructor(
    private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter,
    private readonly name: string,
    private readonly opts: Omit<TableOptions<R>, 'rows'>,
    private readonly pace: (ws: ExcelJS.Worksheet) => Promise<void>,
  ) {
    this.open()
  }

  private open(): void {
    this.part++
    this.ws = this.wb.addWorksheet(this.part === 1 ? this.name : `${this.name} (${this.part})`, {
      views: tableViews(this.opts),
      pageSetup: { fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    })
    writeTop(this.ws, this.opts)
    for (const n of [TITLE_ROW, INTRO_ROW, HEADER_ROW]) this.ws.getRow(n).commit()
    this.lastRow = HEADER_ROW
  }

  async add(r: R): Promise<void> {
    if (this.lastRow >= MAX_SHEET_ROWS) {
      this.finish()
      this.open()
    }
    const row = this.ws.getRow(++this.lastRow)
    writeRow(row, this.opts.columns, r)
    row.commit()
    this.rows++
    await this.pace(this.ws)
  }

  /** Ends the sheet; returns how many rows it was given in all. */
  close(): number {
    if (this.rows === 0) {
      this.lastRow = FIRST_DATA_ROW
      writeEmptyNote(this.ws, this.opts.empty, firstVisibleColumn(this.opts.columns), this.opts.columns.length)
    }
    this.finish()
    return this.rows
  }

  private finish(): void {
    const lastColumn = this.opts.columns.length
    this.ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: this.lastRow, column: lastColumn } }
    printSetup(this.ws, { headerRows: `${HEADER_ROW}:${HEADER_ROW}`, footer: this.opts.footer })
    this.ws.commit()
  }
}

function writeHeading<R>(ws: ExcelJS.Worksheet, opts: Omit<TableOptions<R>, 'rows'>, from: number, to: number): void {
  const title = ws.getRow(TITLE_ROW).getCell(from)
  put(title, opts.title)
  styleTitle(title)
  ws.getRow(TITLE_ROW).height = 26
  ws.mergeCells(INTRO_ROW, from, INTRO_ROW, to)
  const intro = ws.getRow(INTRO_ROW).getCell(from)
  put(intro, opts.intro)
  intro.alignment = { vertical: 'top', wrapText: true }
  styleMuted(intro)
  const width = opts.columns.reduce((n, c) => n + (c.hidden ? 0 : c.width), 0)
  fitText(ws.getRow(INTRO_ROW), opts.intro, width)
}

function writeRow<R>(row: ExcelJS.Row, columns: TableColumn<R>[], r: R): void {
  let lines = 1
  columns.forEach((c, i) => {
    const cell = row.getCell(i + 1)
    const value = c.value(r)
    put(cell, value, c.numFmt)
    if (c.wrap && typeof value === 'string') lines = Math.max(lines, textLines(value, c.width))
    styleBody(cell, c.wrap ?? false, c.editable)
    const swatch = c.swatch?.(r)
    if (swatch) paint(cell, swatch)
    if (c.muted?.(r)) styleMuted(cell)
  })
  growRow(row, lines)
}

/** The whole visible width is coloured as one band; the text is merged across `span` only. */
function writeGroupHeading<R>(
  row: ExcelJS.Row,
  text: string,
  columns: TableColumn<R>[],
  span: { from: number; to: number },
  firstVisible: number,
): void {
  for (let c = firstVisible; c <= columns.length; c++) styleGroupHeading(row.getCell(c))
  if (span.to > span.from) row.worksheet.mergeCells(row.number, span.from, row.number, span.to)
  const cell = row.getCell(span.from)
  put(cell, text)
  cell.alignment = { vertical: 'top', wrapText: true }
  const width = columns.slice(span.from - 1, span.to).reduce((n, c) => n + (c.hidden ? 0 : c.width), 0)
  fitText(row, text, width)
}

function writeEmptyNote(ws: ExcelJS.Worksheet, text: string, from: number, to: number): void {
  ws.mergeCells(FIRST_DATA_ROW, from, FIRST_DATA_ROW, to)
  const cell = ws.getRow(FIRST_DATA_ROW).getCell(from)
  put(cell, text)
  cell.alignment = { vertical: 'top', wrapText: true }
  styleMuted(cell)
}
