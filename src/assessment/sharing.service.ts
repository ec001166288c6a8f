import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireRole } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import * as repo from './assessment.repository.ts'
import { getAssessment } from './assessment.service.ts'
import { AssessmentError, notFound } from './errors.ts'
import * as lifecycle from './lifecycle.ts'
import * as policy from './sharing.policy.ts'

/**
 * Grants (docs/sharing.md): the owner shares a submitted assessment with a brand and may revoke that; a
 * request is not a grant, and is declined instead. Who may do what is sharing.policy's.
 */

const iso = (d: Date) => d.toISOString()

/** The supplier shares a submitted assessment with another brand; the brand then sees it until revoked. */
export async function shareAssessment(db: Conn, p: Principal, id: number, brandId: number, now = new Date()) {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a) throw notFound()
  if (!lifecycle.shareable(a.status))
    throw new AssessmentError(
      a.status === lifecycle.target('decline')
        ? 'A declined request is not shared.'
        : 'Submit the assessment before sharing it.',
      409,
    )
  const brand = await repo.findOrganisation(db, brandId)
  if (brand?.kind !== 'brand')
    throw new AssessmentError('Choose a brand to share with.', 400, [{ field: 'brandId', message: 'not a brand' }])
  await inTransaction(db, async (trx) => {
    await repo.upsertShare(trx, id, brandId, iso(now))
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'share',
          entity: 'assessment_access',
          entityId: brandId,
          newValue: { brand: brand.name },
        },
        {
          organisationId: brandId,
          assessmentId: id,
          action: 'shared_with_you',
          entity: 'assessment_access',
          entityId: brandId,
          newValue: { by: p.organisationName },
        },
      ],
      now,
    )
  })
}

/** The supplier stops sharing with a brand. A request is not a share: it cannot be revoked, only declined. */
export async function revokeShare(db: Conn, p: Principal, id: number, brandId: number, now = new Date()) {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a) throw notFound()
  const grant = await repo.findGrant(db, id, brandId)
  if (!grant || grant.revoked_at !== null)
    throw new AssessmentError('This assessment is not shared with that organisation.', 404)
  if (!policy.grantRevocable(grant.kind))
    throw new AssessmentError(
      'The brand that requested this assessment keeps it: a request cannot be revoked. Decline a request you will not answer, with your reason.',
      409,
      [{ field: 'orgId', message: 'the requesting brand' }],
    )
  await inTransaction(db, async (trx) => {
    await repo.revokeShare(trx, id, brandId, iso(now))
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'revoke_share',
          entity: 'assessment_access',
          entityId: brandId,
        },
      ],
      now,
    )
  })
}

/**
 * The supplier declines a brand's request it will not answer, with a reason the brand reads. The request
 * stays, declined: the brand keeps seeing it (with the reason) and nothing more can happen to it.
 */
export async function declineRequest(db: Conn, p: Principal, id: number, reason: string, now = new Date()) {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a)
    throw (await repo.findVisible(db, p, id))
      ? new Forbidden('Only the organisation asked can decline a request.')
      : notFound()
  if (!policy.mayDecline(a, p))
    throw new AssessmentError(
      a.requested_by === null
        ? 'This is your own self-check: there is no request to decline.'
        : `This assessment is ${a.status}: only a request not yet submitted can be declined.`,
      409,
    )
  const why = reason.trim()
  if (!why)
    throw new AssessmentError('Give the brand your reason for declining.', 400, [
      { field: 'reason', message: 'required' },
    ])
  await inTransaction(db, async (trx) => {
    const moved = await repo.updateIfRevision(trx, id, a.revision, {
      status: lifecycle.target('decline'),
      declined_at: iso(now),
      decline_reason: why,
    })
    if (!moved) throw new AssessmentError('The assessment changed meanwhile. Reload it and decline again.', 409)
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'decline',
          entity: 'assessment',
          entityId: id,
          oldValue: a.status,
          newValue: { status: lifecycle.target('decline'), reason: why },
        },
      ],
      now,
    )
  })
}

/** Who can see the assessment, as far as the caller may know: a brand sees only its own grant. */
export async function sharesOf(db: Conn, p: Principal, id: number) {
  const a = await getAssessment(db, p, id)
  return (await repo.accessRows(db, id)).filter((g) => policy.grantVisible(a, p, g))
}
