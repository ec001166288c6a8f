import type { Kysely } from 'kysely'
import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireRole } from '../access/principal.ts'
import type { Database } from '../db/database.ts'
import { t } from '../questionnaire/text.ts'
import type { ActionPlanResult } from '../reports/action-plan/parse.ts'
import { buildGapReport, type GapReportInput } from '../reports/gap-report/build.ts'
import { UploadRejected } from '../reports/upload/limits.ts'
import { parseInWorker } from '../reports/upload/pool.ts'
import type { SheetError } from '../reports/xlsx/sheet-error.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import { getRubricVersionById } from '../scoring/rubric.service.ts'
import { latestSnapshot } from '../scoring/score.service.ts'
import { AssessmentError, getAnswers, getAssessment, versionById } from './assessment.service.ts'
import * as policy from './sharing.policy.ts'
import { decisionsOf, listActions, listEvidence } from './workflow.service.ts'

/** Gathers what the gap report shows, from what the caller may see. */
export async function gapReportInput(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  now = new Date(),
): Promise<GapReportInput> {
  const a = await getAssessment(db, p, id)
  const snap = await latestSnapshot(db, id, policy.reviewerFor(a, p))
  if (!snap)
    throw new AssessmentError('This assessment has no score yet: a gap report is made once it is submitted.', 409)
  const qv = await versionById(db, snap.questionnaire_version_id)
  const rv = await getRubricVersionById(db, snap.rubric_version_id)
  const answers = await getAnswers(db, p, id)
  const evidence = new Map<string, string[]>()
  for (const e of await listEvidence(db, p, id))
    evidence.set(e.question_id, [...(evidence.get(e.question_id) ?? []), e.file_name])
  const verified = new Map(
    [...(await decisionsOf(db, p, a)).values()]
      .filter((d) => d.decision === 'verified' && d.method)
      .map((d) => [d.question_id, d.method as string]),
  )
  const actions = (await listActions(db, p, id)).map((x) => ({
    id: x.id,
    question: x.question_id,
    owner: x.owner,
    dueDate: x.due_date,
    status: x.status,
    notes: x.notes,
  }))
  return {
    organisation: {
      name: a.organisation_name,
      site: a.organisation_name,
      country: a.organisation_country,
      sector: a.organisation_sector,
    },
    assessment: {
      id: a.id,
      status: a.status,
      createdAt: a.created_at,
      submittedAt: a.submitted_at,
      reviewedAt: a.reviewed_at,
    },
    questionnaire: { id: qv.id, title: t(qv.def.title), version: qv.version, revision: qv.revision, def: qv.def },
    rubric: { id: rv.id, version: rv.version, revision: rv.revision, rubric: rv.rubric },
    result: JSON.parse(snap.result) as ScoreResult,
    answers: new Map(
      [...answers].filter(([, v]) => v.value !== null).map(([k, v]) => [k, { value: v.value, comment: v.comment }]),
    ),
    evidence,
    verified,
    actions,
    generatedAt: now,
  }
}

export async function gapReportBuffer(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  now = new Date(),
): Promise<{ data: Buffer; fileName: string }> {
  const input = await gapReportInput(db, p, id, now)
  const wb = buildGapReport(input)
  const data = Buffer.from(await wb.xlsx.writeBuffer())
  const safe =
    input.organisation.name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'assessment'
  return { data, fileName: `gap-report-${safe}-${id}-${now.toISOString().slice(0, 10)}.xlsx` }
}

/**
 * Applies an edited action plan uploaded from Excel: every row is checked first, and either all the
 * changes are applied in one transaction or none is, with the sheet, cell and reason of each problem.
 */
export async function importActionPlan(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  data: Buffer,
  now = new Date(),
): Promise<{ applied: number; errors: SheetError[] }> {
  const a = await getAssessment(db, p, id)
  if (a.organisation_id !== p.organisationId)
    throw new Forbidden('The organisation that answers the assessment updates its action plan.')
  requireRole(p, 'admin', 'respondent')
  const items = await listActions(db, p, id)
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
  await db.transaction().execute(async (trx) => {
    for (const c of changes) {
      const item = items.find((x) => x.id === c.id)
      if (!item) continue
      const next = {
        owner: c.owner === undefined ? item.owner : c.owner,
        due_date: c.dueDate === undefined ? item.due_date : c.dueDate,
        status: c.status ?? item.status,
        notes: c.notes === undefined ? item.notes : c.notes,
      }
      await trx
        .updateTable('action_item')
        .set({ ...next, updated_at: now.toISOString(), version: item.version + 1 })
        .where('id', '=', item.id)
        .where('version', '=', item.version)
        .execute()
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
