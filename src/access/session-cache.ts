import { type Db, watchWrites } from '../db/connection.ts'
import { isPostgres } from '../db/engine.ts'

/**
 * Sessions recently looked up, for a few seconds. Every signed-in request needs its session, person and
 * organisation; this saves the query on all but the first request of a burst. Any write to sessions,
 * people or organisations through the application (sign-out, password change, disabling, role or name
 * changes) empties the cache at once; the few seconds only bound what another process could change
 * without this one hearing of it (the command line changes none of these today).
 *
 * On PostgreSQL several app processes share the database, and a sign-out or a disabled account through one
 * must be honoured by all at once: there is no cache, every request reads its session (one indexed join).
 */
const SESSION_CACHE_MS = 5_000
const MAX_ENTRIES = 10_000

type Entry<R> = { row: R; at: number }
const caches = new WeakMap<Db, Map<string, Entry<unknown>>>()

function cacheOf(db: Db): Map<string, Entry<unknown>> {
  let m = caches.get(db)
  if (!m) {
    const fresh = new Map<string, Entry<unknown>>()
    watchWrites(db, ['session', 'user_account', 'organisation'], () => fresh.clear())
    caches.set(db, fresh)
    m = fresh
  }
  return m
}

/** The cached row for a session id hash, or what `read` returns (remembered when found). */
export function cachedSession<R>(db: Db, idHash: string, nowMs: number, read: () => R | undefined): R | undefined {
  if (isPostgres(db)) return read()
  const m = cacheOf(db)
  const hit = m.get(idHash) as Entry<R> | undefined
  if (hit && nowMs - hit.at < SESSION_CACHE_MS && nowMs >= hit.at) return hit.row
  const row = read()
  if (row === undefined) {
    m.delete(idHash)
    return undefined
  }
  m.delete(idHash)
  m.set(idHash, { row, at: nowMs })
  if (m.size > MAX_ENTRIES) m.delete(m.keys().next().value as string)
  return row
}
