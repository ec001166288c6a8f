import type SQLite from 'better-sqlite3'
import { type Compilable, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely'
import type { Database } from './database.ts'

/**
 * Kysely queries compiled once, for the hot paths: building and compiling a query on every request costs
 * more than SQLite takes to run it. The query is written with Kysely as usual (so it keeps the schema's
 * types and shares helpers such as the tenant filter); it is built once with placeholder values, and each
 * call binds the real values in their places and runs the cached prepared statement (see raw.ts for when
 * running on the raw connection is safe).
 */

// Compiles only; never connects.
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
})

type Param = string | number | null
type Binding = { param: string } | { constant: unknown }

export type CompiledOnce<P, R> = {
  readonly sql: string
  all(sqlite: SQLite.Database, params: P): R[]
  get(sqlite: SQLite.Database, params: P): R | undefined
}

const SENTINEL = '\u0000param:'

/**
 * `build` must use each parameter only as a value (in a comparison, an insert or an update), never to decide
 * the query's shape: it runs once, with placeholders. A placeholder that does not reach the bound values
 * (used for shape, or inlined) is refused when the query is compiled, at start-up.
 */
export function compileOnce<P extends Record<string, Param>, R>(
  build: (db: Kysely<Database>, params: P) => Compilable<R>,
): CompiledOnce<P, R> {
  const used = new Set<string>()
  const placeholders = new Proxy({} as P, {
    get: (_, key) => {
      if (typeof key === 'symbol') return undefined
      used.add(key)
      return `${SENTINEL}${String(key)}`
    },
  })
  const compiled = build(compiler, placeholders).compile()
  const bindings: Binding[] = compiled.parameters.map((v) =>
    typeof v === 'string' && v.startsWith(SENTINEL) ? { param: v.slice(SENTINEL.length) } : { constant: v },
  )
  for (const key of used) {
    if (!bindings.some((b) => 'param' in b && b.param === key))
      throw new Error(`compileOnce: parameter "${key}" is not bound as a value in: ${compiled.sql}`)
  }
  if (compiled.sql.includes(SENTINEL)) throw new Error(`compileOnce: a parameter was inlined in: ${compiled.sql}`)
  const sql = compiled.sql
  const values = (params: P) => bindings.map((b) => ('param' in b ? params[b.param] : b.constant))
  return {
    sql,
    all: (sqlite, params) => sqlite.prepare(sql).all(...values(params)) as R[],
    get: (sqlite, params) => sqlite.prepare(sql).get(...values(params)) as R | undefined,
  }
}
