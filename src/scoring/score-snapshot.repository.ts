import { type ExpressionBuilder, type Insertable, type RawBuilder, sql } from 'kysely'
import { batchesOf } from '../db/bulk.ts'
import type { Conn, Database } from '../db/database.ts'
import type { ScoreSnapshotTable, ScoreSummaryTable } from './scoring.table.ts'

/**
 * Score snapshots: immutable, one per scoring of an assessment, each with its summary (`score_summary`, the
 * numbers lists show). Every read and write of `score_snapshot` and `score_summary` is here. Who sees which is sharing.policy's rule (`reviewerFor`); the queries take the reviewer it names.
 */

/** Call inside a transaction with insertSummary (score.service.storeSnapshot does). */
export function insertSnapshot(db: Conn, row: Insertable<ScoreSnapshotTable>) {
  return db.insertInto('score_snapshot').values(row).returning(['id', 'created_at']).executeTakeFirstOrThrow()
}

export async function insertSummary(db: Conn, row: ScoreSummaryTable): Promise<void> {
  await db.insertInto('score_summary').values(row).execute()
}

/**
 * Points the grants that see a new snapshot at it (assessment_access.latest_snapshot_id): every grant of the
 * assessment for a self-assessed snapshot, the reviewing brand's only for a review (ofReviewer's rule). Call
 * in the snapshot's transaction. Never moves a pointer back, should an older snapshot come last.
 */
export async function pointGrantsAt(db: Conn, assessmentId: number, snapshotId: number, reviewer: number | null) {
  await db
    .updateTable('assessment_access')
    .set({ latest_snapshot_id: snapshotId })
    .where('assessment_id', '=', assessmentId)
    .$if(reviewer !== null, (q) => q.where('organisation_id', '=', reviewer as number))
    .where((eb) => eb.or([eb('latest_snapshot_id', 'is', null), eb('latest_snapshot_id', '<', snapshotId)]))
    .execute()
}

/**
 * Many snapshots with their summaries, ids chosen by the caller (bulk loading; see db/bulk.ts). Call inside
 * one transaction, as for insertSnapshot.
 */
export async function insertSnapshotsWithSummaries(
  db: Conn,
  rows: { snapshot: Insertable<ScoreSnapshotTable> & { id: number }; summary: ScoreSummaryTable }[],
): Promise<void> {
  // A stored result is about 60 KB: a hundred to a statement keeps each one to a few megabytes.
  for (const batch of batchesOf(rows, 100)) {
    await db
      .insertInto('score_snapshot')
      .values(batch.map((r) => r.snapshot))
      .execute()
    await db
      .insertInto('score_summary')
      .values(batch.map((r) => r.summary))
      .execute()
  }
}

/** The largest snapshot id so far (0 when there is none). */
export async function maxSnapshotId(db: Conn): Promise<number> {
  const r = await db
    .selectFrom('score_snapshot')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst()
  return Number(r?.m ?? 0)
}

/** Self-assessed snapshots, and those of the one brand's review when a brand reads. */
export function ofReviewer(eb: ExpressionBuilder<Database, 'score_snapshot'>, reviewer: number | null) {
  return reviewer === null
    ? eb('score_snapshot.reviewer_organisation_id', 'is', null)
    : eb.or([
        eb('score_snapshot.reviewer_organisation_id', 'is', null),
        eb('score_snapshot.reviewer_organisation_id', '=', reviewer),
      ])
}

/**
 * The snapshots of one assessment that a reader sees: the self-assessed ones and those of `reviewer`'s own
 * review (sharing.policy.reviewerFor decides who the reviewer is; null: self-assessed only).
 */
export function listSnapshots(db: Conn, assessmentId: number, reviewer: number | null = null) {
  return db
    .selectFrom('score_snapshot')
    .innerJoin('rubric_version as r', 'r.id', 'score_snapshot.rubric_version_id')
    .select([
      'score_snapshot.id',
      'score_snapshot.reason',
      'score_snapshot.rating',
      'score_snapshot.control_score',
      'score_snapshot.inherent_score',
      'score_snapshot.red_flags',
      'score_snapshot.created_at',
      'r.rubric_id',
      'r.revision as rubric_revision',
    ])
    .where('score_snapshot.assessment_id', '=', assessmentId)
    .where((eb) => ofReviewer(eb, reviewer))
    .orderBy('score_snapshot.id')
    .execute()
}

/** The latest snapshot the reader sees (see listSnapshots). */
export function latestSnapshot(db: Conn, assessmentId: number, reviewer: number | null) {
  return db
    .selectFrom('score_snapshot')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .where((eb) => ofReviewer(eb, reviewer))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** The headline numbers of the snapshots of several assessments a brand sees, oldest first (a supplier's history). */
export function historyOf(db: Conn, assessmentIds: number[], reviewer: number) {
  return db
    .selectFrom('score_snapshot')
    .select(['assessment_id', 'created_at', 'rating', 'control_score', 'inherent_score', 'red_flags', 'reason'])
    .where('assessment_id', 'in', assessmentIds)
    .where((eb) => ofReviewer(eb, reviewer))
    .orderBy('id')
    .execute()
}

/**
 * For joining into a wider query (the portfolio): the id of the latest snapshot per assessment that `reviewer`
 * sees, its own reviewed score else the self-assessed one, never another brand's review.
 */
export function latestIdsFor(db: Conn, reviewer: number) {
  return db
    .selectFrom('score_snapshot')
    .select(['assessment_id', (e) => e.fn.max('id').as('snapshot_id')])
    .where((e) => ofReviewer(e, reviewer))
    .groupBy('assessment_id')
}

/**
 * The latest snapshot of each series of these assessments (a series: the self-assessed scores, or one brand's
 * reviewed scores), with the rubric it was scored with.
 */
export function latestPerSeries(db: Conn, assessmentIds: number[]) {
  return db
    .selectFrom('score_snapshot as s')
    .innerJoin('rubric_version as r', 'r.id', 's.rubric_version_id')
    .select(['s.id', 's.assessment_id', 's.reviewer_organisation_id', 's.rubric_version_id', 's.rating', 'r.rubric_id'])
    .where('s.id', 'in', (eb) =>
      eb
        .selectFrom('score_snapshot')
        .select((e) => e.fn.max('id').as('id'))
        .where('assessment_id', 'in', assessmentIds)
        .groupBy(['assessment_id', 'reviewer_organisation_id']),
    )
    .orderBy('s.id')
    .execute()
}

/**
 * For a wider query: the id of the latest snapshot of the assessment `assessment` (a column of the outer
 * query) that `reviewer` sees, its own reviewed score else the self-assessed one, never another brand's
 * review. Read from the summaries' index (assessment, reviewer, snapshot), so no snapshot is read.
 */
export function latestVisibleId(
  // biome-ignore lint/suspicious/noExplicitAny: any outer query; only the summary table is named
  eb: ExpressionBuilder<any, any>,
  assessment: RawBuilder<unknown>,
  reviewer: number,
) {
  return (eb as unknown as ExpressionBuilder<Database, never>)
    .selectFrom('score_summary as ss')
    .select((e) => e.fn.max('ss.snapshot_id').as('id'))
    .where(sql<boolean>`ss.assessment_id = ${assessment}`)
    .where((e) => e.or([e('ss.reviewer_organisation_id', 'is', null), e('ss.reviewer_organisation_id', '=', reviewer)]))
}
