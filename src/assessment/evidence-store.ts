import { randomUUID } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Where evidence files live on disk: `<EVIDENCE_DIR>/<assessment id>/<sha256 of the content>`, outside the
 * web root. A path names its content, so a file is never changed once written; the same upload again writes
 * the same bytes. `fairhire backup` relies on both: it copies the files the database snapshot refers to.
 *
 * Files are created 0600 and folders 0700: uploads are workers' documents (passports, contracts, payslips)
 * and no other account on the machine has any business reading them.
 */

export const FILE_MODE = 0o600
export const DIR_MODE = 0o700

export const evidencePath = (evidenceDir: string, assessmentId: number, sha256: string) =>
  join(evidenceDir, String(assessmentId), sha256)

/** Flushes a folder's entries (a new name, a rename) to disk; a file's own fsync does not cover them. */
export async function fsyncDir(path: string): Promise<void> {
  const dir = await open(path, 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

/**
 * Writes an evidence file durably: to a temporary name, fsynced, renamed into place, and the folder fsynced
 * (with the folders above it that this call created). The caller commits the row that refers to the file
 * only after this returns, so no committed row, and no backup of one, can point at a file a power cut lost.
 */
export async function storeEvidenceFile(
  evidenceDir: string,
  assessmentId: number,
  sha256: string,
  data: Buffer,
): Promise<void> {
  const path = evidencePath(evidenceDir, assessmentId, sha256)
  const dir = dirname(path)
  const created = await mkdir(dir, { recursive: true, mode: DIR_MODE })
  // A unique temporary name: two requests may upload the same file to the same assessment at once.
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
  if (created) {
    // mkdir made `created` and the folders below it: each new name sits in the folder above it.
    for (let d = dir; ; d = dirname(d)) {
      await fsyncDir(dirname(d))
      if (d === created || dirname(d) === d) break
    }
  }
}
