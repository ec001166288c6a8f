import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib'

/**
 * Workbooks taken apart and put back together, part by part, for tests that damage or forge them. A part is
 * either its bytes (deflated here, with its true size and CRC) or bytes already deflated with whatever size
 * it is said to declare (a forged archive: the CRC is then 0).
 */
export type ZipPart = { name: string; data: Buffer } | { name: string; deflated: Buffer; declaredSize: number }

/** The parts of a zip archive as exceljs writes it (stored or deflated entries, no zip64). */
export function unzipParts(buf: Buffer): { name: string; data: Buffer }[] {
  let eocd = buf.length - 22
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--
  let p = buf.readUInt32LE(eocd + 16)
  const parts: { name: string; data: Buffer }[] = []
  for (let i = buf.readUInt16LE(eocd + 10); i > 0; i--) {
    const nameLength = buf.readUInt16LE(p + 28)
    const local = buf.readUInt32LE(p + 42)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const raw = buf.subarray(start, start + buf.readUInt32LE(p + 20))
    parts.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLength),
      data: buf.readUInt16LE(p + 10) === 0 ? Buffer.from(raw) : inflateRawSync(raw),
    })
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32)
  }
  return parts
}

/** A zip archive of the parts, every entry deflated, names flagged UTF-8. */
export function zipParts(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const part of parts) {
    const name = Buffer.from(part.name)
    const [data, size, crc] =
      'data' in part
        ? [deflateRawSync(part.data), part.data.length, crc32(part.data)]
        : [part.deflated, part.declaredSize, 0]
    const header = Buffer.alloc(30)
    header.writeUInt32LE(0x04034b50, 0)
    header.writeUInt16LE(20, 4)
    header.writeUInt16LE(0x0800, 6)
    header.writeUInt16LE(8, 8)
    header.writeUInt16LE(0x21, 12)
    header.writeUInt32LE(crc, 14)
    header.writeUInt32LE(data.length, 18)
    header.writeUInt32LE(size, 22)
    header.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt16LE(0x21, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(header, name, data)
    centrals.push(central, name)
    offset += header.length + name.length + data.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.length, 8)
  end.writeUInt16LE(parts.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}
