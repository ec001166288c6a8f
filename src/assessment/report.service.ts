import type { Principal } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { versionById } from '../questionnaire/questionnaire.service.ts'
import { t } from '../questionnaire/text.ts'
import { buildGapReport, type GapReportInput } from '../reports/gap-report/build.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import { getRubricVersionById } from '../scoring/rubric.service.ts'
import * as snapshots from '../scoring/score-snapshot.repository.ts'
import { actionsFor } from './action-plan.service.ts'
import { storedAnswers } from './answers.service.ts'
import { getAssessment } from './assessment.service.ts'
import { AssessmentError } from './errors.ts'
import { evidenceRows } from './evidence.service.ts'
import { decisionsOf } from './review.service.ts'
import * as policy from './sharing.policy.ts'

/** The gap report: what it shows is gathered here, from what the caller may see, reading the assessment once. */
/** Gathers what the gap report shows, from what the caller may see. */
export async function gapReportInput(db: Conn, p: Principal, id: number, now = new Date()): Promise<GapReportInput> {
  const a = await getAssessment(db, p, id)
  const snap = await snapshots.latestSnapshot(db, id, policy.reviewerFor(a, p))
  if (!snap)
    throw new AssessmentError('This assessment has no score yet: a gap report is made once it is submitted.', 409)
  const qv = await versionById(db, snap.questionnaire_version_id)
  const rv = await getRubricVersionById(db, snap.rubric_version_id)
  const answers = await storedAnswers(db, id)
  const evidence = new Map<string, string[]>()
  for (const e of await evidenceRows(db, id))
    evidence.set(e.question_id, [...(evidence.get(e.question_id) ?? []), e.file_name])
  const verified = new Map(
    [...(await decisionsOf(db, p, a)).values()]
      .filter((d) => d.decision === 'verified' && d.method)
      .map((d) => [d.question_id, d.method as string]),
  )
  const actions = (await actionsFor(db, p, a)).map((x) => ({
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
  db: Conn,
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
