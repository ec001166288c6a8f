import { type Kysely, sql } from 'kysely'
import { isPostgres } from './engine.ts'

/**
 * Bulk loading (the demo's generated portfolio): rows inserted many to a statement, with ids chosen by
 * the loader so that related rows can be written in the same batch without reading ids back.
 */

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000

/** `rows` cut into statements of at most `maxRows` rows and ~30,000 parameters. */
export function batchesOf<T extends object>(rows: readonly T[], maxRows = 1000): T[][] {
  if (rows.length === 0) return []
  const columns = Math.max(1, Object.keys(rows[0] as object).length)
  const size = Math.max(1, Math.min(maxRows, Math.floor(MAX_PARAMS / columns)))
  const out: T[][] = []
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size))
  return out
}

/** Rows per statement when they travel as one array per column (PostgreSQL's unnest). */
export const UNNEST_ROWS = 20_000

/** `rows` cut into chunks of `size`. */
export function chunksOf<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size))
  return out
}

/**
 * After rows were inserted with explicit ids: PostgreSQL's identity sequence does not move by itself and
 * would hand out those ids again, so it is set past the largest. SQLite's AUTOINCREMENT already follows
 * the largest id ever inserted.
 */
// biome-ignore lint/suspicious/noExplicitAny: any schema
export async function afterExplicitIds(db: Kysely<any>, tables: readonly string[]): Promise<void> {
  if (!isPostgres(db)) return
  for (const t of tables)
    await sql`select setval(pg_get_serial_sequence(${t}, 'id'), greatest(1, (select coalesce(max(id), 0) from ${sql.table(t)})))`.execute(
      db,
    )
}
