import type { Stream } from 'node:stream'
import ExcelJS from 'exceljs'
import { toColumnLetter } from '../xlsx/columns.ts'
import { pacer } from '../xlsx/pace.ts'
import { FONT, HEADER_STYLE, solid, THIN } from '../xlsx/style.ts'
import {
  type Cell,
  type Column,
  GAP_COLUMNS,
  gapCells,
  HEAT_FIRST_SCORE_COLUMN,
  heatMapCells,
  heatMapColumns,
  type Kind,
  keyCells,
  type PortfolioRow,
  RED_FLAG_COLUMNS,
  redFlagCells,
  SUPPLIER_COLUMNS,
  supplierCells,
} from './sheets.ts'
import { RowTable, Spool } from './spool.ts'

/**
 * The portfolio risk spreadsheet, streamed: Suppliers, Heat map, Red flags and Gaps.
 *
 * exceljs' streaming writer zips one sheet after another, and anything written to a later sheet while
 * an earlier one is open waits in memory. The input is therefore read exactly once, in the Suppliers
 * pass, and the rows of the three later sheets are spooled to temporary files (see spool.ts)
 * and copied into their sheets afterwards. Reading the input once, rather than once per sheet, means one
 * database query and one scoring per supplier, and every sheet shows the same snapshot of the data even
 * if an assessment changes during the export. Memory stays flat: one supplier's rows at a time, a
 * bounded table of the long-form rows that repeat across suppliers, and at most a few megabytes of XML
 * waiting for the zip (see pacer).
 */

export type { PortfolioRow } from './sheets.ts'
export type PortfolioOptions = { brandName: string; generatedAt: Date; sections: { id: string; title: string }[] }

/** Excel's last row; a larger long-form list continues on a second sheet ("Gaps (2)"). */
const MAX_SHEET_ROWS = 1_048_576

/** The kit's header; rows below are not bordered, so the header has only its bottom line. */
const HEADER: Partial<ExcelJS.Style> = { ...HEADER_STYLE, border: { bottom: THIN } }

/**
 * One style object per kind, shared by every cell: exceljs recognises a style object it has seen
 * before without serialising it again, which is what keeps styled streaming fast.
 */
const KIND_STYLE: Record<Kind, Partial<ExcelJS.Style>> = {
  text: {},
  id: { numFmt: '0' },
  count: { numFmt: '0' },
  score: { numFmt: '0.0' },
  decimal: { numFmt: '0.0#' },
  date: { numFmt: 'yyyy-mm-dd' },
  rating: {},
  severity: {},
}

/** Colours for ratings and severities; the word is always in the cell too, so grey-scale prints read. */
const LEVEL_STYLE: Record<string, Partial<ExcelJS.Style>> = {
  Critical: { font: { ...FONT, bold: true, color: { argb: 'FFFFFFFF' } }, fill: solid('C00000') },
  High: { font: { ...FONT, bold: true }, fill: solid('F4B183') },
  Medium: { fill: solid('FFE699') },
  Low: { fill: solid('C6EFCE') },
}

function styleOf(kind: Kind, value: Cell): Partial<ExcelJS.Style> {
  if ((kind === 'rating' || kind === 'severity') && typeof value === 'string')
    return LEVEL_STYLE[value] ?? KIND_STYLE.text
  return KIND_STYLE[kind]
}

type SheetSpec = { name: string; columns: Column[]; freezeColumns: number; colourScaleFrom?: number }

function footer(opts: PortfolioOptions): string {
  // "&" starts a header/footer code in Excel, so a brand called "A&B" must be written "A&&B".
  const brand = opts.brandName.replace(/&/g, '&&')
  return `&L${brand}: portfolio risk, ${opts.generatedAt.toISOString().slice(0, 10)}&RPage &P of &N`
}

/** Tall enough for the longest wrapped header: about 0.9 bold characters per unit of width. */
function headerHeight(columns: Column[]): number {
  const lines = Math.max(2, ...columns.map((c) => Math.ceil(c.header.length / Math.max(1, c.width * 0.9))))
  return Math.min(409, lines * 15)
}

class SheetWriter {
  private ws!: ExcelJS.Worksheet
  private row = 0
  private part = 0

  constructor(
    private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter,
    private readonly spec: SheetSpec,
    private readonly opts: PortfolioOptions,
    private readonly pace: (ws: ExcelJS.Worksheet) => Promise<void>,
  ) {
    this.open()
  }

  private open(): void {
    this.part++
    const { spec } = this
    this.ws = this.wb.addWorksheet(this.part === 1 ? spec.name : `${spec.name} (${this.part})`, {
      views: [{ state: 'frozen', xSplit: spec.freezeColumns, ySplit: 1 }],
      pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
      headerFooter: { oddFooter: footer(this.opts) },
    })
    this.ws.columns = spec.columns.map((c) => ({ width: c.width }))
    this.ws.pageSetup.printTitlesRow = '1:1'
    const header = this.ws.addRow(spec.columns.map((c) => c.header))
    header.height = headerHeight(spec.columns)
    header.eachCell((cell) => {
      cell.style = HEADER
    })
    header.commit()
    this.row = 1
  }

  async add(cells: Cell[]): Promise<void> {
    if (this.row >= MAX_SHEET_ROWS) {
      this.close()
      this.open()
    }
    const row = this.ws.getRow(++this.row)
    const { columns } = this.spec
    // Empty cells are not created at all: exceljs would otherwise style and write each one.
    for (let i = 0; i < cells.length; i++) {
      const value = cells[i]
      if (value === null || value === undefined) continue
      const cell = row.getCell(i + 1)
      cell.value = value
      cell.style = styleOf((columns[i] as Column).kind, value)
    }
    row.commit()
    await this.pace(this.ws)
  }

  close(): void {
    const last = toColumnLetter(this.spec.columns.length)
    this.ws.autoFilter = `A1:${last}${this.row}`
    const from = this.spec.colourScaleFrom
    if (from !== undefined && this.row > 1) {
      this.ws.addConditionalFormatting({
        ref: `${toColumnLetter(from)}2:${last}${this.row}`,
        rules: [
          {
            type: 'colorScale',
            priority: 1,
            cfvo: [
              { type: 'num', value: 0 },
              { type: 'num', value: 50 },
              { type: 'num', value: 100 },
            ],
            color: [{ argb: 'FFF8696B' }, { argb: 'FFFFEB84' }, { argb: 'FF63BE7B' }],
          },
        ],
      })
    }
    this.ws.commit()
  }
}

/** One supplier's long-form rows: its key columns, then each row or its number in the RowTable. */
type SpooledGroup = [Cell[], (number | Cell[])[]]
type ChannelName = 'heat' | 'flags' | 'gaps'

/**
 * Writes the workbook into `out` and resolves once `out` has finished. On failure (the input throws,
 * the destination closes) it rejects and leaves `out` to the caller, who should destroy it.
 */
export async function writePortfolio(
  out: NodeJS.WritableStream,
  rows: AsyncIterable<PortfolioRow>,
  opts: PortfolioOptions,
): Promise<void> {
  const spool = await Spool.open<ChannelName>(['heat', 'flags', 'gaps'])
  try {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      // exceljs only pipes into the stream; its typings ask for more than a writable needs.
      stream: out as unknown as Stream,
      useStyles: true,
      useSharedStrings: false,
    })
    wb.creator = 'Fairhire'
    wb.title = `Portfolio risk: ${opts.brandName}`
    wb.created = opts.generatedAt
    wb.modified = opts.generatedAt
    const pace = pacer(out)
    const sheet = (spec: SheetSpec) => new SheetWriter(wb, spec, opts, pace)

    const suppliers = sheet({ name: 'Suppliers', columns: SUPPLIER_COLUMNS, freezeColumns: 2 })
    const flagRows = new RowTable<Cell[]>()
    const gapRows = new RowTable<Cell[]>()
    for await (const row of rows) {
      await suppliers.add(supplierCells(row))
      await spool.put('heat', heatMapCells(row, opts.sections))
      if (!row.result) continue
      const key = keyCells(row)
      const flags = redFlagCells(row.result).map((cells) => flagRows.ref(cells))
      if (flags.length > 0) await spool.put('flags', [key, flags] satisfies SpooledGroup)
      const gaps = gapCells(row.result).map((cells) => gapRows.ref(cells))
      if (gaps.length > 0) await spool.put('gaps', [key, gaps] satisfies SpooledGroup)
    }
    suppliers.close()
    await spool.close()

    const heat = sheet({
      name: 'Heat map',
      columns: heatMapColumns(opts.sections),
      freezeColumns: 2,
      colourScaleFrom: HEAT_FIRST_SCORE_COLUMN,
    })
    for await (const cells of spool.read('heat')) await heat.add(cells as Cell[])
    heat.close()
    const flagSheet = sheet({ name: 'Red flags', columns: RED_FLAG_COLUMNS, freezeColumns: 2 })
    await copyLongForm(flagSheet, spool.read('flags'), flagRows)
    await copyLongForm(sheet({ name: 'Gaps', columns: GAP_COLUMNS, freezeColumns: 2 }), spool.read('gaps'), gapRows)
    await wb.commit()
  } finally {
    await spool.dispose()
  }
}

async function copyLongForm(
  target: SheetWriter,
  groups: AsyncIterable<unknown>,
  table: RowTable<Cell[]>,
): Promise<void> {
  for await (const group of groups) {
    const [key, rows] = group as SpooledGroup
    for (const ref of rows) await target.add([...key, ...table.get(ref)])
  }
  target.close()
}
