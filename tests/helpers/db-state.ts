import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../../src/db/connection.ts'
import { isPostgres } from '../../src/db/engine.ts'

/** Every table of the schema (Kysely's own migration tables included), by name, on either engine. */
export async function tableNames(db: Db): Promise<string[]> {
  const rows = isPostgres(db)
    ? await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master
        where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)
  return rows.rows.map((r) => r.name)
}

/**
 * A digest of each table's rows, to compare before and after a refused request. Rows are sorted by their
 * own serialisation, so the digest does not depend on the order either engine returns them in.
 * `mask` may blank a column that changes for reasons other than the request.
 */
export async function tableDigests(
  db: Db,
  tables?: readonly string[],
  mask?: (table: string, row: Record<string, unknown>) => void,
): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const name of tables ?? (await tableNames(db))) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db)).rows
    if (mask) for (const r of rows) mask(name, r)
    const lines = rows.map((r) => JSON.stringify(r)).sort()
    out.set(name, createHash('sha256').update(lines.join('\n')).digest('hex'))
  }
  return out
}

/**
 * Makes every statement that fires `timing` `event` on `table` fail with "simulated failure" (where
 * `when`, a condition on NEW, holds), until `removeFailure`. The trigger is the database's own, so the
 * failure happens inside whatever transaction the application has open.
 */
export async function installFailure(
  db: Db,
  spec: { timing: 'before' | 'after'; table: string; when?: string },
): Promise<void> {
  const on = sql.raw(`${spec.timing} insert on ${spec.table}`)
  if (isPostgres(db)) {
    await sql`create or replace function test_fail() returns trigger language plpgsql as $$
      begin raise exception 'simulated failure'; end $$`.execute(db)
    await sql`create trigger fail_submit ${on} for each row ${sql.raw(spec.when ? `when (${spec.when})` : '')}
      execute function test_fail()`.execute(db)
  } else {
    await sql`create trigger fail_submit ${on} ${sql.raw(spec.when ? `when ${spec.when}` : '')}
      begin select raise(abort, 'simulated failure'); end`.execute(db)
  }
}

export async function removeFailure(db: Db, table: string): Promise<void> {
  if (isPostgres(db)) await sql`drop trigger fail_submit on ${sql.table(table)}`.execute(db)
  else await sql`drop trigger fail_submit`.execute(db)
}

/**
 * On PostgreSQL, waits until no other session is connected to this database: after a client process is
 * killed, the server ends its sessions (rolling back what they had open) only as it notices the closed
 * connections. Checking the data before then could see a transaction that is about to be rolled back
 * as still pending, or miss a COMMIT the server is finishing. Nothing to wait for on SQLite.
 */
export async function waitForOtherSessions(db: Db, timeoutMs = 30_000): Promise<void> {
  if (!isPostgres(db)) return
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await sql<{ n: number }>`select count(*) as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`.execute(db)
    if (Number(r.rows[0]?.n) === 0) return
    if (Date.now() > deadline) throw new Error('other sessions are still connected to the database')
    await new Promise((res) => setTimeout(res, 50))
  }
}
