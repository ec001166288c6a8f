import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, open, rename, rm, rmdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import SQLite from 'better-sqlite3'
import { z } from 'zod'
import { evidenceKey } from '../assessment/evidence-blobs.ts'
import { DIR_MODE, FILE_MODE, type FsBlobStore, fsyncDir } from '../blob/fs-blob-store.ts'
import { readTar, TarError, TarWriter } from './tar.ts'

/**
 * The backup artefact: one tar archive (see tar.ts) holding, in this order,
 *
 *   fairhire-backup.json          the manifest: format, version, time, and the size and SHA-256 of every entry
 *   database.sqlite               the SQLite snapshot (rollback-journal mode, self-contained)
 *   evidence/<assessment>/<sha256> every evidence file that snapshot refers to (its name is its hash)
 *
 * Entries are named by assessment, as before blobs were keyed by organisation, so archives made before and
 * after read the same way; a restore puts each at its organisation's key (`org/<organisation>/<sha256>`).
 * With the S3 store the evidence files stay in the bucket: the manifest says so (`evidenceStore`) and lists
 * none, and a restore takes the database alone.
 *
 * A restore checks every entry against the manifest, and the manifest against the database, before it
 * replaces anything. The hashes catch damage and stray edits, not a forger who rewrites the manifest too.
 */

export const MANIFEST = 'fairhire-backup.json'
export const DATABASE = 'database.sqlite'
const EVIDENCE = /^evidence\/([1-9][0-9]{0,15})\/([0-9a-f]{64})$/
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/)
const Size = z.number().int().nonnegative()
const Manifest = z.object({
  format: z.literal('fairhire-backup'),
  version: z.literal(1),
  createdAt: z.string(),
  database: z.object({ size: Size, sha256: Sha256 }),
  /** Set when the evidence files were left in an S3 bucket (named here for people) instead of archived. */
  evidenceStore: z.object({ kind: z.literal('s3'), where: z.string() }).optional(),
  evidence: z.array(
    z
      .object({ path: z.string().regex(EVIDENCE), size: Size, sha256: Sha256 })
      .refine((e) => e.path.endsWith(`/${e.sha256}`), 'an evidence file is named by its SHA-256'),
  ),
})
export type Manifest = z.infer<typeof Manifest>

/** An evidence file as the database refers to it. */
export type EvidenceRef = {
  assessmentId: number
  organisationId: number
  sha256: string
  evidenceId: number
  fileName: string
}

export const evidenceEntry = (r: { assessmentId: number; sha256: string }) => `evidence/${r.assessmentId}/${r.sha256}`

/**
 * Every evidence file a database refers to: the attached ones (a deleted file's blob is removed with it),
 * with the organisation whose key holds it.
 */
export function evidenceRefs(dbPath: string): EvidenceRef[] {
  const db = new SQLite(dbPath, { readonly: true, fileMustExist: true })
  try {
    const table = db.prepare(`select 1 from sqlite_master where type = 'table' and name = 'evidence'`).get()
    if (!table) return []
    return db
      .prepare(
        `select e.assessment_id as assessmentId, a.organisation_id as organisationId, e.sha256,
           min(e.id) as evidenceId, min(e.file_name) as fileName
         from evidence e join assessment a on a.id = e.assessment_id
         where e.deleted_at is null
         group by e.assessment_id, a.organisation_id, e.sha256 order by e.assessment_id, e.sha256`,
      )
      .all() as EvidenceRef[]
  } finally {
    db.close()
  }
}

/** Each assessment's organisation in a database: where an archive entry `evidence/<assessment>/…` goes. */
export function organisationsOf(dbPath: string): Map<number, number> {
  const db = new SQLite(dbPath, { readonly: true, fileMustExist: true })
  try {
    const rows = db.prepare('select id, organisation_id from assessment').all() as {
      id: number
      organisation_id: number
    }[]
    return new Map(rows.map((r) => [r.id, r.organisation_id]))
  } finally {
    db.close()
  }
}

/**
 * The file holding a referenced evidence file: its organisation key, or the layout before organisation
 * keys for an installation whose server has not started since (it moves them at start-up).
 */
export async function evidenceFileOf(
  store: FsBlobStore,
  r: { assessmentId: number; organisationId: number; sha256: string },
) {
  const current = store.path(evidenceKey(r.organisationId, r.sha256))
  const legacy = store.path(`${r.assessmentId}/${r.sha256}`)
  for (const path of [current, legacy]) {
    try {
      return { path, size: (await stat(path)).size }
    } catch {}
  }
  return undefined
}

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), size }
}

export class BackupProblems extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '))
  }
}

/** Referenced evidence files not found: lost, or deleted since the snapshot was taken (worth a new snapshot). */
export class MissingEvidence extends BackupProblems {}

const describe = (r: EvidenceRef) => `${evidenceEntry(r)} (evidence #${r.evidenceId}, "${r.fileName}")`
const listed = (problems: string[], max = 20) =>
  problems.length > max ? [...problems.slice(0, max), `… and ${problems.length - max} more`] : problems

/**
 * Writes the archive to `out` (a new file) from a database snapshot and the evidence files it refers to, read
 * from the folder store; with the S3 store (`{ s3: where }`) the archive holds the database alone and says
 * where the files are. A referenced file that is missing, or whose bytes no longer match its name, fails the
 * backup: a backup that silently lacks evidence is what this format exists to prevent.
 */
export async function pack(
  out: string,
  dbFile: string,
  evidence: { fs: FsBlobStore } | { s3: string },
): Promise<{ evidence: number }> {
  const refs = 'fs' in evidence ? evidenceRefs(dbFile) : []
  const missing: string[] = []
  const files = new Map<string, { path: string; size: number }>()
  const where = 'fs' in evidence ? evidence.fs.root : ''
  for (const r of refs) {
    const found = 'fs' in evidence ? await evidenceFileOf(evidence.fs, r) : undefined
    if (found) files.set(evidenceEntry(r), found)
    else missing.push(describe(r))
  }
  if (missing.length > 0)
    throw new MissingEvidence(listed(missing).map((m) => `missing from ${where} (check EVIDENCE_DIR): ${m}`))
  const db = await sha256File(dbFile)
  const manifest: Manifest = {
    format: 'fairhire-backup',
    version: 1,
    createdAt: new Date().toISOString(),
    database: db,
    ...('s3' in evidence ? { evidenceStore: { kind: 's3' as const, where: evidence.s3 } } : {}),
    evidence: refs.map((r) => ({
      path: evidenceEntry(r),
      size: files.get(evidenceEntry(r))?.size ?? 0,
      sha256: r.sha256,
    })),
  }
  const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)
  const tar = await TarWriter.create(out)
  try {
    await tar.add(MANIFEST, json.length, [json])
    if ((await tar.add(DATABASE, db.size, createReadStream(dbFile))) !== db.sha256)
      throw new BackupProblems(['the database snapshot changed while it was being archived'])
    const altered: string[] = []
    const gone: string[] = []
    for (const r of refs) {
      const file = files.get(evidenceEntry(r)) as { path: string; size: number }
      let got: string
      try {
        got = await tar.add(evidenceEntry(r), file.size, createReadStream(file.path))
      } catch (err) {
        // Deleted between the check above and now (a removal after the snapshot): the archive is abandoned.
        if ((err as { code?: string }).code !== 'ENOENT') throw err
        gone.push(`missing from ${where} (check EVIDENCE_DIR): ${describe(r)}`)
        break
      }
      if (got !== r.sha256) altered.push(`${describe(r)}: its bytes in ${where} no longer match its SHA-256`)
    }
    if (gone.length > 0) throw new MissingEvidence(gone)
    if (altered.length > 0) throw new BackupProblems(listed(altered))
    await tar.finish()
  } catch (err) {
    await tar.abort()
    throw err
  }
  return { evidence: refs.length }
}

/**
 * Reads and checks an archive. With `to`, writes the database to `to.database` and each evidence file to
 * `<to.evidence>/<assessment>/<sha256>` (new files, 0600), hashing as it goes. Returns the manifest, or the
 * problems found: an archive with any problem must not be restored.
 */
export async function unpack(
  from: string,
  to?: { database: string; evidence: string },
): Promise<{ manifest: Manifest; problems: [] } | { manifest?: Manifest; problems: string[] }> {
  const problems: string[] = []
  let manifest: Manifest | undefined
  const expected = new Map<string, { size: number; sha256: string }>()
  const seen = new Set<string>()
  try {
    for await (const entry of readTar(from)) {
      if (!manifest) {
        if (entry.name !== MANIFEST || entry.size > MAX_MANIFEST_BYTES)
          return { problems: [`the archive does not start with ${MANIFEST}: not a Fairhire backup`] }
        const chunks: Buffer[] = []
        for await (const c of entry.chunks()) chunks.push(c)
        let parsed: ReturnType<typeof Manifest.safeParse>
        try {
          parsed = Manifest.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        } catch {
          return { problems: [`${MANIFEST} is not valid JSON`] }
        }
        if (!parsed.success)
          return {
            problems: parsed.error.issues.map((i) => `${MANIFEST}: ${i.path.join('.') || '(top)'}: ${i.message}`),
          }
        manifest = parsed.data
        expected.set(DATABASE, manifest.database)
        for (const e of manifest.evidence) {
          if (expected.has(e.path)) problems.push(`${MANIFEST} lists ${e.path} twice`)
          expected.set(e.path, e)
        }
        continue
      }
      const want = expected.get(entry.name)
      if (!want) {
        problems.push(`${entry.name}: not listed in ${MANIFEST}`)
        continue
      }
      if (seen.has(entry.name)) {
        problems.push(`${entry.name}: in the archive twice`)
        continue
      }
      seen.add(entry.name)
      if (entry.size !== want.size) {
        problems.push(`${entry.name}: ${entry.size} bytes, but ${MANIFEST} says ${want.size} (altered or damaged)`)
        continue
      }
      let dest: string | undefined
      if (to) {
        const m = EVIDENCE.exec(entry.name)
        dest = m ? join(to.evidence, m[1] as string, m[2] as string) : to.database
        await mkdir(dirname(dest), { recursive: true, mode: DIR_MODE })
      }
      const hash = createHash('sha256')
      const fh = dest ? await open(dest, 'wx', FILE_MODE) : undefined
      try {
        for await (const c of entry.chunks()) {
          hash.update(c)
          if (fh) await fh.write(c)
        }
        await fh?.sync()
      } finally {
        await fh?.close()
      }
      if (hash.digest('hex') !== want.sha256)
        problems.push(`${entry.name}: its content does not match its SHA-256 in ${MANIFEST} (altered or damaged)`)
    }
  } catch (err) {
    if (!(err instanceof TarError)) throw err
    problems.push(err.message)
  }
  if (!manifest) return { problems: [...problems, `no ${MANIFEST}: not a Fairhire backup`] }
  for (const name of expected.keys())
    if (!seen.has(name)) problems.push(`${name}: listed in ${MANIFEST} but missing from the archive`)
  return problems.length > 0 ? { manifest, problems: listed(problems) } : { manifest, problems: [] }
}

/**
 * Puts unpacked evidence files into the folder store, each at its organisation's key (`organisationOf` maps
 * an entry's assessment to it). Files already there are kept: a key names its content, so a file with the
 * right bytes is the same file, and the database being replaced (kept beside as `.before-restore-<time>`)
 * still refers to its own. A file there with the wrong bytes is moved aside under `.before-restore-<time>`.
 * `undo` puts the folder back as it was, for when the database swap that follows fails.
 */
export async function placeEvidence(
  manifest: Manifest,
  staged: string,
  store: FsBlobStore,
  organisationOf: Map<number, number>,
  stamp: string,
): Promise<{ placed: number; kept: number; movedAside: string[]; undo: () => Promise<void> }> {
  const placed: string[] = []
  const moved: [from: string, to: string][] = []
  const createdDirs: string[] = []
  const touched = new Set<string>()
  let kept = 0
  const undo = async () => {
    for (const p of placed.reverse()) await rm(p, { force: true })
    for (const [from, to] of moved.reverse()) await rename(to, from)
    for (const d of createdDirs.reverse()) await rmdir(d).catch(() => undefined)
  }
  try {
    for (const e of manifest.evidence) {
      const [, id, sha] = EVIDENCE.exec(e.path) as RegExpExecArray
      const organisation = organisationOf.get(Number(id))
      if (organisation === undefined) throw new Error(`${e.path}: no assessment ${id} in the restored database`)
      const target = store.path(evidenceKey(organisation, sha as string))
      const dir = dirname(target)
      // Each folder this creates, from the outermost, so that undo can remove them again.
      for (let d = dir, made: string[] = []; ; d = dirname(d)) {
        if (existsSync(d) || d === dirname(d)) {
          for (const m of made.reverse()) {
            await mkdir(m, { mode: DIR_MODE })
            createdDirs.push(m)
            touched.add(dirname(m))
          }
          break
        }
        made.push(d)
      }
      const there = await sha256File(target).catch(() => undefined)
      if (there?.sha256 === sha) {
        kept++
        continue
      }
      if (there) {
        const aside = `${target}.before-restore-${stamp}`
        await rename(target, aside)
        moved.push([target, aside])
      }
      await rename(join(staged, id as string, sha as string), target)
      placed.push(target)
      touched.add(dir)
    }
    for (const d of touched) await fsyncDir(d)
  } catch (err) {
    await undo()
    throw err
  }
  return { placed: placed.length, kept, movedAside: moved.map(([, to]) => to), undo }
}
