import { type Insertable, type RawBuilder, sql } from 'kysely'
import type { Conn } from '../db/database.ts'
import { byName, isPostgres } from '../db/engine.ts'
import { RATINGS } from '../scoring/rubric.schema.ts'
import type { RescoreChangeTable } from './assessment.table.ts'
import type { AssessmentStatus } from './lifecycle.ts'

/**
 * Every query on `rescore_change`: the snapshots a re-score job added and the ones they followed (the "what
 * changed" workbook is read from these), and the count of scores a re-score would still change.
 */

/** Call in the transaction that stores the snapshots. */
export async function insertChanges(db: Conn, rows: Insertable<RescoreChangeTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('rescore_change')
      .values(rows.slice(i, i + 200))
      .execute()
}

/** A rating's severity as a number (low 0 … critical 3), for ordering in SQL. */
function severity(column: string): RawBuilder<number> {
  return sql<number>`(case ${sql.ref(column)} ${sql.join(
    RATINGS.map((r, i) => sql`when ${sql.lit(r)} then ${sql.lit(i)}`),
    sql` `,
  )} end)`
}

/**
 * The changes of a job whose rating moved, as their new snapshot ids, in the workbook's order: worse first, by
 * the severity of the new rating, then the organisation's name (the same order on both engines), the assessment
 * and the series. Ids only: 50,000 of them are a few hundred kilobytes.
 */
export async function movedInOrder(db: Conn, jobId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('rescore_change as c')
    .innerJoin('assessment as a', 'a.id', 'c.assessment_id')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select('c.after_snapshot_id as id')
    .where('c.job_id', '=', jobId)
    .whereRef('c.rating_before', '<>', 'c.rating_after')
    .orderBy(sql`case when ${severity('c.rating_after')} > ${severity('c.rating_before')} then 0 else 1 end`)
    .orderBy(severity('c.rating_after'), 'desc')
    .orderBy(byName(db, 'o.name'))
    .orderBy('c.assessment_id')
    // Self-assessed (null) first on both engines.
    .orderBy(sql`coalesce(${sql.ref('c.reviewer_organisation_id')}, 0)`)
    .orderBy('c.after_snapshot_id')
    .execute()
  return rows.map((r) => r.id)
}

/**
 * The rating rules' explanation of a stored result, read by the database out of the result JSON (about 60 KB a
 * snapshot), so that only the explanation (a few hundred bytes) comes back.
 */
function ratingExplanation(db: Conn, result: string): RawBuilder<string> {
  return isPostgres(db)
    ? sql<string>`(${sql.ref(result)}::json -> 'ratingExplanation')::text`
    : sql<string>`json_extract(${sql.ref(result)}, '$.ratingExplanation')`
}

/** The workbook's rows for some of a job's changes (ids from movedInOrder), in no particular order. */
export function changeDetails(db: Conn, jobId: number, afterIds: number[]) {
  return db
    .selectFrom('rescore_change as c')
    .innerJoin('assessment as a', 'a.id', 'c.assessment_id')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .leftJoin('organisation as rv', 'rv.id', 'c.reviewer_organisation_id')
    .innerJoin('score_snapshot as sb', 'sb.id', 'c.before_snapshot_id')
    .innerJoin('score_snapshot as sa', 'sa.id', 'c.after_snapshot_id')
    .innerJoin('score_summary as mb', 'mb.snapshot_id', 'c.before_snapshot_id')
    .innerJoin('score_summary as ma', 'ma.snapshot_id', 'c.after_snapshot_id')
    .innerJoin('rubric_version as rb', 'rb.id', 'sb.rubric_version_id')
    .innerJoin('rubric_version as ra', 'ra.id', 'sa.rubric_version_id')
    .innerJoin('questionnaire_version as qv', 'qv.id', 'sa.questionnaire_version_id')
    .select([
      'c.after_snapshot_id',
      'c.before_snapshot_id',
      'c.assessment_id',
      'o.name as organisation',
      'rv.name as reviewer',
      'qv.questionnaire_id',
      'qv.declared_version as questionnaire_version',
      'rb.rubric_id as rubric_before',
      'rb.revision as revision_before',
      'ra.rubric_id as rubric_after',
      'ra.revision as revision_after',
      'mb.rating as rating_before',
      'ma.rating as rating_after',
      'mb.control_overall as control_before',
      'ma.control_overall as control_after',
      'mb.inherent_score as inherent_before',
      'ma.inherent_score as inherent_after',
      'mb.active_red_flags as red_flags_before',
      'ma.active_red_flags as red_flags_after',
      ratingExplanation(db, 'sb.result').as('explanation_before'),
      ratingExplanation(db, 'sa.result').as('explanation_after'),
    ])
    .where('c.job_id', '=', jobId)
    .where('c.after_snapshot_id', 'in', afterIds)
    .execute()
}

/** How many of a job's re-scored series went from each rating to each other (the same one included). */
export async function moveCounts(db: Conn, jobId: number) {
  const rows = await db
    .selectFrom('rescore_change')
    .select(['rating_before', 'rating_after', (eb) => eb.fn.countAll<number>().as('n')])
    .where('job_id', '=', jobId)
    .groupBy(['rating_before', 'rating_after'])
    .execute()
  return rows.map((r) => ({ before: r.rating_before, after: r.rating_after, count: Number(r.n) }))
}

/** Whether a job recorded any change (the workbook of a job from before changes were recorded would be empty). */
export async function countChanges(db: Conn, jobId: number): Promise<number> {
  const r = await db
    .selectFrom('rescore_change')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/**
 * How many series of scores a re-score with `versionId` (the current version of `rubricId`) would change: the
 * latest snapshot of each series (self-assessed, or one brand's review while that brand still has access) of an
 * assessment in `statuses`, scored with another version of that rubric. The same rule as rescore.service's plan.
 */
export async function countDue(
  db: Conn,
  rubricId: string,
  versionId: number,
  statuses: readonly AssessmentStatus[],
): Promise<number> {
  const r = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('score_summary')
        .select(['assessment_id', 'reviewer_organisation_id', (e) => e.fn.max('snapshot_id').as('id')])
        .groupBy(['assessment_id', 'reviewer_organisation_id'])
        .as('latest'),
    )
    .innerJoin('score_snapshot as s', 's.id', 'latest.id')
    .innerJoin('rubric_version as r', 'r.id', 's.rubric_version_id')
    .innerJoin('assessment as a', 'a.id', 'latest.assessment_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('r.rubric_id', '=', rubricId)
    .where('s.rubric_version_id', '<>', versionId)
    .where('a.status', 'in', statuses)
    .where((eb) =>
      eb.or([
        eb('latest.reviewer_organisation_id', 'is', null),
        eb.exists(
          eb
            .selectFrom('assessment_access as g')
            .select('g.assessment_id')
            .whereRef('g.assessment_id', '=', 'latest.assessment_id')
            .whereRef('g.organisation_id', '=', 'latest.reviewer_organisation_id')
            .where('g.revoked_at', 'is', null),
        ),
      ]),
    )
    .executeTakeFirstOrThrow()
  return Number(r.n)
}
