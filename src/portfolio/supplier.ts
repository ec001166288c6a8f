import type { Kysely } from 'kysely'
import type { Principal } from '../access/principal.ts'
import * as policy from '../assessment/sharing.policy.ts'
import type { Database } from '../db/database.ts'
import { ofReviewer } from '../scoring/score.service.ts'

/** One supplier as a brand sees it: only if it is on the brand's list, with the assessments the brand may see. */
export async function repoVisibleSupplier(db: Kysely<Database>, p: Principal, supplierId: number) {
  const org = await db
    .selectFrom('brand_supplier as bs')
    .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
    .select(['o.id', 'o.name', 'o.kind', 'o.country', 'o.sector', 'o.workers_total', 'bs.internal_code', 'bs.tier'])
    .where('bs.brand_id', '=', p.organisationId)
    .where('bs.supplier_id', '=', supplierId)
    .executeTakeFirst()
  if (!org) return undefined
  const assessments = await db
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
    .where('acc.organisation_id', '=', p.organisationId)
    .orderBy('a.id')
    .execute()
  for (const a of assessments) a.title = policy.titleFor(a, p, a.requested_by_name)
  const visible = assessments.filter((a) => !a.revoked_at).map((a) => a.id)
  const snapshots = visible.length
    ? await db
        .selectFrom('score_snapshot')
        .select(['assessment_id', 'created_at', 'rating', 'control_score', 'inherent_score', 'red_flags', 'reason'])
        .where('assessment_id', 'in', visible)
        .where((eb) => ofReviewer(eb, p.organisationId))
        .orderBy('id')
        .execute()
    : []
  return { org, assessments, snapshots }
}
