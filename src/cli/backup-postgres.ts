import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { sql } from 'kysely'
import { migrations } from '../../migrations/index.ts'
import type { Config } from '../config.ts'
import { describeDatabase } from '../config.ts'
import { openDatabase } from '../db/connection.ts'
import { pendingMigrations } from '../db/migrator.ts'

/**
 * Backup and restore on PostgreSQL, by PostgreSQL's own tools: `pg_dump --format=custom` takes a consistent
 * snapshot while the app keeps running; `pg_restore --single-transaction` puts it back all or nothing.
 * The address's password goes to the tools in PGPASSWORD, never on their command line (where `ps` shows it).
 *
 * Evidence files are not in a PostgreSQL backup: several app processes keep them in object storage (or a
 * shared EVIDENCE_DIR), which is backed up by its own means (bucket versioning, snapshots); see
 * docs/deploy.md. Each command says so when it finishes.
 */

const DUMP_MAGIC = Buffer.from('PGDMP', 'latin1')

/** The tools' connection settings, as environment variables. */
function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url)
  const env: NodeJS.ProcessEnv = { ...process.env }
  if (u.hostname) env.PGHOST = decodeURIComponent(u.hostname)
  if (u.port) env.PGPORT = u.port
  if (u.username) env.PGUSER = decodeURIComponent(u.username)
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password)
  env.PGDATABASE = decodeURIComponent(u.pathname.slice(1))
  for (const [k, v] of u.searchParams) if (k === 'sslmode') env.PGSSLMODE = v
  return env
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8')
    })
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(`${tool} was not found: install PostgreSQL's client tools (Debian: postgresql-client)`)
          : err,
      ),
    )
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }))
  })
}

const tempName = (path: string, what: string) => `${path}.${what}-${process.pid}-${Date.now()}.tmp`

function isDump(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(DUMP_MAGIC.length)
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(DUMP_MAGIC)
  } finally {
    closeSync(fd)
  }
}

function evidenceNote(config: Config): string {
  const store = config.evidenceStore
  const where = store.kind === 's3' ? `the bucket s3://${store.bucket}` : store.dir
  return `evidence files are not in this backup; they stay in ${where}, protected by its own means (docs/deploy.md)`
}

export async function backupPostgres(config: Config, url: string, out: string): Promise<number> {
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 })
  const tmp = tempName(out, 'backup')
  const started = performance.now()
  try {
    const dumped = await run(
      'pg_dump',
      ['--format=custom', '--no-owner', '--no-privileges', `--file=${tmp}`],
      pgEnv(url),
    )
    if (dumped.code !== 0) {
      process.stderr.write(`fairhire: pg_dump failed; nothing was written to ${out}:\n${dumped.stderr}`)
      return 1
    }
    // Read back as a restore would (its table of contents), so a dump that cannot be restored is never named as one.
    const listed = await run('pg_restore', ['--list', tmp], pgEnv(url))
    if (listed.code !== 0) {
      process.stderr.write(`fairhire: the dump cannot be read back; nothing was written to ${out}:\n${listed.stderr}`)
      return 1
    }
    renameSync(tmp, out)
    const ms = Math.round(performance.now() - started)
    process.stdout.write(
      `backed up ${describeDatabase(config.database)} to ${out} with pg_dump: ${statSync(out).size} bytes in ${ms} ms; ${evidenceNote(config)}\n`,
    )
    return 0
  } finally {
    rmSync(tmp, { force: true })
  }
}

/** Tables of ours in the target database (Kysely's own migration tables aside). */
async function tablesIn(url: string): Promise<string[]> {
  const { db } = openDatabase({ engine: 'postgres', url })
  try {
    const r = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(
      db,
    )
    return r.rows.map((x) => x.name)
  } finally {
    await db.destroy()
  }
}

export async function restorePostgres(config: Config, url: string, from: string, force: boolean): Promise<number> {
  const where = describeDatabase(config.database)
  if (!existsSync(from) || !statSync(from).isFile()) {
    process.stderr.write(`fairhire: ${from}: no such file\n`)
    return 1
  }
  if (!isDump(from)) {
    process.stderr.write(
      `fairhire: ${from} is not a PostgreSQL backup (made by fairhire backup with DATABASE_URL set); ${where} was not touched\n`,
    )
    return 1
  }
  const present = await tablesIn(url)
  if (present.length > 0 && !force) {
    process.stderr.write(
      `fairhire: ${where} already holds ${present.length} tables. Stop every app process, then add --force to replace them with the backup.\n`,
    )
    return 1
  }
  // One transaction: a dump that fails half-way leaves the database as it was.
  const restored = await run(
    'pg_restore',
    [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--no-privileges',
      '--single-transaction',
      '--exit-on-error',
      `--dbname=${pgEnv(url).PGDATABASE}`,
      from,
    ],
    pgEnv(url),
  )
  if (restored.code !== 0) {
    process.stderr.write(`fairhire: pg_restore failed; ${where} was left as it was:\n${restored.stderr}`)
    return 1
  }
  const { db } = openDatabase({ engine: 'postgres', url })
  try {
    const pending = await pendingMigrations(db)
    const known = Object.keys(migrations).length
    process.stdout.write(
      `restored ${from} into ${where} with pg_restore; ${known - pending.length} of ${known} migrations applied${pending.length > 0 ? ` (the server applies the other ${pending.length} when it starts)` : ''}; ${evidenceNote(config)}\n`,
    )
    return 0
  } finally {
    await db.destroy()
  }
}
