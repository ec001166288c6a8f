import type SQLite from 'better-sqlite3'
import type { Insertable } from 'kysely'
import type { AnswerRow, AnswerTable, AssessmentRow } from './assessment.table.ts'

/**
 * The answer-save path as plain prepared statements (see db/raw.ts for why). Callers run these inside
 * `withRaw` or a `groupWrite` step. Ownership is part of every assessment read, as in the repository.
 */

type Owned = Pick<
  AssessmentRow,
  'organisation_id' | 'requested_by' | 'questionnaire_version_id' | 'status' | 'revision'
>

export function owned(sqlite: SQLite.Database, id: number, organisationId: number): Owned | undefined {
  return sqlite
    .prepare(
      'select organisation_id, requested_by, questionnaire_version_id, status, revision from assessment where id = ? and organisation_id = ?',
    )
    .get(id, organisationId) as Owned | undefined
}

export function versionOf(sqlite: SQLite.Database, id: number): number | undefined {
  return sqlite.prepare('select questionnaire_version_id from assessment where id = ?').pluck().get(id) as
    | number
    | undefined
}

/**
 * Returned answers nobody has answered since, with the brand that returned each; which of them reopen an
 * answer is sharing.policy's to say.
 */
export function openReturns(
  sqlite: SQLite.Database,
  id: number,
): { question_id: string; organisation_id: number; decision: 'returned' }[] {
  return sqlite
    .prepare(
      "select question_id, organisation_id, decision from review_decision where assessment_id = ? and decision = 'returned' and resolved_at is null",
    )
    .all(id) as { question_id: string; organisation_id: number; decision: 'returned' }[]
}

export function resolveReturns(sqlite: SQLite.Database, id: number, questionIds: string[], at: string): void {
  sqlite
    .prepare(
      `update review_decision set resolved_at = ? where assessment_id = ? and decision = 'returned'
        and resolved_at is null and question_id in (select value from json_each(?))`,
    )
    .run(at, id, JSON.stringify(questionIds))
}

/** The stored rows of these questions (a primary-key lookup each: cheaper than one query over a list). */
export function answersFor(sqlite: SQLite.Database, id: number, questionIds: string[]): AnswerRow[] {
  const one = sqlite.prepare('select * from answer where assessment_id = ? and question_id = ?')
  const rows: AnswerRow[] = []
  for (const q of questionIds) {
    const row = one.get(id, q) as AnswerRow | undefined
    if (row) rows.push(row)
  }
  return rows
}

export function upsert(sqlite: SQLite.Database, row: Required<Insertable<AnswerTable>>): void {
  // Positional parameters: binding by name costs about twice as much, on every save.
  sqlite
    .prepare(
      `insert into answer (assessment_id, question_id, value, comment, updated_by, updated_at, version)
        values (?, ?, ?, ?, ?, ?, ?)
        on conflict (assessment_id, question_id) do update set value = excluded.value, comment = excluded.comment,
        updated_by = excluded.updated_by, updated_at = excluded.updated_at, version = excluded.version`,
    )
    .run(row.assessment_id, row.question_id, row.value, row.comment, row.updated_by, row.updated_at, row.version)
}

export function setRevision(sqlite: SQLite.Database, id: number, revision: number): void {
  sqlite.prepare('update assessment set revision = ? where id = ?').run(revision, id)
}
