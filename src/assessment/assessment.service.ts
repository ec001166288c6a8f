import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireOrgKind, requireRole } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { getQuestionnaireVersion } from '../questionnaire/questionnaire.service.ts'
import * as repo from './assessment.repository.ts'
import { AssessmentError, notFound } from './errors.ts'
import type { AssessmentStatus } from './lifecycle.ts'
import * as policy from './sharing.policy.ts'

/**
 * Assessments themselves: reading them as the caller may see them, creating them (a brand's request, a
 * respondent's self-check) and their audit trail. Reads are scoped by `repo.visibleTo`, writes by ownership;
 * a caller without access gets "not found", so the existence of other organisations' data is not revealed.
 * What happens to one next is in answers, submission, review, evidence and action-plan services.
 */

const iso = (d: Date) => d.toISOString()
/** Every assessment starts as a draft (lifecycle.ts). */
const START: AssessmentStatus = 'draft'
/** A day that exists, written YYYY-MM-DD: "2099-02-30" has the shape of a date but is none. */
const isCalendarDate = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`)
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

/**
 * An assessment as the caller may see it: a brand it is merely shared with sees neither the requesting
 * brand's name nor a title that names it (sharing.policy).
 */
export function asSeenBy<
  A extends {
    organisation_id: number
    requested_by: number | null
    status: string
    title: string
    requested_by_name: string | null
  },
>(a: A, p: Principal): A & { relation: policy.Relation } {
  return {
    ...a,
    title: policy.titleFor(a, p, a.requested_by_name),
    requested_by_name: policy.requesterNameVisible(a, p) ? a.requested_by_name : null,
    relation: policy.relationOf(a, p),
  }
}

export type SeenAssessment = Awaited<ReturnType<typeof getAssessment>>

export async function getAssessment(db: Conn, p: Principal, id: number) {
  const a = await repo.findVisible(db, p, id)
  if (!a) throw notFound()
  return asSeenBy(a, p)
}

export async function listAssessments(db: Conn, p: Principal) {
  return (await repo.listVisible(db, p)).map((a) => asSeenBy(a, p))
}

async function pinnedVersion(db: Conn, questionnaireId: string, kind: string) {
  const qv = await getQuestionnaireVersion(db, questionnaireId).catch(() => {
    throw new AssessmentError(`There is no questionnaire "${questionnaireId}".`, 400, [
      { field: 'questionnaire', message: 'unknown questionnaire' },
    ])
  })
  const expected = kind === 'recruiter' ? 'recruiter' : kind === 'supplier' ? 'employer' : 'brand'
  if (qv.def.respondent !== expected) {
    throw new AssessmentError(
      `The ${qv.id} questionnaire is answered by a ${qv.def.respondent}, not by this organisation.`,
      400,
      [{ field: 'questionnaire', message: `meant for a ${qv.def.respondent}` }],
    )
  }
  return qv
}

/** A brand requests a questionnaire from one of its suppliers or recruiters, with a due date. */
export async function requestAssessment(
  db: Conn,
  p: Principal,
  input: { organisationId: number; questionnaire: string; dueDate: string | null; title?: string },
  now = new Date(),
): Promise<number> {
  requireOrgKind(p, 'brand')
  requireRole(p, 'admin', 'analyst')
  const link = await repo.supplierOfBrand(db, p.organisationId, input.organisationId)
  if (!link)
    throw new AssessmentError('This organisation is not on your supplier list. Invite it first.', 400, [
      { field: 'organisationId', message: 'not on your supplier list' },
    ])
  if (input.dueDate !== null && (!isCalendarDate(input.dueDate) || input.dueDate < iso(now).slice(0, 10))) {
    throw new AssessmentError('The due date must be a date (YYYY-MM-DD) that is not in the past.', 400, [
      { field: 'dueDate', message: 'a date today or later' },
    ])
  }
  const qv = await pinnedVersion(db, input.questionnaire, link.kind)
  return inTransaction(db, async (trx) => {
    const id = await repo.insertAssessment(trx, {
      organisation_id: link.id,
      questionnaire_version_id: qv.versionId,
      // The title names no brand: the assessment may later be shared with others (docs/sharing.md).
      title: input.title?.trim() || (typeof qv.def.title === 'string' ? qv.def.title : (qv.def.title.en ?? qv.id)),
      status: START,
      requested_by: p.organisationId,
      due_date: input.dueDate,
      created_by: p.userId,
      created_at: iso(now),
      submitted_at: null,
      reviewed_at: null,
    })
    await repo.insertGrant(trx, {
      assessment_id: id,
      organisation_id: p.organisationId,
      kind: 'requested',
      granted_at: iso(now),
      revoked_at: null,
      supplier_id: link.id,
      // A new assessment has no score yet.
      latest_snapshot_id: null,
    })
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: link.id,
          assessmentId: id,
          action: 'request',
          entity: 'assessment',
          entityId: id,
          newValue: {
            questionnaire: qv.id,
            revision: qv.revision,
            dueDate: input.dueDate,
            requestedBy: p.organisationName,
          },
        },
        {
          organisationId: p.organisationId,
          assessmentId: id,
          action: 'request',
          entity: 'assessment',
          entityId: id,
          newValue: { supplier: link.name },
        },
      ],
      now,
    )
    return id
  })
}

/** A supplier or recruiter starts its own assessment, with no brand involved. */
export async function startSelfCheck(
  db: Conn,
  p: Principal,
  input: { questionnaire: string; title?: string },
  now = new Date(),
): Promise<number> {
  requireOrgKind(p, 'supplier', 'recruiter')
  requireRole(p, 'admin', 'respondent')
  const qv = await pinnedVersion(db, input.questionnaire, p.organisationKind)
  return inTransaction(db, async (trx) => {
    const id = await repo.insertAssessment(trx, {
      organisation_id: p.organisationId,
      questionnaire_version_id: qv.versionId,
      title: input.title?.trim() || `Self-check ${iso(now).slice(0, 10)}`,
      status: START,
      requested_by: null,
      due_date: null,
      created_by: p.userId,
      created_at: iso(now),
      submitted_at: null,
      reviewed_at: null,
    })
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: p.organisationId,
          assessmentId: id,
          action: 'create',
          entity: 'assessment',
          entityId: id,
          newValue: { questionnaire: qv.id, revision: qv.revision },
        },
      ],
      now,
    )
    return id
  })
}

/**
 * The audit trail of one assessment: for the owner's admins, and for a brand that can see it (its own
 * entries and the respondent's, see sharing.policy). Read wide and filtered, then cut to the newest 500.
 */
export async function assessmentAudit(db: Conn, p: Principal, id: number) {
  const a = await getAssessment(db, p, id)
  if (a.organisation_id === p.organisationId && p.role !== 'admin')
    throw new Forbidden('The audit log is for administrators.')
  return (await audit.listForAssessment(db, id, 5000))
    .filter((e) => policy.auditEntryVisible(a, p, e))
    .slice(0, 500)
    .map(({ actor_organisation_id: _, ...e }) => e)
}
