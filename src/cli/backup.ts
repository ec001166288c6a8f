import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { mkdir, rm, rmdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import SQLite from 'better-sqlite3'
import { DEFAULT_MIGRATION_TABLE } from 'kysely'
import { migrations } from '../../migrations/index.ts'
import { evidenceKey } from '../assessment/evidence-blobs.ts'
import type { BlobStore } from '../blob/blob-store.ts'
import { DIR_MODE, FsBlobStore, fsyncDir } from '../blob/fs-blob-store.ts'
import { openBlobStore } from '../blob/open.ts'
import { loadConfig } from '../config.ts'
import { createPrivate } from '../db/connection.ts'
import {
  BackupProblems,
  evidenceEntry,
  evidenceFileOf,
  evidenceRefs,
  type Manifest,
  MissingEvidence,
  organisationsOf,
  pack,
  placeEvidence,
  sha256File,
  unpack,
} from './backup-archive.ts'
import { backupPostgres, restorePostgres } from './backup-postgres.ts'
import { type Command, UsageError } from './command.ts'
import { looksLikeTar } from './tar.ts'

/**
 * Online backup and offline restore of the database and its evidence files.
 *
 * A backup is one archive (backup-archive.ts): a SQLite snapshot plus every evidence file the snapshot refers
 * to, each with its SHA-256. With EVIDENCE_STORE=s3 the evidence files stay in the bucket (its own versioning
 * or replication keeps them) and the archive holds the database alone; both commands say so. Both commands write beside their destination under a temporary name and rename
 * into place, so a crash or a full disk never leaves a half-written backup or database under the real name.
 */

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** A rename is only durable once the directory entry is on disk too. */
function fsyncPath(path: string): void {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    fsyncSync(fd)
  } catch {
    // Some platforms cannot open a directory for fsync; the rename has still happened.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

type Inspection = { problems: string[]; applied: string[]; pending: string[] }

/** Whether a file is a sound Fairhire database: SQLite's own integrity check, and a schema this code knows. */
function inspect(path: string): Inspection {
  let db: SQLite.Database | undefined
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true, timeout: 5000 })
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check)
    if (integrity.length !== 1 || integrity[0] !== 'ok')
      return { problems: integrity.slice(0, 20).map((r) => `integrity check: ${r}`), applied: [], pending: [] }
    const hasTable = db
      .prepare(`select 1 from sqlite_master where type = 'table' and name = ?`)
      .get(DEFAULT_MIGRATION_TABLE)
    if (!hasTable)
      return { problems: [`no ${DEFAULT_MIGRATION_TABLE} table: not a Fairhire database`], applied: [], pending: [] }
    const applied = (
      db.prepare(`select name from ${DEFAULT_MIGRATION_TABLE} order by name`).all() as { name: string }[]
    ).map((r) => r.name)
    const known = Object.keys(migrations)
    // A backup from a newer version cannot be opened by this one: the migrator refuses unknown migrations.
    const unknown = applied.filter((n) => !known.includes(n))
    return {
      problems: unknown.map(
        (n) => `migration ${n} is not known to this version of Fairhire (backup from a newer one?)`,
      ),
      applied,
      pending: known.filter((n) => !applied.includes(n)),
    }
  } catch (err) {
    return { problems: [err instanceof Error ? err.message : String(err)], applied: [], pending: [] }
  } finally {
    db?.close()
  }
}

/**
 * Copies a database with SQLite's backup API into a file that must not exist yet. The first step only
 * sizes the copy; the second copies every page at once. In WAL mode that single step reads from one
 * snapshot without blocking the server's writers, whereas copying in small steps would restart from the
 * beginning each time the server commits in between, and might never finish under steady load.
 */
async function copyDatabase(from: string, to: string): Promise<{ pages: number }> {
  const src = new SQLite(from, { readonly: true, fileMustExist: true, timeout: 5000 })
  try {
    // Created 0600 first: SQLite would create it 0644 (less the umask).
    createPrivate(to)
    const done = await src.backup(to, { progress: () => 0x7fffffff })
    // The copy's header keeps the source's WAL mode; a rollback-journal file is self-contained, so the
    // backup is one file that can be copied anywhere. The server switches it back to WAL when it opens it.
    const dst = new SQLite(to, { fileMustExist: true })
    try {
      dst.pragma('journal_mode = DELETE')
    } finally {
      dst.close()
    }
    fsyncPath(to)
    return { pages: done.totalPages }
  } finally {
    src.close()
  }
}

const tempName = (path: string, what: string) => `${path}.${what}-${process.pid}-${Date.now()}.tmp`
const problemList = (problems: string[]) => problems.map((p) => `  ${p}`).join('\n')

export const backupCommand: Command = {
  name: 'backup',
  summary:
    'archive the database and its evidence files while the server keeps running (online backup; on PostgreSQL a pg_dump of the database)',
  usage: 'fairhire backup --out <file>',
  async run(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } })
    if (!values.out) throw new UsageError('--out is required: the file to write the backup to')
    const config = loadConfig()
    if (config.database.engine === 'postgres') return backupPostgres(config, config.database.url, resolve(values.out))
    const source = config.databasePath
    if (source === ':memory:') throw new UsageError('DATABASE_PATH is :memory:; there is no file to back up')
    const out = resolve(values.out)
    if (out === source) throw new UsageError('--out names the database itself; choose another file')
    if (!existsSync(source)) {
      process.stderr.write(`fairhire: there is no database at ${source} (check DATABASE_PATH)\n`)
      return 1
    }
    mkdirSync(dirname(out), { recursive: true, mode: DIR_MODE })
    const started = performance.now()
    const store = openBlobStore(config.evidenceStore)
    const snapshot = tempName(out, 'snapshot')
    const tmp = tempName(out, 'backup')
    try {
      // The snapshot first, then the files it refers to. An evidence file is stored (fsynced) before the row
      // that names it commits, so every file the snapshot names was there. One deleted after the snapshot
      // was taken may be gone by the time it is copied: then a new snapshot is taken, which no longer names
      // it; a file missing three times running is really missing. A file uploaded meanwhile belongs to a row
      // the snapshot does not hold: it is left out, as it would be had it come a moment later.
      for (let attempt = 1; ; attempt++) {
        const { pages } = await copyDatabase(source, snapshot)
        // Checked before it takes the real name, and on the copy: that is what a restore will rely on.
        const check = inspect(snapshot)
        if (check.problems.length > 0) {
          process.stderr.write(
            `fairhire: the copy of ${source} is not sound; nothing was written to ${out}:\n${problemList(check.problems)}\n`,
          )
          return 1
        }
        let evidence: number
        try {
          ;({ evidence } = await pack(
            tmp,
            snapshot,
            store instanceof FsBlobStore ? { fs: store } : { s3: store.where },
          ))
        } catch (err) {
          if (!(err instanceof MissingEvidence) || attempt >= 3) throw err
          rmSync(snapshot, { force: true })
          rmSync(tmp, { force: true })
          continue
        }
        // Read back as a restore would, so a backup that cannot be restored is never named as one.
        const readBack = await unpack(tmp)
        if (readBack.problems.length > 0) throw new BackupProblems(readBack.problems)
        renameSync(tmp, out)
        fsyncPath(dirname(out))
        const ms = Math.round(performance.now() - started)
        process.stdout.write(
          `backed up ${source} to ${out}: ${formatBytes(statSync(out).size)} (${pages} pages, ${store instanceof FsBlobStore ? `${evidence} evidence files` : 'no evidence files'}) in ${ms} ms; integrity check ok, ${check.applied.length} migrations, every file's SHA-256 recorded\n`,
        )
        if (!(store instanceof FsBlobStore))
          process.stdout.write(
            `evidence files are not in this backup: they live in ${store.where} (EVIDENCE_STORE=s3); keep that bucket's own versioning or replication\n`,
          )
        return 0
      }
    } catch (err) {
      if (!(err instanceof BackupProblems)) throw err
      process.stderr.write(`fairhire: nothing was written to ${out}:\n${problemList(err.problems)}\n`)
      return 1
    } finally {
      rmSync(snapshot, { force: true })
      rmSync(tmp, { force: true })
      await store.close()
    }
  },
}

/**
 * Opens the database holding an exclusive lock, or returns undefined when another process has it open.
 *
 * Why a lock probe rather than a pid file: a pid file would need the server to write and remove it, and
 * after a crash it stays behind and blocks a restore. The kernel releases SQLite's file locks when a
 * process dies, so the lock is right even after a SIGKILL.
 *
 * Why exclusive locking mode rather than BEGIN IMMEDIATE: in WAL mode an idle server holds no write
 * lock, so BEGIN IMMEDIATE succeeds while it runs. Every connection that has read a WAL database keeps
 * a shared lock until it closes, and exclusive locking mode cannot get past that. Holding the lock
 * through the swap also keeps a server that starts meanwhile from opening the old file.
 */
function lockExclusively(path: string): SQLite.Database | undefined {
  const db = new SQLite(path, { fileMustExist: true, timeout: 250 })
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('BEGIN EXCLUSIVE')
    db.exec('COMMIT')
    return db
  } catch (err) {
    db.close()
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return undefined
    throw err
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length)
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER)
  } finally {
    closeSync(fd)
  }
}

/** A backup unpacked beside its destinations, checked and ready to be put in place. */
type Staged = {
  database: string
  pages: number
  check: Inspection
  /** Absent for a database-only backup from an older version. */
  evidence?: { manifest: Manifest; dir: string; organisations: Map<number, number> }
}

/**
 * Unpacks and checks a backup without touching the database or the evidence store: the database goes to
 * `database`, a temporary file beside DATABASE_PATH, evidence to `dir`, a temporary folder inside
 * EVIDENCE_DIR (the same file system, so putting each file in place is a rename) or, with the S3 store,
 * beside the database. The caller removes both.
 */
async function stage(from: string, database: string, dir: string): Promise<Staged | { problems: string[] }> {
  if (!(await looksLikeTar(from))) {
    if (!isSqliteFile(from))
      return { problems: ['neither a Fairhire backup archive nor a SQLite database (an old database-only backup)'] }
    // An old database-only backup: restored as before; the caller warns that it holds no evidence.
    const check = inspect(from)
    if (check.problems.length > 0) return check
    const { pages } = await copyDatabase(from, database)
    return { database, pages, check }
  }
  await mkdir(dir, { recursive: true, mode: DIR_MODE })
  const unpacked = await unpack(from, { database, evidence: dir })
  if (unpacked.problems.length > 0 || !unpacked.manifest) return { problems: unpacked.problems }
  const check = inspect(database)
  if (check.problems.length > 0) return check
  // The manifest against the database: every file the database refers to must be in the archive (unless the
  // archive says they stayed in a bucket), and every file in it must belong to one of its assessments.
  const listed = new Set(unpacked.manifest.evidence.map((e) => e.path))
  const absent = unpacked.manifest.evidenceStore
    ? []
    : evidenceRefs(database).filter((r) => !listed.has(evidenceEntry(r)))
  const organisations = organisationsOf(database)
  const strays = unpacked.manifest.evidence.filter((e) => !organisations.has(Number(e.path.split('/')[1])))
  if (strays.length > 0)
    return { problems: strays.slice(0, 20).map((e) => `${e.path}: the database holds no such assessment`) }
  if (absent.length > 0)
    return {
      problems: absent
        .slice(0, 20)
        .map(
          (r) => `${evidenceEntry(r)}: the database refers to it (evidence #${r.evidenceId}) but the backup lacks it`,
        ),
    }
  const pages = (() => {
    const db = new SQLite(database, { readonly: true, fileMustExist: true })
    try {
      return db.pragma('page_count', { simple: true }) as number
    } finally {
      db.close()
    }
  })()
  return { database, pages, check, evidence: { manifest: unpacked.manifest, dir, organisations } }
}

export const restoreCommand: Command = {
  name: 'restore',
  summary:
    'replace the database and evidence files with a backup (server stopped); the replaced database is kept (on PostgreSQL: pg_restore in one transaction)',
  usage: 'fairhire restore --from <file> [--force]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { from: { type: 'string' }, force: { type: 'boolean', default: false } },
    })
    if (!values.from) throw new UsageError('--from is required: the backup file to restore')
    const config = loadConfig()
    if (config.database.engine === 'postgres')
      return restorePostgres(config, config.database.url, resolve(values.from), values.force ?? false)
    const target = config.databasePath
    if (target === ':memory:') throw new UsageError('DATABASE_PATH is :memory:; there is no file to restore into')
    const from = resolve(values.from)
    if (from === target) throw new UsageError('--from names the database itself; give the backup file')
    if (!existsSync(from) || !statSync(from).isFile()) {
      process.stderr.write(`fairhire: ${from}: no such file\n`)
      return 1
    }

    const store = openBlobStore(config.evidenceStore)
    const fsStore = store instanceof FsBlobStore ? store : undefined
    let old: SQLite.Database | undefined
    const tmp = tempName(target, 'restore')
    const stageDir = fsStore
      ? join(fsStore.root, `.restore-${process.pid}-${Date.now()}`)
      : tempName(target, 'restore-evidence')
    // Made here only to stage into; removed again unless the restore puts files in it.
    const madeEvidenceDir = fsStore !== undefined && !existsSync(fsStore.root)
    let done = false
    try {
      const staged = await stage(from, tmp, stageDir)
      if ('problems' in staged) {
        process.stderr.write(
          `fairhire: ${from} is not a usable backup; the database and evidence files were not touched:\n${problemList(staged.problems)}\n`,
        )
        return 1
      }

      // Restoring over a damaged database is what restore is for, so a file SQLite cannot open is no obstacle.
      let damaged: string | undefined
      if (existsSync(target)) {
        if (!statSync(target).isFile()) {
          process.stderr.write(`fairhire: ${target} is not a file; nothing was restored\n`)
          return 1
        }
        try {
          old = lockExclusively(target)
          if (!old) {
            process.stderr.write(
              `fairhire: ${target} is in use, probably by a running server. Stop the server, then restore.\n`,
            )
            return 1
          }
        } catch (err) {
          damaged = err instanceof Error ? err.message : String(err)
        }
        if (!values.force) {
          process.stderr.write(
            `fairhire: ${target} already exists${damaged ? ` (and cannot be opened: ${damaged})` : ''}. Add --force to replace it; it will be kept as ${target}.before-restore-<time>.\n`,
          )
          return 1
        }
      }

      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      const files = staged.evidence?.manifest.evidence.length ?? 0
      // Evidence first: adding files the old database does not name changes nothing for it, so if the
      // database swap below fails, undo() leaves the folder as it was and the old database is untouched.
      // Into a bucket, files are added the same way (and, content-keyed, harm nothing if the swap fails).
      const placed =
        staged.evidence && files > 0
          ? fsStore
            ? await placeEvidence(
                staged.evidence.manifest,
                staged.evidence.dir,
                fsStore,
                staged.evidence.organisations,
                stamp,
              )
            : await uploadEvidence(staged.evidence, store)
          : undefined
      if (placed && fsStore) await fsyncDir(dirname(fsStore.root))
      let kept: string | undefined
      try {
        kept = swapDatabase(target, staged.database, old, stamp, (err) => {
          damaged ??= err
        })
      } catch (err) {
        await placed?.undo()
        throw err
      }
      done = true
      process.stdout.write(
        `restored ${from} into ${target} (${staged.pages} pages, integrity check ok)${
          staged.evidence && !staged.evidence.manifest.evidenceStore
            ? ` and ${files} evidence files into ${store.where} (SHA-256 checked; ${placed?.placed ?? 0} written, ${placed?.kept ?? 0} already there)`
            : ''
        }${kept ? `; the replaced database is kept as ${kept}` : ''}\n`,
      )
      if (placed && placed.movedAside.length > 0)
        process.stdout.write(
          `${placed.movedAside.length} evidence file(s) in ${store.where} did not match their names and were moved aside: ${placed.movedAside.join(', ')}\n`,
        )
      if (damaged)
        process.stdout.write(`the replaced database could not be opened (${damaged}); it was moved aside as is\n`)
      if (staged.check.pending.length > 0)
        process.stdout.write(
          `the backup is ${staged.check.pending.length} migration(s) behind; the server applies them at start-up\n`,
        )
      const bucket = staged.evidence?.manifest.evidenceStore
      if (!staged.evidence)
        await warnMissing(
          target,
          store,
          `fairhire: warning: ${from} is a database-only backup (made before backups held evidence files); it holds no evidence files.`,
        )
      else if (bucket)
        await warnMissing(
          target,
          store,
          `fairhire: warning: ${from} holds no evidence files: they were left in ${bucket.where} when it was made (EVIDENCE_STORE=s3).`,
        )
      return 0
    } finally {
      old?.close()
      rmSync(tmp, { force: true })
      await rm(stageDir, { recursive: true, force: true })
      if (madeEvidenceDir && !done && fsStore) await rmdir(fsStore.root).catch(() => undefined)
      await store.close()
    }
  },
}

/** Puts a staged archive's evidence files into the S3 store, each at its organisation's key. */
async function uploadEvidence(
  evidence: NonNullable<Staged['evidence']>,
  store: BlobStore,
): Promise<{ placed: number; kept: number; movedAside: string[]; undo: () => Promise<void> }> {
  let placed = 0
  let kept = 0
  for (const e of evidence.manifest.evidence) {
    const [, id, sha] = e.path.split('/') as [string, string, string]
    const key = evidenceKey(evidence.organisations.get(Number(id)) as number, sha)
    if (await store.has(key)) {
      kept++
      continue
    }
    const path = join(evidence.dir, id, sha)
    // Checked when unpacked; checked again here, as the bytes that go up.
    if ((await sha256File(path)).sha256 !== sha) throw new Error(`${e.path}: changed on disk while restoring`)
    await store.put(key, readFileSync(path))
    placed++
  }
  return { placed, kept, movedAside: [], undo: async () => {} }
}

/**
 * Puts the staged database in place of `target` and returns where the replaced one is kept. A sound old
 * database gets a second name by hard link while the path is switched in one rename, all under the lock;
 * a damaged one (`onDamaged` hears why) moves aside with its WAL.
 */
function swapDatabase(
  target: string,
  staged: string,
  old: SQLite.Database | undefined,
  stamp: string,
  onDamaged: (why: string) => void,
): string | undefined {
  let kept: string | undefined
  let movedAside = false
  if (existsSync(target)) {
    kept = `${target}.before-restore-${stamp}`
    let damaged = !old
    try {
      // Folds the WAL into the file (even one a crashed server left), so the kept file is complete on its
      // own and no stale WAL is left beside the path, where SQLite would replay it onto the restored file.
      old?.pragma('journal_mode = DELETE')
    } catch (err) {
      damaged = true
      onDamaged(err instanceof Error ? err.message : String(err))
    }
    if (!damaged) linkSync(target, kept)
    else {
      // A damaged file moves aside with its WAL, which belongs to it and must not meet the restored file.
      renameSync(target, kept)
      for (const side of ['-wal', '-shm']) if (existsSync(target + side)) renameSync(target + side, kept + side)
      movedAside = true
    }
    if (existsSync(`${target}-wal`)) throw new Error(`${target}-wal is still there; nothing was replaced`)
  }
  try {
    renameSync(staged, target)
  } catch (err) {
    if (movedAside && kept) {
      renameSync(kept, target)
      for (const side of ['-wal', '-shm']) if (existsSync(kept + side)) renameSync(kept + side, target + side)
    }
    throw err
  }
  fsyncPath(dirname(target))
  return kept
}

/**
 * After restoring a database without its evidence files (a database-only backup from an older version, or
 * one made with the S3 store), says how many of the files it refers to are missing from the store here.
 */
async function warnMissing(target: string, store: BlobStore, lead: string): Promise<void> {
  const refs = evidenceRefs(target)
  let missing = 0
  for (const r of refs) {
    const there =
      store instanceof FsBlobStore
        ? (await evidenceFileOf(store, r)) !== undefined
        : await store.has(evidenceKey(r.organisationId, r.sha256))
    if (!there) missing++
  }
  process.stderr.write(
    `${lead} ${
      missing > 0
        ? `${missing} of the ${refs.length} evidence files its database refers to are not in ${store.where}: copy them there from where they were, or their downloads will fail.`
        : `All ${refs.length} evidence files its database refers to are in ${store.where}.`
    }\n`,
  )
}
