import { inflateRawSync } from 'node:zlib'
import { declaredRanges } from './upload-ranges.ts'

/**
 * Cheap checks on an uploaded workbook before any parser sees it. An .xlsx file is a zip archive, and
 * exceljs inflates every entry into memory, so a small file that declares gigabytes of XML (a "zip bomb")
 * or thousands of entries could exhaust the server. The zip's central directory, at the end of the file,
 * lists every entry with its declared uncompressed size: reading it costs microseconds and inflates
 * nothing. Sizes are the archive's own declarations; a forged archive that understates them fails the
 * parser's length and CRC checks, but only after inflating up to the forged size, so keep the byte limit low.
 *
 * The sheets and the workbook part are then inflated (within those limits) and the cells their merged
 * cells, drop-down lists and named ranges cover are counted (upload-ranges.ts): exceljs creates every one
 * of them, so "A1:XFD1048576" in a file of a few kilobytes would exhaust the server too.
 */

export type UploadLimits = {
  maxBytes: number
  maxEntries: number
  maxUncompressedBytes: number
  /** Cells covered by merged cells, drop-down lists and named ranges; DEFAULT_UPLOAD_LIMITS' when absent. */
  maxRangeCells?: number
}

const MB = 1024 * 1024

/** A questionnaire workbook is about 60 KB and 20 entries; these limits leave a wide margin. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxBytes: 5 * MB,
  maxEntries: 2_000,
  maxUncompressedBytes: 50 * MB,
  // A drop-down list applied to a whole column (1,048,576 cells) still passes; exceljs takes about a second.
  maxRangeCells: 1_100_000,
}

export type UploadRejectionReason =
  | 'too_large'
  | 'not_xlsx'
  | 'too_many_entries'
  | 'too_much_data'
  | 'too_many_cells'
  | 'damaged'

export class UploadRejected extends Error {
  constructor(
    message: string,
    readonly reason: UploadRejectionReason,
  ) {
    super(message)
    this.name = 'UploadRejected'
  }
}

const EOCD_SIGNATURE = 0x06054b50
const EOCD_LENGTH = 22
const MAX_COMMENT = 0xffff
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const CENTRAL_ENTRY_SIGNATURE = 0x02014b50
const CENTRAL_ENTRY_LENGTH = 46
const LOCAL_ENTRY_SIGNATURE = 0x04034b50
const LOCAL_ENTRY_LENGTH = 30
/** The parts whose ranges exceljs expands: every sheet (exceljs's own pattern) and the workbook part. */
const RANGE_PARTS = /xl\/worksheets\/sheet\d+[.]xml|^\/?xl\/workbook\.xml$/
const ZIP64_EXTRA_ID = 0x0001
const U16_MAX = 0xffff
const U32_MAX = 0xffffffff
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])

export function formatBytes(n: number): string {
  if (n >= MB) return `${(n / MB).toFixed(n % MB === 0 ? 0 : 1)} MB`
  if (n >= 1024) return `${Math.round(n / 1024)} KB`
  return `${n} bytes`
}

const notXlsx = (detail: string) =>
  new UploadRejected(`This file is not an Excel workbook (.xlsx): ${detail}. Save it from Excel as .xlsx.`, 'not_xlsx')
const damaged = (detail: string) =>
  new UploadRejected(
    `This Excel file is damaged (${detail}). Open it in Excel, save it again and upload that.`,
    'damaged',
  )

type Directory = { entries: number; offset: number; size: number; end: number }

/**
 * Refuses a file that is too large, is not a zip-based workbook, has too many entries or declares too
 * much uncompressed data. Returns the number of entries and the declared uncompressed total.
 */
export function checkXlsxUpload(
  data: Buffer,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): { entries: number; uncompressedBytes: number; rangeCells: number } {
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
      `The workbook holds ${dir.entries.toLocaleString('en')} parts; at most ${limits.maxEntries.toLocaleString('en')} are accepted.`,
      'too_many_entries',
    )
  }
  const { names, uncompressed, rangeParts } = walkDirectory(data, dir, limits.maxUncompressedBytes)
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) {
    throw notXlsx('it is a zip archive, but not a spreadsheet')
  }
  const ranges = declaredRanges(rangeParts.map((pos) => readPart(data, pos)))
  if (ranges.badColumn !== null) throw damaged(`it declares column ${ranges.badColumn}, beyond the last column XFD`)
  const maxCells = limits.maxRangeCells ?? (DEFAULT_UPLOAD_LIMITS.maxRangeCells as number)
  if (ranges.cells > maxCells) {
    const largest = ranges.largest as { kind: string; range: string }
    throw new UploadRejected(
      `The workbook's merged cells, drop-down lists and named ranges cover ${count(ranges.cells)} cells (the ${largest.kind} ${largest.range}, for one); at most ${count(maxCells)} are accepted, far more than a questionnaire or action plan needs. It was refused without being opened: remove them and upload it again.`,
      'too_many_cells',
    )
  }
  return { entries: dir.entries, uncompressedBytes: uncompressed, rangeCells: ranges.cells }
}

const count = (n: number) => (Number.isFinite(n) && n < 1e15 ? n.toLocaleString('en') : 'more than a million billion')

function findEndRecord(data: Buffer): number {
  const last = data.length - EOCD_LENGTH
  const first = Math.max(0, last - MAX_COMMENT)
  let fallback = -1
  for (let i = last; i >= first; i--) {
    if (data.readUInt32LE(i) !== EOCD_SIGNATURE) continue
    // The archive comment may itself contain the signature; the real record's comment ends the file.
    if (i + EOCD_LENGTH + data.readUInt16LE(i + 20) === data.length) return i
    if (fallback < 0) fallback = i
  }
  return fallback
}

function readDirectory(data: Buffer): Directory {
  if (data.length < EOCD_LENGTH) throw notXlsx('it is too short to be a workbook')
  const at = findEndRecord(data)
  if (at < 0) throw notXlsx('it is not a zip archive')
  if (data.readUInt16LE(at + 4) !== 0 || data.readUInt16LE(at + 6) !== 0) {
    throw notXlsx('it is a zip archive split over several files')
  }
  const dir = {
    entries: data.readUInt16LE(at + 10),
    size: data.readUInt32LE(at + 12),
    offset: data.readUInt32LE(at + 16),
    end: at,
  }
  if (dir.entries === U16_MAX || dir.size === U32_MAX || dir.offset === U32_MAX) return readZip64Directory(data, at)
  if (dir.offset + dir.size > at) throw damaged('its table of contents points outside the file')
  return dir
}

const big = (n: bigint): number => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n))

/** Zip64 moves the counts into a second record; a forged one must not make us read out of bounds. */
function readZip64Directory(data: Buffer, eocd: number): Directory {
  const locator = eocd - 20
  if (locator < 0 || data.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) {
    throw damaged('its zip64 table of contents is missing')
  }
  const at = big(data.readBigUInt64LE(locator + 8))
  if (at + 56 > locator || data.readUInt32LE(at) !== ZIP64_EOCD_SIGNATURE) {
    throw damaged('its zip64 table of contents is invalid')
  }
  const dir = {
    entries: big(data.readBigUInt64LE(at + 32)),
    size: big(data.readBigUInt64LE(at + 40)),
    offset: big(data.readBigUInt64LE(at + 48)),
    end: at,
  }
  if (dir.offset + dir.size > at) throw damaged('its table of contents points outside the file')
  return dir
}

function walkDirectory(data: Buffer, dir: Directory, maxUncompressed: number) {
  const names = new Set<string>()
  const rangeParts: number[] = []
  let uncompressed = 0
  let pos = dir.offset
  for (let i = 0; i < dir.entries; i++) {
    if (pos + CENTRAL_ENTRY_LENGTH > dir.end || data.readUInt32LE(pos) !== CENTRAL_ENTRY_SIGNATURE) {
      throw damaged('its table of contents is cut short')
    }
    const nameLength = data.readUInt16LE(pos + 28)
    const extraLength = data.readUInt16LE(pos + 30)
    const commentLength = data.readUInt16LE(pos + 32)
    const next = pos + CENTRAL_ENTRY_LENGTH + nameLength + extraLength + commentLength
    if (next > dir.end) throw damaged('its table of contents is cut short')
    const name = data.toString('utf8', pos + CENTRAL_ENTRY_LENGTH, pos + CENTRAL_ENTRY_LENGTH + nameLength)
    names.add(name)
    if (RANGE_PARTS.test(name)) rangeParts.push(pos)
    uncompressed += entrySize(data, pos)
    // Stop at the first entry over the limit: a bomb may list millions of them.
    if (uncompressed > maxUncompressed) {
      throw new UploadRejected(
        `The workbook would unpack to more than ${formatBytes(maxUncompressed)}, far more than a questionnaire or action plan needs. It was refused without being opened.`,
        'too_much_data',
      )
    }
    pos = next
  }
  return { names, uncompressed, rangeParts }
}

/** The declared uncompressed size of one entry, from its zip64 extra field when the 32-bit one is full. */
function entrySize(data: Buffer, pos: number): number {
  const size = data.readUInt32LE(pos + 24)
  if (size !== U32_MAX) return size
  const [fromExtra] = zip64Values(data, pos, 1)
  if (fromExtra === undefined) throw damaged('an entry has no valid size')
  return fromExtra
}

/**
 * The values of an entry's zip64 extra field. It holds, in this order, the uncompressed size, the
 * compressed size and the offset, each only when its 32-bit field is full; `wanted` is how many to read.
 */
function zip64Values(data: Buffer, pos: number, wanted: number): number[] {
  const nameLength = data.readUInt16LE(pos + 28)
  let p = pos + CENTRAL_ENTRY_LENGTH + nameLength
  const end = p + data.readUInt16LE(pos + 30)
  while (p + 4 <= end) {
    const id = data.readUInt16LE(p)
    const length = data.readUInt16LE(p + 2)
    if (id === ZIP64_EXTRA_ID) {
      const values: number[] = []
      for (let i = 0; i < wanted && 8 * (i + 1) <= length && p + 4 + 8 * (i + 1) <= end; i++)
        values.push(big(data.readBigUInt64LE(p + 4 + 8 * i)))
      return values
    }
    p += 4 + length
  }
  return []
}

/** The text of one entry, inflated: only its declared size, which the limits above have already allowed. */
function readPart(data: Buffer, pos: number): string {
  const method = data.readUInt16LE(pos + 10)
  const fields = [data.readUInt32LE(pos + 24), data.readUInt32LE(pos + 20), data.readUInt32LE(pos + 42)]
  const extra = zip64Values(data, pos, fields.filter((v) => v === U32_MAX).length)
  const [size = -1, compressed = -1, offset = -1] = fields.map((v) => (v === U32_MAX ? (extra.shift() ?? -1) : v))
  if (size < 0 || compressed < 0 || offset < 0) throw damaged('an entry has no valid size')
  if (offset + LOCAL_ENTRY_LENGTH > data.length || data.readUInt32LE(offset) !== LOCAL_ENTRY_SIGNATURE)
    throw damaged('an entry is not where its table of contents says')
  const start = offset + LOCAL_ENTRY_LENGTH + data.readUInt16LE(offset + 26) + data.readUInt16LE(offset + 28)
  if (start + compressed > data.length) throw damaged('an entry is cut short')
  const raw = data.subarray(start, start + compressed)
  if (method === 0) return raw.toString('utf8')
  if (method !== 8) throw damaged('an entry is compressed in a way spreadsheet programs do not use')
  try {
    // No more than the declared size: an entry that unpacks to more than it says is damaged (or forged).
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, size) }).toString('utf8')
  } catch {
    throw damaged('an entry cannot be unpacked')
  }
}
