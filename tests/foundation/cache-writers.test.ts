import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Two in-memory caches copy tables (README, "What the hot paths do differently"):
 *
 * - sessions, emptied by any Kysely write to `session`, `user_account` or `organisation` (WriteWatch). A raw
 *   prepared statement, or a Kysely instance opened without the watch, writes past it;
 * - answers per assessment and answers revision (answer-cache.ts): right only while answers are written by
 *   the save path alone (answer.store.ts, driven by answers.service.ts, which bumps `assessment.revision` in
 *   the same transaction and writes through to the cache), and `assessment` (its revision) only by the
 *   assessment repository and that save path.
 *
 * A writer elsewhere serves stale sessions or answers without any test of behaviour noticing (the caches hide
 * it until they expire or miss). So this reads every source file and refuses writes to these tables outside
 * their paths. A new legitimate writer belongs in those modules; an exception needs its reason here.
 */

const ROOT = join(import.meta.dirname, '../..')
const SRC = join(ROOT, 'src')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** The code without comments (they describe writes, in words such as "update session"). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
}

type Write = { file: string; table: string; how: 'kysely' | 'raw'; text: string }

const WATCHED = ['session', 'user_account', 'organisation', 'answer', 'assessment']

function writesIn(file: string): Write[] {
  const text = code(file)
  const rel = relative(ROOT, file)
  const out: Write[] = []
  for (const m of text.matchAll(/\.(insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(\s*['"`](\w+)/g)) {
    if (WATCHED.includes(m[2] as string)) out.push({ file: rel, table: m[2] as string, how: 'kysely', text: m[0] })
  }
  const sql =
    /\b(insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+["`]?(\w+)["`]?\s/gi
  for (const m of text.matchAll(sql)) {
    const table = (m[2] as string).toLowerCase()
    const statement = text.slice(m.index, m.index + 80).split(/['"`]/)[0] as string
    if (WATCHED.includes(table)) out.push({ file: rel, table, how: 'raw', text: statement.replace(/\s+/g, ' ').trim() })
  }
  return out
}

/** Where each table may be written, and how. */
function allowed(w: Write): boolean {
  switch (w.table) {
    // The save path writes raw on SQLite (answer.store.ts) and through Kysely on PostgreSQL
    // (answer.store.postgres.ts, reached only through answer.store.ts's groupSave).
    case 'answer':
      return SAVE_PATH.includes(w.file)
    case 'assessment':
      return SAVE_PATH.includes(w.file) || (w.how === 'kysely' && w.file === 'src/assessment/assessment.repository.ts')
    default:
      // Kysely writes are heard by WriteWatch. The only raw writes are the session lookup's own: it ends a
      // distrusted session (the cached row is judged distrusted again until it expires) and moves last use
      // forward on the cached row itself.
      return (
        w.how === 'kysely' ||
        (w.file.startsWith('src/access/') && /^update session set (revoked_at|last_seen_at) = \?/i.test(w.text))
      )
  }
}

const SAVE_PATH = ['src/assessment/answer.store.ts', 'src/assessment/answer.store.postgres.ts']

describe('writes to tables a cache copies', () => {
  const files = sources(SRC)
  const writes = files.flatMap(writesIn)

  it('finds the writers it knows (the scan works)', () => {
    expect(writes.some((w) => w.table === 'answer' && w.file === 'src/assessment/answer.store.ts')).toBe(true)
    expect(writes.some((w) => w.table === 'session' && w.how === 'kysely')).toBe(true)
    expect(writes.some((w) => w.table === 'assessment' && w.file === 'src/assessment/assessment.repository.ts')).toBe(
      true,
    )
  })

  it('answers and assessments are written only by the save path and the assessment repository', () => {
    const stray = writes.filter((w) => (w.table === 'answer' || w.table === 'assessment') && !allowed(w))
    expect(stray.map((w) => `${w.file}: ${w.text}`)).toEqual([])
  })

  it('the answer save path is driven only by the answers service, which keeps the cache', () => {
    // Type-only imports carry no code; the PostgreSQL half is imported by answer.store.ts alone.
    const importers = (name: string) =>
      files
        .filter((f) =>
          new RegExp(`^import (?!type )[^']*from '\\.{1,2}\\/(?:assessment\\/)?${name}'`, 'm').test(code(f)),
        )
        .map((f) => relative(ROOT, f))
    expect(importers('answer\\.store\\.ts')).toEqual(['src/assessment/answers.service.ts'])
    expect(importers('answer\\.store\\.postgres\\.ts')).toEqual(['src/assessment/answer.store.ts'])
    const service = code(join(SRC, 'assessment/answers.service.ts'))
    expect(service).toMatch(/answerStore\.groupSave\(/)
    expect(service).toMatch(/tx\.upsert\(/)
    expect(service).toMatch(/tx\.setRevision\(/)
    expect(service).toMatch(/applySave\(/)
  })

  it('sessions, people and organisations are written only where WriteWatch hears it', () => {
    const stray = writes.filter((w) => ['session', 'user_account', 'organisation'].includes(w.table) && !allowed(w))
    expect(stray.map((w) => `${w.file}: ${w.text}`)).toEqual([])
  })

  it('every Kysely instance that can write is opened with the watch (db/connection.ts)', () => {
    const opened = files
      .filter((f) => /new Kysely\b/.test(code(f)))
      .map((f) => relative(ROOT, f))
      .sort()
    // raw.ts opens a read-only connection for long reads; compiled.ts compiles queries and never connects.
    expect(opened).toEqual(['src/db/compiled.ts', 'src/db/connection.ts', 'src/db/raw.ts'])
    expect(code(join(SRC, 'db/raw.ts'))).toMatch(/readonly: true/)
  })
})
