import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import SQLite from 'better-sqlite3'
import { DEFAULT_MIGRATION_TABLE } from 'kysely'
import { migrations } from '../../migrations/index.ts'
import { loadConfig } from '../config.ts'
import { type Command, UsageError } from './command.ts'

/**
 * Online backup and offline restore of the SQLite file.
 *
 * Both write the new file beside its destination under a temporary name and rename it into place, so a
 * crash or a full disk never leaves a half-written backup or database under the real name.
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

export const backupCommand: Command = {
  name: 'backup',
  summary: 'copy the database to a file while the server keeps running (online backup)',
  usage: 'fairhire backup --out <file>',
  async run(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } })
    if (!values.out) throw new UsageError('--out is required: the file to write the backup to')
    const config = loadConfig()
    const source = config.databasePath
    if (source === ':memory:') throw new UsageError('DATABASE_PATH is :memory:; there is no file to back up')
    const out = resolve(values.out)
    if (out === source) throw new UsageError('--out names the database itself; choose another file')
    if (!existsSync(source)) {
      process.stderr.write(`fairhire: there is no database at ${source} (check DATABASE_PATH)\n`)
      return 1
    }
    mkdirSync(dirname(out), { recursive: true })
    const started = performance.now()
    const tmp = tempName(out, 'backup')
    try {
      const { pages } = await copyDatabase(source, tmp)
      // Checked before it takes the real name, and on the copy: that is what a restore will rely on.
      const check = inspect(tmp)
      if (check.problems.length > 0) {
        process.stderr.write(
          `fairhire: the copy of ${source} is not sound; nothing was written to ${out}:\n${check.problems.map((p) => `  ${p}`).join('\n')}\n`,
        )
        return 1
      }
      renameSync(tmp, out)
      fsyncPath(dirname(out))
      const ms = Math.round(performance.now() - started)
      process.stdout.write(
        `backed up ${source} to ${out}: ${formatBytes(statSync(out).size)} (${pages} pages) in ${ms} ms; integrity check ok, ${check.applied.length} migrations\n`,
      )
      return 0
    } finally {
      rmSync(tmp, { force: true })
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

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'replace the database with a backup (server stopped); the replaced file is kept beside it',
  usage: 'fairhire restore --from <file> [--force]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { from: { type: 'string' }, force: { type: 'boolean', default: false } },
    })
    if (!values.from) throw new UsageError('--from is required: the backup file to restore')
    const config = loadConfig()
    const target = config.databasePath
    if (target === ':memory:') throw new UsageError('DATABASE_PATH is :memory:; there is no file to restore into')
    const from = resolve(values.from)
    if (from === target) throw new UsageError('--from names the database itself; give the backup file')
    if (!existsSync(from) || !statSync(from).isFile()) {
      process.stderr.write(`fairhire: ${from}: no such file\n`)
      return 1
    }
    const check = inspect(from)
    if (check.problems.length > 0) {
      process.stderr.write(
        `fairhire: ${from} is not a usable backup; the database was not touched:\n${check.problems.map((p) => `  ${p}`).join('\n')}\n`,
      )
      return 1
    }

    let old: SQLite.Database | undefined
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
        old?.close()
        process.stderr.write(
          `fairhire: ${target} already exists${damaged ? ` (and cannot be opened: ${damaged})` : ''}. Add --force to replace it; it will be kept as ${target}.before-restore-<time>.\n`,
        )
        return 1
      }
    }
    const tmp = tempName(target, 'restore')
    try {
      const { pages } = await copyDatabase(from, tmp)
      let kept: string | undefined
      if (existsSync(target)) {
        kept = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
        try {
          // Folds the WAL into the file (even one a crashed server left), so the kept file is complete on its
          // own and no stale WAL is left beside the path, where SQLite would replay it onto the restored file.
          old?.pragma('journal_mode = DELETE')
        } catch (err) {
          damaged ??= err instanceof Error ? err.message : String(err)
        }
        if (old && !damaged) {
          // A hard link keeps the old file under its new name while the path is switched in one rename,
          // all while the lock keeps a server from opening it.
          linkSync(target, kept)
        } else {
          // A damaged file moves aside with its WAL, which belongs to it and must not meet the restored file.
          renameSync(target, kept)
          for (const side of ['-wal', '-shm']) if (existsSync(target + side)) renameSync(target + side, kept + side)
        }
        if (existsSync(`${target}-wal`)) throw new Error(`${target}-wal is still there; nothing was replaced`)
      }
      renameSync(tmp, target)
      fsyncPath(dirname(target))
      process.stdout.write(
        `restored ${from} into ${target} (${pages} pages, integrity check ok)${kept ? `; the replaced database is kept as ${kept}` : ''}\n`,
      )
      if (damaged)
        process.stdout.write(`the replaced database could not be opened (${damaged}); it was moved aside as is\n`)
      if (check.pending.length > 0)
        process.stdout.write(
          `the backup is ${check.pending.length} migration(s) behind; the server applies them at start-up\n`,
        )
      return 0
    } finally {
      old?.close()
      rmSync(tmp, { force: true })
    }
  },
}
