import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, rmdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import SQLite from 'better-sqlite3'
import { z } from 'zod'
import { DIR_MODE, evidencePath, FILE_MODE, fsyncDir } from '../assessment/evidence-store.ts'
import { readTar, TarError, TarWriter } from './tar.ts'

/**
 * The backup artefact: one tar archive (see tar.ts) holding, in this order,
 *
 *   fairhire-backup.json          the manifest: format, version, time, and the size and SHA-256 of every entry
 *   database.sqlite               the SQLite snapshot (rollback-journal mode, self-contained)
 *   evidence/<assessment>/<sha256> every evidence file that snapshot refers to (its name is its hash)
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
  evidence: z.array(
    z
      .object({ path: z.string().regex(EVIDENCE), size: Size, sha256: Sha256 })
      .refine((e) => e.path.endsWith(`/${e.sha256}`), 'an evidence file is named by its SHA-256'),
  ),
})
export type Manifest = z.infer<typeof Manifest>

/** An evidence file as the database refers to it. */
export type EvidenceRef = { assessmentId: number; sha256: string; evidenceId: number; fileName: string }

export const evidenceEntry = (r: { assessmentId: number; sha256: string }) => `evidence/${r.assessmentId}/${r.sha256}`

/** Every evidence file a database refers to, deleted rows included (their files are kept). */
export function evidenceRefs(dbPath: string): EvidenceRef[] {
  const db = new SQLite(dbPath, { readonly: true, fileMustExist: true })
  try {
    const table = db.prepare(`select 1 from sqlite_master where type = 'table' and name = 'evidence'`).get()
    if (!table) return []
    return db
      .prepare(
        `select assessment_id as assessmentId, sha256, min(id) as evidenceId, min(file_name) as fileName
         from evidence group by assessment_id, sha256 order by assessment_id, sha256`,
      )
      .all() as EvidenceRef[]
  } finally {
    db.close()
  }
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

const describe = (r: EvidenceRef) => `${evidenceEntry(r)} (evidence #${r.evidenceId}, "${r.fileName}")`
const listed = (problems: string[], max = 20) =>
  problems.length > max ? [...problems.slice(0, max), `… and ${problems.length - max} more`] : problems

/**
 * Writes the archive to `out` (a new file) from a database snapshot and the evidence files it refers to,
 * read from `evidenceDir`. A referenced file that is missing, or whose bytes no longer match its name, fails
 * the backup: a backup that silently lacks evidence is what this format exists to prevent.
 */
export async function pack(out: string, dbFile: string, evidenceDir: string): Promise<{ evidence: number }> {
  const refs = evidenceRefs(dbFile)
  const missing: string[] = []
  const sizes = new Map<string, number>()
  for (const r of refs) {
    try {
      sizes.set(evidenceEntry(r), (await stat(evidencePath(evidenceDir, r.assessmentId, r.sha256))).size)
    } catch {
      missing.push(describe(r))
    }
  }
  if (missing.length > 0)
    throw new BackupProblems(listed(missing).map((m) => `missing from ${evidenceDir} (check EVIDENCE_DIR): ${m}`))
  const db = await sha256File(dbFile)
  const manifest: Manifest = {
    format: 'fairhire-backup',
    version: 1,
    createdAt: new Date().toISOString(),
    database: db,
    evidence: refs.map((r) => ({ path: evidenceEntry(r), size: sizes.get(evidenceEntry(r)) ?? 0, sha256: r.sha256 })),
  }
  const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)
  const tar = await TarWriter.create(out)
  try {
    await tar.add(MANIFEST, json.length, [json])
    if ((await tar.add(DATABASE, db.size, createReadStream(dbFile))) !== db.sha256)
      throw new BackupProblems(['the database snapshot changed while it was being archived'])
    const altered: string[] = []
    for (const r of refs) {
      const path = evidencePath(evidenceDir, r.assessmentId, r.sha256)
      const got = await tar.add(evidenceEntry(r), sizes.get(evidenceEntry(r)) ?? 0, createReadStream(path))
      if (got !== r.sha256) altered.push(`${describe(r)}: its bytes in ${evidenceDir} no longer match its SHA-256`)
    }
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
 * Puts unpacked evidence files into the evidence folder. Files already there are kept: a path names its
 * content, so a file with the right bytes is the same file, and the database being replaced (kept beside as
 * `.before-restore-<time>`) still refers to its own. A file there with the wrong bytes is moved aside under
 * `.before-restore-<time>`. `undo` puts the folder back as it was, for when the database swap that follows
 * fails.
 */
export async function placeEvidence(
  manifest: Manifest,
  staged: string,
  evidenceDir: string,
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
      const target = join(evidenceDir, id as string, sha as string)
      const dir = dirname(target)
      if (await mkdir(dir, { recursive: true, mode: DIR_MODE })) {
        createdDirs.push(dir)
        touched.add(evidenceDir)
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
