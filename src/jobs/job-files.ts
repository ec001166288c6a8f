import { createReadStream, createWriteStream, type ReadStream } from 'node:fs'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'

/**
 * The files background jobs make (a portfolio export), one per job, named by the job's id in one folder.
 * Kept behind these few functions so that the storage can move (to a blob store) without touching the jobs.
 * Names are built from the job's integer id only, never from anything a caller typed, so no path can leave
 * the folder. Folder 0700, files 0600: they hold a brand's supplier data.
 */

const NAME = /^(\d{1,15})\.(xlsx)$/

export type FileKind = 'xlsx'

function fileName(jobId: number, kind: FileKind): string {
  if (!Number.isSafeInteger(jobId) || jobId <= 0) throw new Error(`not a job id: ${jobId}`)
  return `${jobId}.${kind}`
}

/**
 * Writes a job's file through `write`, which writes into the stream it is given and resolves once it has ended
 * it. The file appears under its name only when complete (written aside, then renamed), so a download never
 * reads half a file, and a failed or repeated attempt leaves nothing behind. Returns the size in bytes.
 */
export async function writeJobFile(
  dir: string,
  jobId: number,
  kind: FileKind,
  write: (out: NodeJS.WritableStream) => Promise<void>,
): Promise<number> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const target = join(dir, fileName(jobId, kind))
  const part = `${target}.part`
  const out = createWriteStream(part, { mode: 0o600 })
  try {
    await write(out)
    if (!out.writableFinished) await finished(out)
    await rename(part, target)
    return (await stat(target)).size
  } catch (err) {
    out.destroy()
    await rm(part, { force: true })
    throw err
  }
}

/** The file to send, or null when there is none (never made, or deleted). */
export async function openJobFile(
  dir: string,
  jobId: number,
  kind: FileKind,
): Promise<{ stream: ReadStream; bytes: number } | null> {
  const path = join(dir, fileName(jobId, kind))
  try {
    const { size } = await stat(path)
    return { stream: createReadStream(path), bytes: size }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

export async function deleteJobFile(dir: string, jobId: number, kind: FileKind): Promise<void> {
  await rm(join(dir, fileName(jobId, kind)), { force: true })
}

/** Every job file in the folder (finished or being written), with the job id its name gives and its age. */
export async function listJobFiles(dir: string): Promise<{ jobId: number; path: string; modifiedAt: Date }[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const out: { jobId: number; path: string; modifiedAt: Date }[] = []
  for (const name of names) {
    const m = NAME.exec(name.replace(/\.part$/, ''))
    if (!m) continue
    const path = join(dir, name)
    try {
      out.push({ jobId: Number(m[1]), path, modifiedAt: (await stat(path)).mtime })
    } catch {
      // Deleted meanwhile.
    }
  }
  return out
}

export async function deletePath(path: string): Promise<void> {
  await rm(path, { force: true })
}
