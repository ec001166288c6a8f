import { createHash } from 'node:crypto'
import { type FileHandle, open } from 'node:fs/promises'

/**
 * Just enough of the POSIX tar format (ustar) for `fairhire backup`: regular files, names up to 100
 * characters, nothing else. Written this small on purpose rather than as a dependency: the backup needs
 * only these files, and the reader refuses anything it did not write (links, folders, long names, devices),
 * so a hostile archive cannot make a restore write outside its staging folder. Standard tools read the
 * archives (`tar -tvf backup.fhbak`), which helps an operator in trouble.
 *
 * Every entry: a 512-byte header, then the content, padded with zeros to a multiple of 512 bytes; the
 * archive ends with two zero blocks. Sizes of 8 GiB or more are written in base-256 (the GNU form, which
 * GNU tar and bsdtar read).
 */

const BLOCK = 512
const CHUNK = 1024 * 1024
const MAX_OCTAL_SIZE = 8 ** 11 - 1

function writeOctal(header: Buffer, value: number, offset: number, width: number): void {
  header.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'ascii')
}

function headerFor(name: string, size: number, mtime: Date): Buffer {
  if (Buffer.byteLength(name) > 100 || !/^[\x21-\x7e]+$/.test(name)) throw new Error(`tar: unsupported name ${name}`)
  const h = Buffer.alloc(BLOCK)
  h.write(name, 0, 100, 'ascii')
  writeOctal(h, 0o600, 100, 8) // mode
  writeOctal(h, 0, 108, 8) // uid
  writeOctal(h, 0, 116, 8) // gid
  if (size <= MAX_OCTAL_SIZE) writeOctal(h, size, 124, 12)
  else {
    h[124] = 0x80
    h.writeBigUInt64BE(BigInt(size), 124 + 4)
  }
  writeOctal(h, Math.floor(mtime.getTime() / 1000), 136, 12)
  h.write('0', 156, 1, 'ascii') // typeflag: regular file
  h.write('ustar\0', 257, 6, 'ascii')
  h.write('00', 263, 2, 'ascii')
  h.fill(0x20, 148, 156) // the checksum is computed with its own field as spaces
  let sum = 0
  for (const b of h) sum += b
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii')
  return h
}

/** Writes an archive to a new file (created 0600; it must not exist). */
export class TarWriter {
  private position = 0

  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<TarWriter> {
    return new TarWriter(await open(path, 'wx', 0o600))
  }

  private async write(b: Buffer): Promise<void> {
    let done = 0
    while (done < b.length) {
      const { bytesWritten } = await this.fh.write(b, done, b.length - done, this.position + done)
      done += bytesWritten
    }
    this.position += b.length
  }

  /**
   * Adds one file of exactly `size` bytes from `chunks`; returns the SHA-256 of what was written. Content that
   * turns out longer or shorter than declared is an error, never a header that lies.
   */
  async add(name: string, size: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<string> {
    await this.write(headerFor(name, size, new Date()))
    const hash = createHash('sha256')
    let written = 0
    for await (const chunk of chunks) {
      written += chunk.length
      if (written > size) throw new Error(`${name} grew while it was being copied`)
      hash.update(chunk)
      await this.write(chunk)
    }
    if (written !== size) throw new Error(`${name} shrank while it was being copied`)
    const pad = (BLOCK - (size % BLOCK)) % BLOCK
    if (pad > 0) await this.write(Buffer.alloc(pad))
    return hash.digest('hex')
  }

  /** Ends the archive and flushes it to disk. */
  async finish(): Promise<void> {
    await this.write(Buffer.alloc(2 * BLOCK))
    await this.fh.sync()
    await this.fh.close()
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined)
  }
}

/** Reads a file in chunks of at most 1 MB, from `start` for `length` bytes. */
export async function* readChunks(fh: FileHandle, start: number, length: number): AsyncGenerator<Buffer> {
  let pos = start
  const end = start + length
  while (pos < end) {
    const want = Math.min(CHUNK, end - pos)
    const buf = Buffer.allocUnsafe(want)
    const { bytesRead } = await fh.read(buf, 0, want, pos)
    if (bytesRead === 0) throw new TarError(`the archive ends early, inside an entry (truncated?)`)
    pos += bytesRead
    yield buf.subarray(0, bytesRead)
  }
}

export class TarError extends Error {}

export type TarEntry = { name: string; size: number; chunks: () => AsyncGenerator<Buffer> }

function parseSize(h: Buffer, at: number): number {
  if ((h[124] ?? 0) & 0x80) {
    const big = h.readBigUInt64BE(124 + 4)
    if (h.readUInt32BE(124) !== 0x80000000 || big > BigInt(Number.MAX_SAFE_INTEGER))
      throw new TarError(`entry at byte ${at}: size out of range`)
    return Number(big)
  }
  const text = h.toString('ascii', 124, 136).replace(/[\0 ]+$/, '')
  if (!/^[0-7]+$/.test(text)) throw new TarError(`entry at byte ${at}: unreadable size`)
  return Number.parseInt(text, 8)
}

/**
 * Yields the archive's files in order. Each entry's content is read on demand with `chunks()` (at most once);
 * the next entry is found from the header either way. Anything but a regular file, a damaged header or an
 * archive cut short is a TarError.
 */
export async function* readTar(path: string): AsyncGenerator<TarEntry> {
  const fh = await open(path, 'r')
  try {
    const total = (await fh.stat()).size
    let pos = 0
    for (;;) {
      if (pos + BLOCK > total) throw new TarError('the archive ends early, without its end marker (truncated?)')
      const h = Buffer.alloc(BLOCK)
      await fh.read(h, 0, BLOCK, pos)
      if (h.every((b) => b === 0)) return
      const stored = Number.parseInt(
        h
          .toString('ascii', 148, 156)
          .replace(/[\0 ]+$/, '')
          .trim(),
        8,
      )
      h.fill(0x20, 148, 156)
      let sum = 0
      for (const b of h) sum += b
      if (sum !== stored) throw new TarError(`damaged entry header at byte ${pos} (checksum)`)
      if (h.toString('ascii', 257, 262) !== 'ustar') throw new TarError(`entry at byte ${pos} is not in ustar form`)
      const type = h.toString('ascii', 156, 157)
      const nameEnd = h.indexOf(0)
      const name = h.toString('ascii', 0, nameEnd === -1 || nameEnd > 100 ? 100 : nameEnd)
      if (type !== '0' && type !== '\0') throw new TarError(`${name} is not a regular file (tar type "${type}")`)
      if (h[345] !== 0) throw new TarError(`${name}: long names are not used in Fairhire backups`)
      const size = parseSize(h, pos)
      const start = pos + BLOCK
      if (start + size > total) throw new TarError(`the archive ends early, inside ${name} (truncated?)`)
      yield { name, size, chunks: () => readChunks(fh, start, size) }
      pos = start + Math.ceil(size / BLOCK) * BLOCK
    }
  } finally {
    await fh.close()
  }
}

/** Whether a file starts like a tar archive (the ustar magic of its first header). */
export async function looksLikeTar(path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const h = Buffer.alloc(BLOCK)
    const { bytesRead } = await fh.read(h, 0, BLOCK, 0)
    return bytesRead === BLOCK && h.toString('ascii', 257, 262) === 'ustar'
  } finally {
    await fh.close()
  }
}
