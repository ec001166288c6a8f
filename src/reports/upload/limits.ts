import { count, damaged, FAR_MORE, formatBytes, notXlsx, UploadRejected } from './errors.ts'
import { declaredRanges, MAX_COLUMN } from './ranges.ts'
import { countSheet, MAX_ROW, sheetNames, xmlDepth } from './sheets.ts'
import { type Entry, inflateEntry, readDirectory, storedZip, walkEntries } from './zip.ts'

export { formatBytes, UploadRejected, type UploadRejectionReason } from './errors.ts'

/**
 * The checks an uploaded workbook passes before any parser sees it, and the only bytes a parser is then
 * given. An .xlsx file is a zip archive of XML parts, and exceljs inflates every entry in full and builds
 * every row, cell and range it finds, so a small file could exhaust the server in several ways:
 *  - an entry that declares a few bytes and inflates to gigabytes: only the parts a workbook needs are
 *    inflated (the others are skipped without being read), and the bytes actually produced are counted,
 *    per part and in total, and inflation stops at the limit whatever the archive declares;
 *  - a sheet of a million rows or cells, which compresses to almost nothing: the rows and cells of each
 *    sheet are counted from its XML (sheets.ts);
 *  - elements nested a million deep;
 *  - merged cells, drop-down lists and named ranges covering "A1:XFD1048576" (ranges.ts).
 * What passes is rewritten as a new archive holding only the parts kept, so exceljs never sees the rest.
 */

export type UploadLimits = {
  maxBytes: number
  maxEntries: number
  /** Bytes inflated from all the parts read, together. */
  maxUncompressedBytes: number
  /** Bytes inflated from one part; DEFAULT_UPLOAD_LIMITS' (or the total, when lower) when absent. */
  maxPartBytes?: number
  /** Cells covered by merged cells, drop-down lists and named ranges; DEFAULT_UPLOAD_LIMITS' when absent. */
  maxRangeCells?: number
  maxSheets?: number
  maxSheetRows?: number
  maxSheetCells?: number
  /** Cells of all the sheets together. */
  maxCells?: number
  maxDepth?: number
}

const MB = 1024 * 1024

/**
 * A questionnaire workbook is about 60 KB, unpacks to about 250 KB in 20 entries and 4 sheets, and holds
 * about 130 rows and 1,500 cells; a gap report with 150 actions about 250 KB, 5 sheets, 4,000 cells.
 * These limits leave a wide margin, and keep what exceljs builds (a few hundred bytes a cell) far below
 * the memory an upload may use.
 */
export const DEFAULT_UPLOAD_LIMITS = {
  maxBytes: 5 * MB,
  maxEntries: 2_000,
  maxUncompressedBytes: 20 * MB,
  maxPartBytes: 10 * MB,
  // A drop-down list applied to a whole column (1,048,576 cells) still passes; exceljs takes about a second.
  maxRangeCells: 1_100_000,
  maxSheets: 32,
  maxSheetRows: 5_000,
  maxSheetCells: 50_000,
  maxCells: 100_000,
  // Spreadsheet programs nest fewer than 20 levels.
  maxDepth: 100,
} satisfies Required<UploadLimits>

/**
 * The parts exceljs reads that an import can need: the workbook, its sheets, the strings and styles their
 * cells use (styles tell dates from numbers), and the parts a sheet may refer to (hyperlinks, notes,
 * tables, drawings), which exceljs expects to find once the sheet names them. Images, themes, printer
 * settings and anything else are skipped unread.
 */
const NEEDED = [
  /^\[Content_Types\]\.xml$/,
  /^_rels\/\.rels$/,
  /^docProps\/(?:core|app)\.xml$/,
  /^xl\/workbook\.xml$/,
  /^xl\/_rels\/workbook\.xml\.rels$/,
  /^xl\/sharedStrings\.xml$/,
  /^xl\/styles\.xml$/,
  /^xl\/worksheets\/sheet\d{1,5}\.xml$/,
  /^xl\/worksheets\/_rels\/sheet\d{1,5}\.xml\.rels$/,
  /^xl\/comments\d{1,5}\.xml$/,
  /^xl\/tables\/table\d{1,5}\.xml$/,
  /^xl\/drawings\/(?:drawing\d{1,5}\.xml|vmlDrawing\d{1,5}\.vml|_rels\/drawing\d{1,5}\.xml\.rels)$/,
]
const SHEET = /^xl\/worksheets\/sheet\d+\.xml$/
/** The parts whose ranges exceljs expands: every sheet and the workbook part. */
const RANGE_PART = /^xl\/worksheets\/sheet\d+\.xml$|^xl\/workbook\.xml$/

export type CheckedUpload = {
  entries: number
  /** Bytes inflated from the parts kept. */
  uncompressedBytes: number
  rangeCells: number
  /** The parts kept, as a new archive: the only bytes to give a parser. */
  archive: Buffer
}

/**
 * Refuses a file that is too large, is not a zip-based workbook, has too many entries or sheets, unpacks
 * to too much data, holds too many rows or cells, nests too deep or declares too large ranges; returns the
 * parts a workbook needs as a new archive.
 */
export function checkXlsxUpload(data: Buffer, given: UploadLimits = DEFAULT_UPLOAD_LIMITS): CheckedUpload {
  const limits: Limits = { ...DEFAULT_UPLOAD_LIMITS }
  for (const [key, value] of Object.entries(given)) if (value !== undefined) limits[key as keyof Limits] = value
  if (given.maxPartBytes === undefined)
    limits.maxPartBytes = Math.min(DEFAULT_UPLOAD_LIMITS.maxPartBytes, limits.maxUncompressedBytes)
  if (data.length > limits.maxBytes) {
    throw new UploadRejected(
      `The file is ${formatBytes(data.length)}; the largest file accepted is ${formatBytes(limits.maxBytes)}.`,
      'too_large',
    )
  }
  if (data.subarray(0, OLE_SIGNATURE.length).equals(OLE_SIGNATURE)) {
    throw new UploadRejected(
      'This is an old-style Excel file (.xls) or a password-protected workbook. Remove any password and save it as .xlsx.',
      'not_xlsx',
    )
  }
  const dir = readDirectory(data)
  if (dir.entries > limits.maxEntries) {
    throw new UploadRejected(
      `The workbook holds ${count(dir.entries)} parts; at most ${count(limits.maxEntries)} are accepted.`,
      'too_many_entries',
    )
  }
  const needed = neededEntries(data, dir, limits)
  const parts = inflateAll(data, needed, limits)
  checkXml(parts, limits)
  const ranges = declaredRanges(
    (function* () {
      for (const [name, bytes] of parts) if (RANGE_PART.test(name)) yield bytes.toString('utf8')
    })(),
  )
  if (ranges.badColumn !== null) throw damaged(`it declares column ${ranges.badColumn}, beyond the last column XFD`)
  if (ranges.cells > limits.maxRangeCells) {
    const largest = ranges.largest as { kind: string; range: string }
    throw new UploadRejected(
      `The workbook's merged cells, drop-down lists and named ranges cover ${count(ranges.cells)} cells (the ${largest.kind} ${largest.range}, for one); at most ${count(limits.maxRangeCells)} are accepted, far more than a questionnaire or action plan needs. It was refused without being opened: remove them and upload it again.`,
      'too_many_cells',
    )
  }
  let uncompressed = 0
  for (const bytes of parts.values()) uncompressed += bytes.length
  return {
    entries: dir.entries,
    uncompressedBytes: uncompressed,
    rangeCells: ranges.cells,
    archive: storedZip([...parts].map(([name, bytes]) => ({ name, data: bytes }))),
  }
}

type Limits = typeof DEFAULT_UPLOAD_LIMITS

const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])

const tooMuchData = (what: string, limit: number) =>
  new UploadRejected(`${what} unpack to more than ${formatBytes(limit)}, ${FAR_MORE}.`, 'too_much_data')

/** The entries to read, by their name as exceljs reads it (one leading "/" dropped). */
function neededEntries(data: Buffer, dir: ReturnType<typeof readDirectory>, limits: Limits): Map<string, Entry> {
  const out = new Map<string, Entry>()
  let declared = 0
  let sheets = 0
  for (const entry of walkEntries(data, dir)) {
    const name = entry.name.startsWith('/') ? entry.name.slice(1) : entry.name
    if (!NEEDED.some((re) => re.test(name))) continue
    if (out.has(name)) throw damaged(`it holds the part ${name.slice(0, 80)} twice`)
    if (SHEET.test(name) && ++sheets > limits.maxSheets) {
      throw new UploadRejected(
        `The workbook holds more than ${count(limits.maxSheets)} sheets, ${FAR_MORE}.`,
        'too_many_entries',
      )
    }
    // An honest archive that is too large is refused from its declarations alone; a dishonest one is
    // caught while inflating, by the bytes it actually produces.
    declared += entry.declaredSize
    if (declared > limits.maxUncompressedBytes) throw tooMuchData('The workbook would', limits.maxUncompressedBytes)
    out.set(name, entry)
  }
  if (!out.has('[Content_Types].xml') || !out.has('xl/workbook.xml')) {
    throw notXlsx('it is a zip archive, but not a spreadsheet')
  }
  return out
}

function inflateAll(data: Buffer, entries: Map<string, Entry>, limits: Limits): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  let total = 0
  for (const [name, entry] of entries) {
    const left = limits.maxUncompressedBytes - total
    const bound = Math.min(limits.maxPartBytes, left)
    const bytes = inflateEntry(data, entry, bound)
    if (bytes === null) {
      if (bound === left) throw tooMuchData('The workbook would', limits.maxUncompressedBytes)
      throw tooMuchData(`The part ${name} of the workbook would`, limits.maxPartBytes)
    }
    total += bytes.length
    out.set(name, bytes)
  }
  return out
}

/** Nesting of every part, then the rows and cells of every sheet, named as the person knows it. */
function checkXml(parts: Map<string, Buffer>, limits: Limits): void {
  const text = (name: string) => parts.get(name)?.toString('utf8') ?? ''
  const names = sheetNames(text('xl/workbook.xml'), text('xl/_rels/workbook.xml.rels'))
  let cells = 0
  for (const [name, bytes] of parts) {
    const xml = bytes.toString('utf8')
    const depth = xmlDepth(xml, limits.maxDepth)
    if (depth === 'doctype') throw damaged(`its part ${name} declares a document type, which spreadsheets never do`)
    if (depth > limits.maxDepth) {
      throw new UploadRejected(
        `The part ${name} of the workbook nests its XML more than ${count(limits.maxDepth)} levels deep; spreadsheet programs write fewer than 20. It was refused without being opened.`,
        'too_deep',
      )
    }
    if (!SHEET.test(name)) continue
    const sheet = names.has(name) ? `the sheet "${names.get(name)}"` : `the sheet part ${name}`
    const n = countSheet(xml, limits.maxSheetRows, limits.maxSheetCells)
    if (n.rows > limits.maxSheetRows) throw tooMany(`${cap(sheet)} holds more than ${count(limits.maxSheetRows)} rows`)
    if (n.cells > limits.maxSheetCells)
      throw tooMany(`${cap(sheet)} holds more than ${count(limits.maxSheetCells)} cells`)
    if (n.lastRow > MAX_ROW)
      throw damaged(`${sheet} has a row numbered ${count(n.lastRow)}, beyond Excel's last row ${count(MAX_ROW)}`)
    if (n.lastColumn > MAX_COLUMN) throw damaged(`${sheet} has a cell beyond the last column XFD`)
    cells += n.cells
    if (cells > limits.maxCells) throw tooMany(`The workbook holds more than ${count(limits.maxCells)} cells`)
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
const tooMany = (what: string) => new UploadRejected(`${what}, ${FAR_MORE}.`, 'too_many_rows')
