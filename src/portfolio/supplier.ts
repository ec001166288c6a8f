import type { Principal } from '../access/principal.ts'
import * as policy from '../assessment/sharing.policy.ts'
import type { Conn } from '../db/database.ts'
import * as snapshots from '../scoring/score-snapshot.repository.ts'
import * as repo from './portfolio.repository.ts'

/** One supplier as a brand sees it: only if it is on the brand's list, with the assessments the brand may see. */
export async function repoVisibleSupplier(db: Conn, p: Principal, supplierId: number) {
  const org = await repo.supplierOnList(db, p.organisationId, supplierId)
  if (!org) return undefined
  const assessments = await repo.grantedAssessmentsOf(db, p.organisationId, supplierId)
  for (const a of assessments) a.title = policy.titleFor(a, p, a.requested_by_name)
  const visible = assessments.filter((a) => !a.revoked_at).map((a) => a.id)
  const history = visible.length ? await snapshots.historyOf(db, visible, p.organisationId) : []
  return { org, assessments, snapshots: history }
}
