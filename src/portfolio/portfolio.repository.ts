import { type ExpressionBuilder, type JoinBuilder, sql } from 'kysely'
import type { AssessmentStatus } from '../assessment/lifecycle.ts'
import type { Conn, Database } from '../db/database.ts'
import { byName, isPostgres } from '../db/engine.ts'

/**
 * The portfolio's queries: a brand's suppliers, the assessments it may see of them and their scores.
 *
 * Every list starts from `latestVisible`: per supplier on the brand's list, the latest assessment the brand
 * was granted (requested or shared, not revoked) and that assessment's latest snapshot the brand sees (its
 * own review, else the self-assessed score; never another brand's review). Both are index lookups per
 * supplier (see the 2026_12_07_1100 migration), and the numbers a list shows come from the snapshot's
 * summary (`score_summary`), never from parsing its stored result.
 */

export type PortfolioFilter = { country?: string; sector?: string; rating?: string; status?: string }
export type PortfolioSort = 'name' | 'rating' | 'control' | 'inherent' | 'redflags' | 'overdue'

/**
 * Supplier, its latest visible assessment and snapshot; filtered on the supplier's own columns (or to
 * `supplierIds`). The brand's grants name the supplier and the latest snapshot the brand sees (kept by
 * storeSnapshot and share), so the latest grant not revoked answers both. The two engines are asked
 * differently, for the same rows:
 * - SQLite: lookups in the grants' index per supplier (a few microseconds each), materialised so that
 *   they run once per supplier: left to itself the planner may fold them into the outer query and run
 *   them once per row of a join.
 * - PostgreSQL, which pays more per subquery call than per row of a hash join: the brand's grants read
 *   once, in the index's order (DISTINCT ON keeps each supplier's latest), and joined by hash.
 */
function latestVisible(db: Conn, brandId: number, f: PortfolioFilter = {}, supplierIds?: readonly number[]) {
  const onList = (qc: Conn) =>
    qc
      .selectFrom('brand_supplier as bs')
      .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
      .where('bs.brand_id', '=', brandId)
      .$if(supplierIds !== undefined, (q) => q.where('bs.supplier_id', 'in', supplierIds?.length ? supplierIds : [-1]))
      .$if(!!f.country, (q) => q.where('o.country', '=', f.country as string))
      .$if(!!f.sector, (q) => q.where('o.sector', '=', f.sector as string))
  if (isPostgres(db))
    return db.with('lv', (qc) =>
      onList(qc as unknown as Conn)
        .leftJoin(
          (eb) =>
            eb
              .selectFrom('assessment_access as acc')
              .distinctOn('acc.supplier_id')
              .select(['acc.supplier_id', 'acc.assessment_id', 'acc.latest_snapshot_id'])
              .where('acc.organisation_id', '=', brandId)
              .where('acc.revoked_at', 'is', null)
              .$if(supplierIds !== undefined, (q) =>
                q.where('acc.supplier_id', 'in', supplierIds?.length ? supplierIds : [-1]),
              )
              // Both descending: the index read backwards, no sort.
              .orderBy('acc.supplier_id', 'desc')
              .orderBy('acc.assessment_id', 'desc')
              .as('g'),
          (j) => j.onRef('g.supplier_id', '=', 'bs.supplier_id'),
        )
        .select(['bs.supplier_id', 'o.name', 'g.assessment_id', 'g.latest_snapshot_id as snapshot_id']),
    )
  // The grant found twice, from the same index entries: its assessment, then its pointer (both from the
  // index alone: it holds both columns).
  // biome-ignore lint/suspicious/noExplicitAny: the outer query, with the link as `bs`
  const latestGrant = (eb: ExpressionBuilder<any, any>) =>
    (eb as unknown as ExpressionBuilder<Database, never>)
      .selectFrom('assessment_access as acc')
      .where('acc.organisation_id', '=', brandId)
      .where(sql<boolean>`acc.supplier_id = bs.supplier_id`)
      .where('acc.revoked_at', 'is', null)
      .orderBy('acc.assessment_id', 'desc')
      .limit(1)
  return db.with(
    (cte) => cte('lv').materialized(),
    (qc) =>
      onList(qc as unknown as Conn).select((eb) => [
        'bs.supplier_id',
        'o.name',
        latestGrant(eb).select('acc.assessment_id').as('assessment_id'),
        latestGrant(eb).select('acc.latest_snapshot_id').as('snapshot_id'),
      ]),
  )
}

/**
 * The summary of the snapshot the grant points at, checked once more against the rule the pointer was
 * written by (the same assessment; self-assessed or the brand's own review): should a pointer ever be wrong,
 * the row shows no score rather than another brand's review.
 */
// biome-ignore lint/suspicious/noExplicitAny: the join builder of any query over `lv`
function visibleSummary(j: JoinBuilder<any, any>, brandId: number) {
  return j.on(
    sql<boolean>`sm.snapshot_id = lv.snapshot_id and sm.assessment_id = lv.assessment_id
      and (sm.reviewer_organisation_id is null or sm.reviewer_organisation_id = ${brandId})`,
  )
}

/**
 * Counts of an assessment's actions still to do (open or in progress), and of those past their due date;
 * read from the index (assessment, status, due date) alone.
 */
// biome-ignore lint/suspicious/noExplicitAny: any outer query with the assessment's id as `lv.assessment_id`
function openActions(eb: ExpressionBuilder<any, any>, today?: string) {
  return (eb as unknown as ExpressionBuilder<Database, never>)
    .selectFrom('action_item as ai')
    .select(sql<number>`count(*)`.as('n'))
    .where(sql<boolean>`ai.assessment_id = lv.assessment_id`)
    .where('ai.status', 'in', ['open', 'in_progress'])
    .$if(today !== undefined, (q) => q.where('ai.due_date', '<', today as string))
}

/**
 * The whole row of each of `supplierIds` on the brand's list, in no particular order (the callers have the
 * order: the page's, or the spreadsheet's chunk of `portfolioOrder`). Unordered on purpose: ordering rows
 * that carry their stored results would have the database sort megabytes of JSON.
 */
export function portfolioQuery(db: Conn, brandId: number, today: string, supplierIds: readonly number[]) {
  return latestVisible(db, brandId, {}, supplierIds)
    .selectFrom('lv')
    .innerJoin('brand_supplier as bs', (j) =>
      j.onRef('bs.supplier_id', '=', 'lv.supplier_id').on('bs.brand_id', '=', brandId),
    )
    .innerJoin('organisation as o', 'o.id', 'lv.supplier_id')
    .leftJoin('assessment as a', 'a.id', 'lv.assessment_id')
    .leftJoin('organisation as rb', 'rb.id', 'a.requested_by')
    .leftJoin('questionnaire_version as qv', 'qv.id', 'a.questionnaire_version_id')
    .leftJoin('score_summary as sm', (j) => visibleSummary(j, brandId))
    .leftJoin('score_snapshot as s', 's.id', 'sm.snapshot_id')
    .select((eb) => [
      'o.id as supplier_id',
      'o.name',
      'o.kind',
      'o.country',
      'o.sector',
      'bs.internal_code',
      'bs.tier',
      'a.id as assessment_id',
      'a.title',
      'a.requested_by',
      'rb.name as requested_by_name',
      'a.status',
      'a.due_date',
      'a.submitted_at',
      'a.reviewed_at',
      'a.decline_reason',
      'a.questionnaire_version_id',
      'qv.questionnaire_id',
      'qv.declared_version',
      's.created_at as scored_at',
      'sm.rating',
      'sm.control_overall',
      'sm.inherent_score',
      'sm.active_red_flags',
      'sm.gap_count',
      'sm.confidence',
      'sm.sections',
      openActions(eb).as('open_actions'),
      openActions(eb, today).as('overdue_actions'),
    ])
}

/** Every supplier on the brand's list, ids only, in the order of `portfolioQuery` (by name). */
export async function portfolioOrder(db: Conn, brandId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('brand_supplier as bs')
    .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
    .select('o.id')
    .where('bs.brand_id', '=', brandId)
    .orderBy(byName(db, 'o.name'))
    .orderBy('o.id')
    .execute()
  return rows.map((r) => r.id)
}

/**
 * One page of the brand's list, filtered and sorted in SQL: the suppliers' ids in order and how many
 * match in all. Only the keys are worked out for every supplier; the page's rows are then read whole
 * (`portfolioQuery` with their ids). Sort keys give a value to "no score" so that both engines order
 * the same way (they place NULLs differently), and ties fall back to the name, then the id, so that
 * pages never overlap.
 */
export async function portfolioPageIds(
  db: Conn,
  brandId: number,
  today: string,
  f: PortfolioFilter,
  sort: PortfolioSort,
  limit: number,
  offset: number,
): Promise<{ ids: number[]; matching: number | null }> {
  // One number per sort, ascending (descending sorts negated).
  const key = (eb: ExpressionBuilder<Database, never>) => {
    switch (sort) {
      case 'rating':
        return sql<number>`case sm.rating when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 9 end`
      case 'control':
        return sql<number>`coalesce(sm.control_overall, 999)`
      case 'inherent':
        return sql<number>`-coalesce(sm.inherent_score, -1)`
      case 'redflags':
        return sql<number>`-coalesce(sm.active_red_flags, 0)`
      case 'overdue':
        return sql<number>`-(${openActions(eb, today)})`
      case 'name':
        return sql<number>`0`
    }
  }
  const rows = await latestVisible(db, brandId, f)
    // The count of every match and the sort key in a subquery, sorted outside it: PostgreSQL then keeps the
    // page's rows only (a top-N sort) instead of sorting every row before counting them.
    .selectFrom((qc) =>
      qc
        .selectFrom('lv')
        .leftJoin('assessment as a', 'a.id', 'lv.assessment_id')
        .leftJoin('score_summary as sm', (j) => visibleSummary(j, brandId))
        .select((eb) => [
          'lv.supplier_id',
          'lv.name',
          key(eb as unknown as ExpressionBuilder<Database, never>).as('k'),
          eb.fn.countAll<number>().over().as('matching'),
        ])
        .$if(!!f.rating, (q) => q.where('sm.rating', '=', f.rating as string))
        .$if(f.status === 'none', (q) => q.where('lv.assessment_id', 'is', null))
        .$if(!!f.status && f.status !== 'none', (q) => q.where('a.status', '=', f.status as AssessmentStatus))
        .as('m'),
    )
    .select(['m.supplier_id', 'm.matching'])
    .orderBy('m.k')
    .orderBy(byName(db, 'm.name'))
    .orderBy('m.supplier_id')
    .limit(limit)
    .offset(offset)
    .execute()
  return { ids: rows.map((r) => r.supplier_id), matching: rows.length ? Number(rows[0]?.matching) : null }
}

/** How many of the brand's suppliers match the filter (for a page past the last one, which has no rows). */
export async function portfolioCount(db: Conn, brandId: number, f: PortfolioFilter): Promise<number> {
  const row = await latestVisible(db, brandId, f)
    .selectFrom('lv')
    .leftJoin('assessment as a', 'a.id', 'lv.assessment_id')
    .leftJoin('score_summary as sm', (j) => visibleSummary(j, brandId))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .$if(!!f.rating, (q) => q.where('sm.rating', '=', f.rating as string))
    .$if(f.status === 'none', (q) => q.where('lv.assessment_id', 'is', null))
    .$if(!!f.status && f.status !== 'none', (q) => q.where('a.status', '=', f.status as AssessmentStatus))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * How many suppliers the brand's list holds, and the countries and sectors among them (the filters'
 * choices): the count from the list's index, the pairs of country and sector in one pass over the list
 * (a few hundred pairs at most).
 */
export async function listFacts(db: Conn, brandId: number) {
  const [total, pairs] = await Promise.all([
    db
      .selectFrom('brand_supplier')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('brand_id', '=', brandId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('brand_supplier as bs')
      .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
      .select(['o.country', 'o.sector'])
      .distinct()
      .where('bs.brand_id', '=', brandId)
      .execute(),
  ])
  const values = (all: (string | null)[]) =>
    [...new Set(all.filter((v): v is string => !!v))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return {
    total: Number(total.n),
    countries: values(pairs.map((p) => p.country)),
    sectors: values(pairs.map((p) => p.sector)),
  }
}

export type PortfolioRow = Awaited<ReturnType<ReturnType<typeof portfolioQuery>['executeTakeFirstOrThrow']>>

/** A supplier on the brand's list, or nothing. */
export function supplierOnList(db: Conn, brandId: number, supplierId: number) {
  return db
    .selectFrom('brand_supplier as bs')
    .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
    .select(['o.id', 'o.name', 'o.kind', 'o.country', 'o.sector', 'o.workers_total', 'bs.internal_code', 'bs.tier'])
    .where('bs.brand_id', '=', brandId)
    .where('bs.supplier_id', '=', supplierId)
    .executeTakeFirst()
}

/** The supplier's assessments the brand was ever given (requested or shared), revoked grants included. */
export function grantedAssessmentsOf(db: Conn, brandId: number, supplierId: number) {
  return db
    .selectFrom('assessment as a')
    .innerJoin('assessment_access as acc', 'acc.assessment_id', 'a.id')
    .leftJoin('organisation as rb', 'rb.id', 'a.requested_by')
    .select([
      'a.organisation_id',
      'a.requested_by',
      'rb.name as requested_by_name',
      'a.id',
      'a.title',
      'a.status',
      'a.created_at',
      'a.submitted_at',
      'a.due_date',
      'a.decline_reason',
      'acc.kind as access',
      'acc.revoked_at',
    ])
    .where('a.organisation_id', '=', supplierId)
    .where('acc.organisation_id', '=', brandId)
    .orderBy('a.id')
    .execute()
}

/** How many suppliers are on the brand's list: the rows of its portfolio, for an export's progress. */
export async function supplierCount(db: Conn, brandId: number): Promise<number> {
  const r = await db
    .selectFrom('brand_supplier')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('brand_id', '=', brandId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}
