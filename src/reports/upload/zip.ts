import { crc32, inflateRawSync } from 'node:zlib'
import { damaged, notXlsx } from './errors.ts'

/**
 * Reading an uploaded .xlsx (a zip archive) without trusting it. The central directory at the end of the
 * file lists the entries; reading it inflates nothing. An entry is inflated only on request and never past
 * the byte bound the caller gives, whatever size the archive declares for it: zlib stops at
 * `maxOutputLength`, so a forged size costs at most that many bytes. The parts kept are written back as a
 * plain (stored) archive, the only one a parser is then given.
 */

export type Directory = { entries: number; offset: number; size: number; end: number }

export type Entry = {
  name: string
  /** 0 stored, 8 deflated; anything else is refused when the entry is read. */
  method: number
  /** As declared; a lie only makes reading the entry fail or stop at the caller's bound. */
  declaredSize: number
  compressedSize: number
  localOffset: number
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
const ZIP64_EXTRA_ID = 0x0001
const U16_MAX = 0xffff
const U32_MAX = 0xffffffff

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

/** Where the central directory is and how many entries it claims; refuses what is no zip. */
export function readDirectory(data: Buffer): Directory {
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

/** The entries of the central directory, one at a time: a caller may stop early (a bomb may list millions). */
export function* walkEntries(data: Buffer, dir: Directory): Generator<Entry> {
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
    const fields = [data.readUInt32LE(pos + 24), data.readUInt32LE(pos + 20), data.readUInt32LE(pos + 42)]
    const extra = zip64Values(data, pos, fields.filter((v) => v === U32_MAX).length)
    const [size = -1, compressed = -1, offset = -1] = fields.map((v) => (v === U32_MAX ? (extra.shift() ?? -1) : v))
    if (size < 0 || compressed < 0 || offset < 0) throw damaged('an entry has no valid size')
    yield {
      name,
      method: data.readUInt16LE(pos + 10),
      declaredSize: size,
      compressedSize: compressed,
      localOffset: offset,
    }
    pos = next
  }
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

/**
 * The bytes of one entry, inflated to at most `maxBytes`: null when it holds more. Only the bytes actually
 * produced count; the declared size plays no part.
 */
export function inflateEntry(data: Buffer, entry: Entry, maxBytes: number): Buffer | null {
  const offset = entry.localOffset
  if (offset + LOCAL_ENTRY_LENGTH > data.length || data.readUInt32LE(offset) !== LOCAL_ENTRY_SIGNATURE)
    throw damaged('an entry is not where its table of contents says')
  const start = offset + LOCAL_ENTRY_LENGTH + data.readUInt16LE(offset + 26) + data.readUInt16LE(offset + 28)
  if (start + entry.compressedSize > data.length) throw damaged('an entry is cut short')
  const raw = data.subarray(start, start + entry.compressedSize)
  if (entry.method === 0) return raw.length > maxBytes ? null : Buffer.from(raw)
  if (entry.method !== 8) throw damaged('an entry is compressed in a way spreadsheet programs do not use')
  try {
    // One byte more than allowed tells "exactly at the limit" from "over it".
    const out = inflateRawSync(raw, { maxOutputLength: maxBytes + 1 })
    return out.length > maxBytes ? null : out
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return null
    throw damaged('an entry cannot be unpacked')
  }
}

/** A zip archive of the given parts, stored without compression (the parser's reading is then a copy). */
export function storedZip(parts: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const { name, data } of parts) {
    const nameBytes = Buffer.from(name, 'utf8')
    const crc = crc32(data)
    const local = Buffer.alloc(LOCAL_ENTRY_LENGTH)
    local.writeUInt32LE(LOCAL_ENTRY_SIGNATURE, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // names are UTF-8
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const entry = Buffer.alloc(CENTRAL_ENTRY_LENGTH)
    entry.writeUInt32LE(CENTRAL_ENTRY_SIGNATURE, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    entry.writeUInt16LE(0x0800, 8)
    entry.writeUInt32LE(crc, 16)
    entry.writeUInt32LE(data.length, 20)
    entry.writeUInt32LE(data.length, 24)
    entry.writeUInt16LE(nameBytes.length, 28)
    entry.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, data)
    central.push(entry, nameBytes)
    offset += LOCAL_ENTRY_LENGTH + nameBytes.length + data.length
  }
  const directory = Buffer.concat(central)
  const end = Buffer.alloc(EOCD_LENGTH)
  end.writeUInt32LE(EOCD_SIGNATURE, 0)
  end.writeUInt16LE(parts.length, 8)
  end.writeUInt16LE(parts.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}
