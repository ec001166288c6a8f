import { sql } from 'kysely'
import type { Conn } from '../db/database.ts'
import { byName } from '../db/engine.ts'
import * as snapshots from '../scoring/score-snapshot.repository.ts'

/** The portfolio's queries: a brand's suppliers, the assessments it may see of them and their scores. */

/** Every supplier on the brand's list with its latest visible assessment and score snapshot, by name. */
export function portfolioQuery(db: Conn, brandId: number, today: string) {
  return (
    db
      .selectFrom('brand_supplier as bs')
      .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
      // The latest assessment of this supplier that the brand requested or was shared, not revoked.
      .leftJoin(
        (eb) =>
          eb
            .selectFrom('assessment as a')
            .innerJoin('assessment_access as acc', 'acc.assessment_id', 'a.id')
            .select(['a.organisation_id', (e) => e.fn.max('a.id').as('assessment_id')])
            .where('acc.organisation_id', '=', brandId)
            .where('acc.revoked_at', 'is', null)
            .groupBy('a.organisation_id')
            .as('la'),
        (join) => join.onRef('la.organisation_id', '=', 'o.id'),
      )
      .leftJoin('assessment as a', 'a.id', 'la.assessment_id')
      .leftJoin('organisation as rb', 'rb.id', 'a.requested_by')
      .leftJoin('questionnaire_version as qv', 'qv.id', 'a.questionnaire_version_id')
      // The brand's own reviewed score, else the self-assessed one; never another brand's review.
      .leftJoin(
        () => snapshots.latestIdsFor(db, brandId).as('ls'),
        (join) => join.onRef('ls.assessment_id', '=', 'a.id'),
      )
      .leftJoin('score_snapshot as s', 's.id', 'ls.snapshot_id')
      .select([
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
        'qv.questionnaire_id',
        'qv.declared_version',
        's.created_at as scored_at',
        (eb) =>
          eb
            .selectFrom('action_item as ai')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('ai.assessment_id', '=', 'a.id')
            .where('ai.status', 'in', ['open', 'in_progress'])
            .as('open_actions'),
        (eb) =>
          eb
            .selectFrom('action_item as ai')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('ai.assessment_id', '=', 'a.id')
            .where('ai.status', 'in', ['open', 'in_progress'])
            .where('ai.due_date', '<', today)
            .as('overdue_actions'),
      ])
      .where('bs.brand_id', '=', brandId)
      .orderBy(byName(db, 'o.name'))
  )
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
