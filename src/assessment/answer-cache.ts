import type { AnswerValue } from '../questionnaire/condition.ts'

/**
 * Answers recently read, per assessment and answers revision. Every change to an assessment's answers
 * bumps its revision in the same transaction (saveAnswers is the only writer of answers), so an entry for
 * the revision a reader has just read from the assessment row is exactly what the answer table holds.
 * Saves write through: the respondent's next page finds the answers it just saved without reading them
 * back. Bounded, oldest first out; per database, so tests and tools with their own files never share.
 */
export type StoredAnswer = { value: AnswerValue; comment: string | null; version: number; updatedAt: string }
type Entry = { revision: number; answers: ReadonlyMap<string, StoredAnswer> }

const MAX_ENTRIES = 2000
const byDb = new WeakMap<object, Map<number, Entry>>()

function entries(db: object): Map<number, Entry> {
  let m = byDb.get(db)
  if (!m) {
    m = new Map()
    byDb.set(db, m)
  }
  return m
}

function put(m: Map<number, Entry>, id: number, entry: Entry): void {
  m.delete(id)
  m.set(id, entry)
  if (m.size > MAX_ENTRIES) m.delete(m.keys().next().value as number)
}

export function cachedAnswers(db: object, id: number, revision: number): ReadonlyMap<string, StoredAnswer> | undefined {
  const m = entries(db)
  const hit = m.get(id)
  if (!hit || hit.revision !== revision) return undefined
  put(m, id, hit)
  return hit.answers
}

export function rememberAnswers(
  db: object,
  id: number,
  revision: number,
  answers: ReadonlyMap<string, StoredAnswer>,
): ReadonlyMap<string, StoredAnswer> {
  put(entries(db), id, { revision, answers })
  return answers
}

/**
 * A committed save, applied to the entry it was based on. Saves of one assessment commit in order, so
 * each one finds the entry at its base revision; anything else (a save from another process, an entry
 * already dropped) leaves no entry, and the next reader reads the table.
 */
export function applySave(
  db: object,
  id: number,
  base: number,
  revision: number,
  changed: ReadonlyMap<string, StoredAnswer | null>,
): void {
  const m = entries(db)
  const hit = m.get(id)
  if (!hit || hit.revision !== base) {
    m.delete(id)
    return
  }
  const answers = new Map(hit.answers)
  for (const [q, a] of changed) {
    if (a) answers.set(q, a)
    else answers.delete(q)
  }
  put(m, id, { revision, answers })
}
