import { type Expression, type Kysely, type RawBuilder, sql } from 'kysely'
import { isPostgres } from './engine.ts'

/**
 * JSON built by the database, the same text on both engines. SQLite's json1 functions and PostgreSQL's
 * json functions differ in name and in one behaviour: over no rows, json_group_array gives "[]" and
 * json_agg gives NULL, so the PostgreSQL side coalesces. (PostgreSQL's json comes back as its text; see
 * postgres.ts.)
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema
type AnyDb = Kysely<any>
// biome-ignore lint/suspicious/noExplicitAny: any SQL expression
type Expr = Expression<any>

export function jsonGroupArray(db: AnyDb, item: Expr): RawBuilder<string> {
  return isPostgres(db) ? sql<string>`coalesce(json_agg(${item}), '[]'::json)` : sql<string>`json_group_array(${item})`
}

/** An object from alternating keys and values. */
export function jsonObject(db: AnyDb, fields: Record<string, Expr>): RawBuilder<string> {
  const parts = Object.entries(fields).flatMap(([k, v]) => [sql.lit(k), v])
  return isPostgres(db)
    ? sql<string>`json_build_object(${sql.join(parts)})`
    : sql<string>`json_object(${sql.join(parts)})`
}

export function jsonArray(db: AnyDb, items: Expr[]): RawBuilder<string> {
  return isPostgres(db)
    ? sql<string>`json_build_array(${sql.join(items)})`
    : sql<string>`json_array(${sql.join(items)})`
}

/** A text column holding JSON, taken as JSON (not as a string) inside the above. */
export function jsonOf(db: AnyDb, text: Expr): RawBuilder<unknown> {
  return isPostgres(db) ? sql`(${text})::json` : sql`json(${text})`
}
