import type SQLite from 'better-sqlite3'
import { type Insertable, sql } from 'kysely'
import { type AuditEntry, recordRaw } from '../access/audit.repository.ts'
import type { Principal } from '../access/principal.ts'
import { batchesOf, chunksOf, UNNEST_ROWS } from '../db/bulk.ts'
import type { Conn } from '../db/database.ts'
import { isPostgres } from '../db/engine.ts'
import { groupWrite, withRaw } from '../db/raw.ts'
import { groupSaveOnPostgres } from './answer.store.postgres.ts'
import type { AnswerRow, AnswerTable, AssessmentRow } from './assessment.table.ts'

/**
 * The answer-save path's repository. The answers service sees only `AnswerSaveTx`, `groupSave` and
 * `questionnaireVersionOf`; here they are plain SQLite prepared statements run synchronously inside one
 * group-commit step (see db/raw.ts for why), and another database would implement the same interface.
 * Ownership is part of every assessment read, as in assessment.repository.ts.
 */

/** What one save step reads and writes, inside its transaction. */
export interface AnswerSaveTx {
  owned(id: number, organisationId: number): Owned | undefined
  openReturns(id: number): { question_id: string; organisation_id: number; decision: 'returned' }[]
  answersFor(id: number, questionIds: string[]): AnswerRow[]
  upsert(row: Required<Insertable<AnswerTable>>): void
  setRevision(id: number, revision: number): void
  resolveReturns(id: number, questionIds: string[], at: string): void
  audit(actor: Principal, entries: AuditEntry[], now: Date): void
}

const txs = new WeakMap<SQLite.Database, AnswerSaveTx>()
function txOf(sqlite: SQLite.Database): AnswerSaveTx {
  let tx = txs.get(sqlite)
  if (!tx) {
    tx = {
      owned: (id, org) => owned(sqlite, id, org),
      openReturns: (id) => openReturns(sqlite, id),
      answersFor: (id, qs) => answersFor(sqlite, id, qs),
      upsert: (row) => upsert(sqlite, row),
      setRevision: (id, revision) => setRevision(sqlite, id, revision),
      resolveReturns: (id, qs, at) => resolveReturns(sqlite, id, qs, at),
      audit: (actor, entries, now) => recordRaw(sqlite, actor, entries, now),
    }
    txs.set(sqlite, tx)
  }
  return tx
}

/** What a save reads: one assessment of one organisation, and the rows of some of its questions. */
export type SaveReads = { id: number; organisationId: number; questionIds: string[] }

/**
 * One save in two steps: `check` reads and may refuse by throwing, having written nothing; `write` carries
 * the plan out. On SQLite it is committed with the saves that arrive in the same turn (db/raw.ts
 * groupWrite). On PostgreSQL, likewise in groups (answer.store.postgres.ts). Either way the promise settles
 * after COMMIT.
 */
export function groupSave<P, T>(
  db: Conn,
  reads: SaveReads,
  step: { check: (tx: AnswerSaveTx) => P; write: (tx: AnswerSaveTx, plan: P) => T },
): Promise<T> {
  if (isPostgres(db)) return groupSaveOnPostgres(db, reads, step)
  return groupWrite(db, {
    check: (sqlite) => step.check(txOf(sqlite)),
    write: (sqlite, plan) => step.write(txOf(sqlite), plan),
  })
}

/**
 * The questionnaire version an assessment pins (no access check: callers check where they read it). An
 * assessment's version is set when it is created and never changes, so on PostgreSQL (where the read is a
 * round trip, not a prepared statement on a local file) it is remembered per database, bounded.
 */
const pinned = new WeakMap<Conn, Map<number, number>>()
const MAX_PINNED = 10_000

export async function questionnaireVersionOf(db: Conn, id: number): Promise<number | undefined> {
  if (isPostgres(db)) {
    let known = pinned.get(db)
    if (!known) {
      known = new Map()
      pinned.set(db, known)
    }
    const hit = known.get(id)
    if (hit !== undefined) return hit
    const row = await db
      .selectFrom('assessment')
      .select('questionnaire_version_id')
      .where('id', '=', id)
      .executeTakeFirst()
    if (row) {
      known.set(id, row.questionnaire_version_id)
      if (known.size > MAX_PINNED) known.delete(known.keys().next().value as number)
    }
    return row?.questionnaire_version_id
  }
  return withRaw(db, (sqlite) => versionOf(sqlite, id))
}

export type Owned = Pick<
  AssessmentRow,
  'organisation_id' | 'requested_by' | 'questionnaire_version_id' | 'status' | 'revision'
>

function owned(sqlite: SQLite.Database, id: number, organisationId: number): Owned | undefined {
  return sqlite
    .prepare(
      'select organisation_id, requested_by, questionnaire_version_id, status, revision from assessment where id = ? and organisation_id = ?',
    )
    .get(id, organisationId) as Owned | undefined
}

function versionOf(sqlite: SQLite.Database, id: number): number | undefined {
  return sqlite.prepare('select questionnaire_version_id from assessment where id = ?').pluck().get(id) as
    | number
    | undefined
}

/**
 * Returned answers nobody has answered since, with the brand that returned each; which of them reopen an
 * answer is sharing.policy's to say.
 */
function openReturns(
  sqlite: SQLite.Database,
  id: number,
): { question_id: string; organisation_id: number; decision: 'returned' }[] {
  return sqlite
    .prepare(
      "select question_id, organisation_id, decision from review_decision where assessment_id = ? and decision = 'returned' and resolved_at is null",
    )
    .all(id) as { question_id: string; organisation_id: number; decision: 'returned' }[]
}

function resolveReturns(sqlite: SQLite.Database, id: number, questionIds: string[], at: string): void {
  sqlite
    .prepare(
      `update review_decision set resolved_at = ? where assessment_id = ? and decision = 'returned'
        and resolved_at is null and question_id in (select value from json_each(?))`,
    )
    .run(at, id, JSON.stringify(questionIds))
}

/** The stored rows of these questions (a primary-key lookup each: cheaper than one query over a list). */
function answersFor(sqlite: SQLite.Database, id: number, questionIds: string[]): AnswerRow[] {
  const one = sqlite.prepare('select * from answer where assessment_id = ? and question_id = ?')
  const rows: AnswerRow[] = []
  for (const q of questionIds) {
    const row = one.get(id, q) as AnswerRow | undefined
    if (row) rows.push(row)
  }
  return rows
}

function upsert(sqlite: SQLite.Database, row: Required<Insertable<AnswerTable>>): void {
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

function setRevision(sqlite: SQLite.Database, id: number, revision: number): void {
  sqlite.prepare('update assessment set revision = ? where id = ?').run(revision, id)
}

/**
 * Answers of assessments that were created in the same transaction and never read (bulk loading): nothing
 * of them can be in the answer cache yet, so there is nothing to write through. Plain SQL on both engines.
 */
export async function insertFreshAnswers(db: Conn, rows: Required<Insertable<AnswerTable>>[]): Promise<void> {
  if (isPostgres(db)) {
    // One array per column: a few parameters per statement however many rows (tens of thousands of bound
    // parameters take PostgreSQL longer to parse than the rows take to insert).
    for (const c of chunksOf(rows, UNNEST_ROWS))
      await sql`insert into answer (assessment_id, question_id, value, comment, updated_by, updated_at, version)
        select * from unnest(${c.map((r) => r.assessment_id)}::integer[], ${c.map((r) => r.question_id)}::text[],
          ${c.map((r) => r.value)}::text[], ${c.map((r) => r.comment)}::text[], ${c.map((r) => r.updated_by)}::integer[],
          ${c.map((r) => r.updated_at)}::text[], ${c.map((r) => r.version)}::integer[])`.execute(db)
    return
  }
  for (const batch of batchesOf(rows)) {
    const values = batch.map(
      (r) =>
        sql`(${r.assessment_id}, ${r.question_id}, ${r.value}, ${r.comment}, ${r.updated_by}, ${r.updated_at}, ${r.version})`,
    )
    await sql`insert into answer (assessment_id, question_id, value, comment, updated_by, updated_at, version)
      values ${sql.join(values)}`.execute(db)
  }
}
