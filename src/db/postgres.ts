import pg from 'pg'

/**
 * The PostgreSQL connection pool. Values come back as the SQLite side returns them, decided here once:
 * - bigint (count(*), sum of integers) and numeric (avg) as JavaScript numbers, not strings; our counts
 *   and sums stay far below 2^53;
 * - booleans as 1 and 0, as SQLite gives them for a comparison or exists();
 * - json and jsonb as their text, as SQLite's json functions return text: callers parse it where they did.
 * Timestamps are stored as ISO-8601 text on both engines, so no date parsing happens here.
 */
const OID = { bool: 16, int8: 20, json: 114, numeric: 1700, jsonb: 3802 } as const

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case OID.int8:
      case OID.numeric:
        return (v: string) => (v === null ? null : Number(v))
      case OID.bool:
        return (v: string) => (v === null ? null : v === 't' ? 1 : 0)
      case OID.json:
      case OID.jsonb:
        return (v: string) => v
      default:
        return pg.types.getTypeParser(oid, format)
    }
  },
} as pg.CustomTypesConfig

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types, application_name: 'fairhire' })
  // An idle connection the server drops (a restart, a failover) must not take the process down; the pool
  // replaces it on next use.
  pool.on('error', () => {})
  return pool
}
