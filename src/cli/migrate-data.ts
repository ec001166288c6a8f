import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { type Kysely, sql } from 'kysely'
import { type DatabaseTarget, describeDatabase, postgresUrlProblem } from '../config.ts'
import { type DbHandle, openDatabase } from '../db/connection.ts'
import { migrateToLatest, pendingMigrations } from '../db/migrator.ts'
import { type Command, UsageError } from './command.ts'
import { progress } from './progress.ts'

/**
 * Moves an installation from SQLite onto PostgreSQL: `fairhire migrate-data --from sqlite:<file> --to
 * postgres://…`. The target is brought to the latest schema and must hold no data; the source must be at
 * the same schema (run `fairhire migrate` on it first). Every table is copied with its ids, in an order
 * that satisfies the foreign keys, in one transaction on the target (a failure leaves it empty); identity
 * counters then continue after the highest id. Row counts are compared table by table before COMMIT.
 * The source is opened read-only and never changed. Evidence files are not moved (see docs/deploy.md).
 */

// biome-ignore lint/suspicious/noExplicitAny: tables are read generically, by name
type AnyDb = Kysely<any>

function parseFrom(value: string): DatabaseTarget {
  const path = value.startsWith('sqlite:') ? value.slice('sqlite:'.length) : value
  if (path === '' || path === ':memory:') throw new UsageError('--from: expected sqlite:<path to the database file>')
  return { engine: 'sqlite', path: resolve(path) }
}

function parseTo(value: string): DatabaseTarget {
  const problem = postgresUrlProblem(value)
  if (problem) throw new UsageError(`--to ${problem}`)
  return { engine: 'postgres', url: value }
}

/** The target's tables, each after the tables its foreign keys point at. */
async function tablesInKeyOrder(db: AnyDb): Promise<string[]> {
  const tables = (
    await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
      order by table_name`.execute(db)
  ).rows.map((r) => r.name)
  const edges = (
    await sql<{ child: string; parent: string }>`select c.conrelid::regclass::text as child,
      c.confrelid::regclass::text as parent from pg_constraint c where c.contype = 'f'`.execute(db)
  ).rows
  const order: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (t: string) => {
    if (state.get(t) === 'done' || state.get(t) === 'visiting') return
    state.set(t, 'visiting')
    for (const e of edges) if (e.child === t && e.parent !== t) visit(e.parent)
    state.set(t, 'done')
    order.push(t)
  }
  for (const t of tables) visit(t)
  return order.filter((t) => tables.includes(t))
}

async function columnsOf(db: AnyDb, table: string): Promise<string[]> {
  const r = await sql<{ name: string }>`select column_name as name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db)
  return r.rows.map((x) => x.name)
}

/** PostgreSQL takes at most 65,535 bound values a statement. */
const MAX_VALUES = 60_000

export async function migrateData(
  from: DatabaseTarget,
  to: DatabaseTarget,
  log: (line: string) => void,
  onRows: (done: number, total: number) => void = () => {},
): Promise<{ tables: Record<string, number> }> {
  const source: DbHandle = openDatabase(from)
  const target: DbHandle = openDatabase(to)
  try {
    const pending = await pendingMigrations(source.db)
    if (pending.length > 0)
      throw new UsageError(
        `the source is not at the latest schema (${pending.length} migrations pending): run fairhire migrate with DATABASE_PATH=${describeDatabase(from)} first`,
      )
    await migrateToLatest(target.db)
    const tables = await tablesInKeyOrder(target.db)
    const copied: Record<string, number> = {}
    const sourceTables = new Set(
      (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(source.db)).rows.map(
        (r) => r.name,
      ),
    )
    const missing = tables.filter((t) => !sourceTables.has(t))
    if (missing.length > 0)
      throw new UsageError(`the source has no table ${missing.join(', ')}; is it a Fairhire database?`)
    let total = 0
    for (const t of tables)
      total += Number(
        (await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(source.db)).rows[0]?.n,
      )
    let done = 0
    await (target.db as AnyDb).transaction().execute(async (trx) => {
      for (const t of tables) {
        const n = await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(trx)
        if (Number(n.rows[0]?.n) > 0)
          throw new UsageError(`the target already holds data (table ${t}); migrate-data only fills an empty database`)
      }
      for (const t of tables) {
        const columns = await columnsOf(trx, t)
        const batch = Math.max(1, Math.floor(MAX_VALUES / columns.length))
        let count = 0
        // Streamed from the source in key order, so a large table never sits in memory whole.
        const rows = (source.db as AnyDb)
          .selectFrom(t)
          .select(columns)
          .$if(columns.includes('id'), (q) => q.orderBy('id'))
          .stream(1000)
        let pendingRows: Record<string, unknown>[] = []
        const flush = async () => {
          if (pendingRows.length === 0) return
          await trx.insertInto(t).values(pendingRows).execute()
          count += pendingRows.length
          done += pendingRows.length
          onRows(done, total)
          pendingRows = []
        }
        for await (const row of rows) {
          pendingRows.push(row)
          if (pendingRows.length >= batch) await flush()
        }
        await flush()
        const sourceCount = Number(
          (await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(source.db)).rows[0]?.n,
        )
        if (sourceCount !== count) throw new Error(`table ${t}: read ${count} rows of ${sourceCount}`)
        if (columns.includes('id'))
          await sql`select setval(pg_get_serial_sequence(${t}, 'id'), coalesce((select max(id) from ${sql.table(t)}), 0) + 1, false)
            where pg_get_serial_sequence(${t}, 'id') is not null`.execute(trx)
        copied[t] = count
        log(`  ${t.padEnd(24)} ${count} rows`)
      }
    })
    return { tables: copied }
  } finally {
    await source.destroy()
    await target.destroy()
  }
}

export const migrateDataCommand: Command = {
  name: 'migrate-data',
  summary: 'copy every row of a SQLite installation into an empty PostgreSQL database (all or nothing)',
  usage: 'fairhire migrate-data --from sqlite:<file> --to postgres://…',
  async run(args) {
    const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } } })
    if (!values.from) throw new UsageError('--from is required: sqlite:<path to the database file>')
    if (!values.to) throw new UsageError('--to is required: postgres://user:password@host:5432/database')
    const from = parseFrom(values.from)
    const to = parseTo(values.to)
    if (from.engine === 'sqlite' && !existsSync(from.path)) {
      process.stderr.write(`fairhire: there is no database at ${from.path}\n`)
      return 1
    }
    const started = performance.now()
    process.stdout.write(`copying ${describeDatabase(from)} into ${describeDatabase(to)}:\n`)
    try {
      const bar = progress({ label: 'copying', unit: 'rows' })
      const { tables } = await migrateData(
        from,
        to,
        (line) => process.stdout.write(`${line}\n`),
        (done, total) => bar.update(done, total),
      )
      bar.finish()
      const rows = Object.values(tables).reduce((a, b) => a + b, 0)
      process.stdout.write(
        `copied ${rows} rows in ${Object.keys(tables).length} tables in ${Math.round(performance.now() - started)} ms; row counts match. Evidence files were not moved: point EVIDENCE_DIR (or the object storage settings) at them.\n`,
      )
      return 0
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`fairhire: nothing was copied: ${err.message}\n`)
        return 1
      }
      throw err
    }
  },
}
