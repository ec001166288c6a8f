import { type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely'

/**
 * The two database engines. SQLite is the embedded default; PostgreSQL serves several app processes. Code
 * that must differ between them asks here, with the Kysely instance (or transaction) it runs on, so that
 * the differences stay few and easy to find: `grep isPostgres`.
 */
export type Engine = 'sqlite' | 'postgres'

// biome-ignore lint/suspicious/noExplicitAny: any schema (migrations run on Kysely<any>)
export function engineOf(db: Kysely<any>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export function isPostgres(db: Kysely<any>): boolean {
  return engineOf(db) === 'postgres'
}

/**
 * Names in one order on both engines: by code point, as SQLite's default BINARY collation sorts them.
 * PostgreSQL would otherwise use the server's locale, which differs from host to host.
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema
export function byName(db: Kysely<any>, column: string): RawBuilder<string> {
  return isPostgres(db) ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`
}
