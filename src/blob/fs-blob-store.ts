import { randomUUID } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { BlobKeyError, type BlobStore, keySegments } from './blob-store.ts'

/**
 * Blobs as files in one folder: key `org/7/<sha256>` is the file `<dir>/org/7/<sha256>`. Keys are checked
 * (blob-store.ts) and the path is checked again to lie inside the folder, so no key reaches another file.
 *
 * Files are created 0600 and folders 0700: uploads are workers' documents (passports, contracts, payslips)
 * and no other account on the machine has any business reading them.
 */

export const FILE_MODE = 0o600
export const DIR_MODE = 0o700

/** Flushes a folder's entries (a new name, a rename) to disk; a file's own fsync does not cover them. */
export async function fsyncDir(path: string): Promise<void> {
  const dir = await open(path, 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

const isMissing = (err: unknown) => (err as { code?: string }).code === 'ENOENT'

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs'
  readonly root: string

  constructor(dir: string) {
    this.root = resolve(dir)
  }

  get where(): string {
    return this.root
  }

  /** The file that holds `key`. */
  path(key: string): string {
    const path = join(this.root, ...keySegments(key))
    if (!path.startsWith(this.root + sep)) throw new BlobKeyError(key)
    return path
  }

  /**
   * Writes to a temporary name, fsyncs, renames into place and fsyncs the folder (with the folders above it
   * that this call created). The caller commits the row that refers to the blob only after this returns, so
   * no committed row, and no backup of one, can point at a file a power cut lost.
   */
  async put(key: string, data: Buffer): Promise<void> {
    const path = this.path(key)
    const dir = dirname(path)
    const created = await mkdir(dir, { recursive: true, mode: DIR_MODE })
    // A unique temporary name: two requests may store the same bytes at once.
    const tmp = `${path}.${randomUUID()}.tmp`
    try {
      const fh = await open(tmp, 'wx', FILE_MODE)
      try {
        await fh.writeFile(data)
        await fh.sync()
      } finally {
        await fh.close()
      }
      await rename(tmp, path)
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
    await fsyncDir(dir)
    if (created) await this.fsyncCreated(dir, created)
  }

  async get(key: string): Promise<{ stream: Readable; size: number } | null> {
    let fh: Awaited<ReturnType<typeof open>>
    try {
      // Opened before anything is sent: a file removed meanwhile is a clean "not there", not a broken download.
      fh = await open(this.path(key), 'r')
    } catch (err) {
      if (isMissing(err)) return null
      throw err
    }
    try {
      const { size } = await fh.stat()
      return { stream: fh.createReadStream(), size }
    } catch (err) {
      await fh.close()
      throw err
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      const fh = await open(this.path(key), 'r')
      await fh.close()
      return true
    } catch (err) {
      if (isMissing(err)) return false
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key)
    await rm(path, { force: true })
    // Flushed, so that a deleted document does not come back after a power cut.
    await fsyncDir(dirname(path)).catch((err) => {
      if (!isMissing(err)) throw err
    })
  }

  async move(from: string, to: string): Promise<boolean> {
    const source = this.path(from)
    const target = this.path(to)
    const dir = dirname(target)
    const created = await mkdir(dir, { recursive: true, mode: DIR_MODE })
    try {
      await rename(source, target)
    } catch (err) {
      if (isMissing(err)) return false
      throw err
    }
    await fsyncDir(dir)
    if (created) await this.fsyncCreated(dir, created)
    if (dirname(source) !== dir) await fsyncDir(dirname(source))
    return true
  }

  async close(): Promise<void> {}

  /** mkdir made `created` and the folders below it down to `dir`: each new name sits in the folder above it. */
  private async fsyncCreated(dir: string, created: string): Promise<void> {
    for (let d = dir; ; d = dirname(d)) {
      await fsyncDir(dirname(d))
      if (d === created || dirname(d) === d) break
    }
  }
}
