import { type ColumnDataType, type CreateTableBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

// Frozen in time with the migrations that use it: change nothing here that an applied migration relies on;
// add a new helper instead.
//
// One migration set for SQLite and PostgreSQL. Kysely's schema builder covers most of both; these are the
// few places where they differ, each handled once:
// - a generated integer key: `integer primary key autoincrement` on SQLite, an identity column on PostgreSQL;
// - floating point: SQLite's `real` is 8 bytes, PostgreSQL's is 4 (a score of 73.45 would read back as
//   73.4499969...), so PostgreSQL gets `double precision`;
// - immutable rows: SQLite's trigger body is SQL, PostgreSQL's calls a function.
// Timestamps stay ISO-8601 text and JSON stays text on both, so rows read back the same from either.

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
type AnyDb = Kysely<any>

export function onPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

/** Adds an `id` column that the database numbers: `.$call(withId(db))`. */
export function withId(db: AnyDb) {
  // biome-ignore lint/suspicious/noExplicitAny: any table being built
  return <T extends string>(t: CreateTableBuilder<T, any>) =>
    onPostgres(db)
      ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}

/** An 8-byte floating-point number on both engines. */
export function double(db: AnyDb): ColumnDataType {
  return onPostgres(db) ? 'double precision' : 'real'
}

/** Makes the database refuse any UPDATE and DELETE on `table`, with `message`. */
export async function forbidChanges(db: AnyDb, table: string, message: string): Promise<void> {
  if (onPostgres(db)) {
    await sql`create or replace function fairhire_refuse_change() returns trigger language plpgsql as $$
      begin raise exception '%', tg_argv[0]; end $$`.execute(db)
    for (const op of ['update', 'delete'])
      await sql`create trigger ${sql.raw(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
        for each row execute function fairhire_refuse_change(${sql.lit(message)})`.execute(db)
    return
  }
  for (const op of ['update', 'delete'])
    await sql`create trigger ${sql.raw(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
      begin select raise(abort, ${sql.lit(message)}); end`.execute(db)
}

/** Drops one of the triggers `forbidChanges` made (`op`: update or delete). */
export async function dropChangeGuard(db: AnyDb, table: string, op: 'update' | 'delete'): Promise<void> {
  const name = sql.raw(`${table}_no_${op}`)
  if (onPostgres(db)) await sql`drop trigger if exists ${name} on ${sql.table(table)}`.execute(db)
  else await sql`drop trigger if exists ${name}`.execute(db)
}

/** Puts back one trigger `forbidChanges` made. */
export async function restoreChangeGuard(db: AnyDb, table: string, op: 'update' | 'delete', message: string) {
  if (onPostgres(db))
    await sql`create trigger ${sql.raw(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
      for each row execute function fairhire_refuse_change(${sql.lit(message)})`.execute(db)
  else
    await sql`create trigger ${sql.raw(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
      begin select raise(abort, ${sql.lit(message)}); end`.execute(db)
}
