import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireOrgKind, requireRole } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import type { ActionPlanResult } from '../reports/action-plan/parse.ts'
import { UploadRejected } from '../reports/upload/limits.ts'
import { parseInWorker } from '../reports/upload/pool.ts'
import type { SheetError } from '../reports/xlsx/sheet-error.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import * as plan from './action-plan.repository.ts'
import * as repo from './assessment.repository.ts'
import { getAssessment } from './assessment.service.ts'
import type { ActionStatus } from './assessment.table.ts'
import { AssessmentError, notFound } from './errors.ts'
import * as policy from './sharing.policy.ts'

/**
 * The corrective action plan: each gap of a submitted score becomes an action; the respondent moves its
 * actions along (and may edit them in the gap report workbook and upload it back); the requesting brand
 * verifies them.
 */

const iso = (d: Date) => d.toISOString()

/** Each gap of a scored result becomes an action; existing actions keep their owner, dates and status. */
export async function syncActions(
  db: Conn,
  id: number,
  result: ScoreResult,
  now = new Date(),
  actor: Principal | null = null,
  /** The organisation that answers the assessment, when the caller has read it already. */
  ownerId?: number,
) {
  const rows = await plan.actionStates(db, id)
  const owner = ownerId ?? (await repo.ownerOf(db, id))?.id
  if (owner === undefined) throw notFound()
  const existing = new Set(rows.map((r) => r.question_id))
  // An open action whose gap is gone from a resubmission is marked done, for a reviewer to verify.
  const gapNow = new Set(result.gaps.map((g) => g.question))
  for (const r of rows) {
    if (gapNow.has(r.question_id) || (r.status !== 'open' && r.status !== 'in_progress')) continue
    const notes = [r.notes, `Answer changed on ${now.toISOString().slice(0, 10)}: no longer a gap.`]
      .filter(Boolean)
      .join('\n')
    await plan.updateAction(db, r.id, { status: 'done', notes, updated_at: now.toISOString(), version: r.version + 1 })
    await audit.record(
      db,
      actor,
      [
        {
          organisationId: owner,
          assessmentId: id,
          action: 'update',
          entity: 'action_item',
          entityId: r.id,
          oldValue: { status: r.status },
          newValue: { status: 'done', reason: 'gap closed by a changed answer' },
        },
      ],
      now,
    )
  }
  const fresh = result.gaps.filter((g) => !existing.has(g.question))
  for (let i = 0; i < fresh.length; i += 100) {
    await plan.insertActions(
      db,
      fresh.slice(i, i + 100).map((g) => ({
        assessment_id: id,
        question_id: g.question,
        gap_type: g.gapType,
        severity: g.severity,
        red_flag: g.redFlag ? 1 : 0,
        action: g.action,
        timeframe: g.timeframe,
        owner: null,
        due_date: g.days === null ? null : iso(new Date(now.getTime() + g.days * 86_400_000)).slice(0, 10),
        status: 'open' as const,
        notes: null,
        closing_evidence: null,
        created_at: iso(now),
        updated_at: iso(now),
        verified_by: null,
      })),
    )
  }
  return fresh.length
}

/** The action plan; its notes carry the requesting brand's follow-up, which another brand does not read. */
export async function listActions(db: Conn, p: Principal, id: number) {
  return actionsFor(db, p, await getAssessment(db, p, id))
}

/** As listActions, of an assessment the caller has just read. */
export async function actionsFor(db: Conn, p: Principal, a: policy.AssessmentFacts & { id: number }) {
  const rows = await plan.listActions(db, a.id)
  return policy.actionNotesVisible(a, p) ? rows : rows.map((r) => ({ ...r, notes: null, verified_by: null }))
}

export type ActionUpdate = {
  owner?: string | null
  dueDate?: string | null
  status?: ActionStatus
  notes?: string | null
  closingEvidence?: string | null
  version?: number
}

/**
 * The answering organisation moves its actions along (open → in progress → done); a reviewing brand
 * verifies a done action. Both can add notes.
 */
export async function updateAction(
  db: Conn,
  p: Principal,
  id: number,
  actionId: number,
  u: ActionUpdate,
  now = new Date(),
) {
  const a = await getAssessment(db, p, id)
  const item = await plan.findAction(db, id, actionId)
  if (!item) throw new AssessmentError('Action not found.', 404)
  const owner = a.organisation_id === p.organisationId
  if (owner) requireRole(p, 'admin', 'respondent')
  else {
    requireOrgKind(p, 'brand')
    requireRole(p, 'admin', 'analyst')
    if (!policy.mayFollowUpActions(a, p))
      throw new Forbidden('The brand that requested this assessment follows up its action plan; you can read it.')
  }
  if (u.version !== undefined && u.version !== item.version) {
    throw new AssessmentError(
      'Someone else changed this action since you opened it. Reload and try again.',
      409,
      [{ field: 'version', message: `now ${item.version}` }],
      { theirs: item },
    )
  }
  if (u.status === 'verified' && (owner || item.status !== 'done')) {
    throw new AssessmentError(
      owner ? 'A reviewer verifies a closed action; mark it done.' : 'Only an action marked done can be verified.',
      400,
      [{ field: 'status', message: 'cannot verify now' }],
    )
  }
  if (
    !owner &&
    (u.owner !== undefined ||
      u.dueDate !== undefined ||
      (u.status && u.status !== 'verified' && u.status !== item.status))
  ) {
    throw new Forbidden('A reviewer can verify an action or add notes; the site manages owner, dates and progress.')
  }
  if (u.dueDate && !/^\d{4}-\d{2}-\d{2}$/.test(u.dueDate))
    throw new AssessmentError('The due date must be written YYYY-MM-DD.', 400, [
      { field: 'dueDate', message: 'invalid date' },
    ])
  const next = {
    owner: u.owner === undefined ? item.owner : u.owner?.trim() || null,
    due_date: u.dueDate === undefined ? item.due_date : u.dueDate || null,
    status: u.status ?? item.status,
    notes: u.notes === undefined ? item.notes : u.notes?.trim() || null,
    closing_evidence: u.closingEvidence === undefined ? item.closing_evidence : u.closingEvidence?.trim() || null,
  }
  await inTransaction(db, async (trx) => {
    await plan.updateAction(trx, actionId, {
      ...next,
      updated_at: iso(now),
      version: item.version + 1,
      verified_by: next.status === 'verified' ? p.userId : item.verified_by,
    })
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'update',
          entity: 'action_item',
          entityId: actionId,
          oldValue: { owner: item.owner, due_date: item.due_date, status: item.status, notes: item.notes },
          newValue: next,
        },
      ],
      now,
    )
  })
}

/**
 * Applies an edited action plan uploaded from Excel: every row is checked first, and either all the
 * changes are applied in one transaction or none is, with the sheet, cell and reason of each problem.
 */
export async function importActionPlan(
  db: Conn,
  p: Principal,
  id: number,
  data: Buffer,
  now = new Date(),
): Promise<{ applied: number; errors: SheetError[] }> {
  const a = await getAssessment(db, p, id)
  if (a.organisation_id !== p.organisationId)
    throw new Forbidden('The organisation that answers the assessment updates its action plan.')
  requireRole(p, 'admin', 'respondent')
  const items = await actionsFor(db, p, a)
  // Read in a worker thread, off the event loop and within the upload limits (reports/upload/pool.ts); the
  // changes are applied here.
  let parsed: ActionPlanResult
  try {
    parsed = await parseInWorker({
      kind: 'action-plan',
      data,
      expected: {
        assessmentId: id,
        actions: items.map((x) => ({
          id: x.id,
          question: x.question_id,
          owner: x.owner,
          dueDate: x.due_date,
          status: x.status,
          notes: x.notes,
        })),
      },
    })
  } catch (err) {
    if (err instanceof UploadRejected)
      throw new AssessmentError(err.message, err.reason === 'too_large' ? 413 : 400, [
        { field: 'file', message: err.reason },
      ])
    throw err
  }
  const { changes, errors } = parsed
  const verifiedBySite = changes.filter(
    (c) => c.status === 'verified' && items.find((x) => x.id === c.id)?.status !== 'verified',
  )
  for (const c of verifiedBySite)
    errors.push({
      sheet: 'Action plan',
      cell: `id ${c.id}`,
      reason: 'Only a reviewer marks an action verified; use "Done".',
    })
  if (errors.length > 0) return { applied: 0, errors }
  await inTransaction(db, async (trx) => {
    for (const c of changes) {
      const item = items.find((x) => x.id === c.id)
      if (!item) continue
      const next = {
        owner: c.owner === undefined ? item.owner : c.owner,
        due_date: c.dueDate === undefined ? item.due_date : c.dueDate,
        status: c.status ?? item.status,
        notes: c.notes === undefined ? item.notes : c.notes,
      }
      await plan.updateActionIfVersion(trx, item.id, item.version, {
        ...next,
        updated_at: now.toISOString(),
        version: item.version + 1,
      })
      await audit.record(
        trx,
        p,
        [
          {
            organisationId: a.organisation_id,
            assessmentId: id,
            action: 'import',
            entity: 'action_item',
            entityId: item.id,
            oldValue: { owner: item.owner, due_date: item.due_date, status: item.status, notes: item.notes },
            newValue: next,
          },
        ],
        now,
      )
    }
  })
  return { applied: changes.length, errors: [] }
}
