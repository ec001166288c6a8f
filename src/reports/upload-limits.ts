/**
 * Cheap checks on an uploaded workbook before any parser sees it. An .xlsx file is a zip archive, and
 * exceljs inflates every entry into memory, so a small file that declares gigabytes of XML (a "zip bomb")
 * or thousands of entries could exhaust the server. The zip's central directory, at the end of the file,
 * lists every entry with its declared uncompressed size: reading it costs microseconds and inflates
 * nothing. Sizes are the archive's own declarations; a forged archive that understates them fails the
 * parser's length and CRC checks, but only after inflating up to the forged size, so keep the byte limit low.
 */

export type UploadLimits = { maxBytes: number; maxEntries: number; maxUncompressedBytes: number }

const MB = 1024 * 1024

/** A questionnaire workbook is about 60 KB and 20 entries; these limits leave a wide margin. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxBytes: 5 * MB,
  maxEntries: 2_000,
  maxUncompressedBytes: 50 * MB,
}

export type UploadRejectionReason = 'too_large' | 'not_xlsx' | 'too_many_entries' | 'too_much_data' | 'damaged'

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
): { entries: number; uncompressedBytes: number } {
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
  const { names, uncompressed } = walkDirectory(data, dir, limits.maxUncompressedBytes)
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) {
    throw notXlsx('it is a zip archive, but not a spreadsheet')
  }
  return { entries: dir.entries, uncompressedBytes: uncompressed }
}

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
    names.add(data.toString('utf8', pos + CENTRAL_ENTRY_LENGTH, pos + CENTRAL_ENTRY_LENGTH + nameLength))
    uncompressed += entrySize(data, pos, nameLength, extraLength)
    // Stop at the first entry over the limit: a bomb may list millions of them.
    if (uncompressed > maxUncompressed) {
      throw new UploadRejected(
        `The workbook would unpack to more than ${formatBytes(maxUncompressed)}, far more than a questionnaire or action plan needs. It was refused without being opened.`,
        'too_much_data',
      )
    }
    pos = next
  }
  return { names, uncompressed }
}

/** The declared uncompressed size of one entry, from its zip64 extra field when the 32-bit one is full. */
function entrySize(data: Buffer, pos: number, nameLength: number, extraLength: number): number {
  const size = data.readUInt32LE(pos + 24)
  if (size !== U32_MAX) return size
  let p = pos + CENTRAL_ENTRY_LENGTH + nameLength
  const end = p + extraLength
  while (p + 4 <= end) {
    const id = data.readUInt16LE(p)
    const length = data.readUInt16LE(p + 2)
    // The zip64 field lists the uncompressed size first whenever the 32-bit field is full.
    if (id === ZIP64_EXTRA_ID && length >= 8 && p + 12 <= end) return big(data.readBigUInt64LE(p + 4))
    p += 4 + length
  }
  throw damaged('an entry has no valid size')
}
