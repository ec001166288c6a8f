import { Readable } from 'node:stream'
import archiver from 'archiver'
import { CSV_BOM, csvLine } from '../csv.ts'
import {
  type Cell,
  type Column,
  GAP_COLUMNS,
  gapCells,
  heatMapCells,
  heatMapColumns,
  keyCells,
  type PortfolioRow,
  RED_FLAG_COLUMNS,
  redFlagCells,
  SUPPLIER_COLUMNS,
  supplierCells,
} from './sheets.ts'
import { RowTable, Spool } from './spool.ts'
import type { PortfolioOptions } from './write.ts'

/**
 * The portfolio's lists as CSV files in one zip: suppliers.csv, heat-map.csv, red-flags.csv and gaps.csv,
 * the same columns and cells as the workbook's sheets (sheets.ts). A spreadsheet stops at 1,048,576 rows
 * and the workbook continues a longer list on a second sheet; at 50,000 suppliers the gaps alone are
 * about 1.75 million rows, which people load into other tools, so here each list is one file, however long.
 *
 * Streamed like the workbook (write.ts): the input is read once, suppliers.csv is written as it comes and
 * the other lists wait in the spool on disk until their file's turn. archiver (the zip writer exceljs itself
 * uses) compresses one entry at a time and pulls each file's lines only as fast as it writes them out, so
 * memory stays flat whatever the size.
 */

export const CSV_FILES = ['suppliers.csv', 'heat-map.csv', 'red-flags.csv', 'gaps.csv'] as const

/** Lines are handed to the zip in chunks of about this many characters, not one by one. */
const CHUNK = 64 * 1024

type SpooledGroup = [Cell[], (number | Cell[])[]]
type ChannelName = 'heat' | 'flags' | 'gaps'

/** Yields `lines` as chunks of text, the first with the byte order mark and the header. */
async function* chunked(columns: Column[], lines: AsyncIterable<Cell[]>): AsyncGenerator<string> {
  let buf = CSV_BOM + csvLine(columns.map((c) => c.header))
  for await (const cells of lines) {
    buf += csvLine(cells)
    if (buf.length >= CHUNK) {
      yield buf
      buf = ''
    }
  }
  if (buf) yield buf
}

async function* longForm(groups: AsyncIterable<unknown>, table: RowTable<Cell[]>): AsyncGenerator<Cell[]> {
  for await (const group of groups) {
    const [key, rows] = group as SpooledGroup
    for (const ref of rows) yield [...key, ...table.get(ref)]
  }
}

/**
 * Writes the zip into `out` and resolves once `out` has finished. On failure (the input throws, the
 * destination closes) it rejects and leaves `out` to the caller, who should destroy it.
 */
export async function writePortfolioCsvZip(
  out: NodeJS.WritableStream,
  rows: AsyncIterable<PortfolioRow>,
  opts: PortfolioOptions,
): Promise<void> {
  const spool = await Spool.open<ChannelName>(['heat', 'flags', 'gaps'])
  const flagRows = new RowTable<Cell[]>()
  const gapRows = new RowTable<Cell[]>()
  const archive = archiver('zip', { zlib: { level: 6 } })
  // The first failure wins; waiting on it beside each step keeps a stalled zip from hanging forever.
  let failed: Error | undefined
  let rejectFailure: (err: Error) => void = () => {}
  const failure = new Promise<never>((_, reject) => {
    rejectFailure = reject
  })
  failure.catch(() => {})
  const fail = (err: Error) => {
    if (failed) return
    failed = err
    archive.abort()
    rejectFailure(err)
  }
  let finished = false
  const finish = new Promise<void>((resolve) =>
    out.once('finish', () => {
      finished = true
      resolve()
    }),
  )
  out.once('error', fail)
  out.once('close', () => {
    if (!finished) fail(new Error('the destination closed before the zip was complete'))
  })

  // Pass 1: every supplier once; its line now, the other lists' rows into the spool.
  async function* suppliers(): AsyncGenerator<Cell[]> {
    for await (const row of rows) {
      yield supplierCells(row)
      await spool.put('heat', heatMapCells(row, opts.sections))
      if (!row.result) continue
      const key = keyCells(row)
      const flags = redFlagCells(row.result).map((cells) => flagRows.ref(cells))
      if (flags.length > 0) await spool.put('flags', [key, flags] satisfies SpooledGroup)
      const gaps = gapCells(row.result).map((cells) => gapRows.ref(cells))
      if (gaps.length > 0) await spool.put('gaps', [key, gaps] satisfies SpooledGroup)
    }
    await spool.close()
  }
  // Generators start when first read: each later file reads the spool only when the zip reaches it,
  // after suppliers.csv (and with it the spool) has ended.
  const entries: [(typeof CSV_FILES)[number], Column[], AsyncIterable<Cell[]>][] = [
    ['suppliers.csv', SUPPLIER_COLUMNS, suppliers()],
    ['heat-map.csv', heatMapColumns(opts.sections), spool.read('heat') as AsyncIterable<Cell[]>],
    ['red-flags.csv', RED_FLAG_COLUMNS, longForm(spool.read('flags'), flagRows)],
    ['gaps.csv', GAP_COLUMNS, longForm(spool.read('gaps'), gapRows)],
  ]
  try {
    archive.on('error', fail)
    archive.on('warning', fail)
    archive.pipe(out)
    for (const [name, columns, lines] of entries) {
      const source = Readable.from(chunked(columns, lines), { objectMode: false })
      source.on('error', fail)
      archive.append(source, { name, date: opts.generatedAt })
    }
    await Promise.race([archive.finalize(), failure])
    await Promise.race([finish, failure])
  } catch (err) {
    fail(err as Error)
    throw failed
  } finally {
    await spool.dispose()
  }
}
