import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireOrgKind, requireRole } from '../access/principal.ts'
import type { Database } from '../db/database.ts'
import { withRaw } from '../db/raw.ts'
import { t } from '../questionnaire/text.ts'
import { INDICATOR_KEYS } from '../questionnaire/vocabulary.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import { storeSnapshot } from '../scoring/score.service.ts'
import { cachedAnswers, rememberAnswers } from './answer-cache.ts'
import * as repo from './assessment.repository.ts'
import {
  AssessmentError,
  asSeenBy,
  getAssessment,
  scoreAssessment,
  storedFromJson,
  versionById,
} from './assessment.service.ts'
import type { ActionStatus, ReviewDecision } from './assessment.table.ts'
import { cleanFileName, EVIDENCE_TYPES, MAX_EVIDENCE_BYTES, sniffEvidenceType } from './evidence.ts'
import { storeEvidenceFile } from './evidence-store.ts'
import * as policy from './sharing.policy.ts'

/**
 * Evidence, review decisions, suspected red flags and the corrective action plan: the part of the
 * workflow after the first answers. Reviewers are brands that can see the assessment.
 */

const iso = (d: Date) => d.toISOString()

// Evidence -------------------------------------------------------------------------------------------

export async function addEvidence(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  questionId: string,
  file: { name: string; data: Buffer },
  evidenceDir: string,
  now = new Date(),
) {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a)
    throw (await repo.findVisible(db, p, id))
      ? new Forbidden('Only the organisation that answers this assessment can add evidence.')
      : new AssessmentError('Assessment not found.', 404)
  if (a.status !== 'draft' && a.status !== 'returned')
    throw new AssessmentError(`This assessment is ${a.status}: evidence can no longer be added.`, 409)
  const cq = (await versionById(db, a.questionnaire_version_id)).def
  if (!cq.sections.some((s) => s.questions.some((q) => q.id === questionId)))
    throw new AssessmentError(`No question "${questionId}".`, 400, [{ field: 'question', message: 'unknown question' }])
  if (file.data.length === 0)
    throw new AssessmentError('The file is empty.', 400, [{ field: 'file', message: 'empty file' }])
  if (file.data.length > MAX_EVIDENCE_BYTES)
    throw new AssessmentError(`The file is larger than ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB.`, 413, [
      { field: 'file', message: 'too large' },
    ])
  const type = sniffEvidenceType(file.data)
  if (!type) {
    throw new AssessmentError(
      `This file type is not accepted. Upload a ${Object.values(EVIDENCE_TYPES).join(', ')}.`,
      415,
      [{ field: 'file', message: 'type not accepted' }],
    )
  }
  const sha256 = createHash('sha256').update(file.data).digest('hex')
  // Stored outside the web root under its content hash, durably before the row below is committed; the name
  // is kept only in the database.
  await storeEvidenceFile(evidenceDir, id, sha256, file.data)
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('evidence')
      .values({
        assessment_id: id,
        question_id: questionId,
        file_name: cleanFileName(file.name),
        media_type: type,
        size: file.data.length,
        sha256,
        uploaded_by: p.userId,
        uploaded_at: iso(now),
        deleted_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx
      .updateTable('assessment')
      .set({ revision: a.revision + 1 })
      .where('id', '=', id)
      .execute()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'add_evidence',
          entity: 'evidence',
          entityId: row.id,
          newValue: { question: questionId, file: cleanFileName(file.name), sha256 },
        },
      ],
      now,
    )
    return row.id
  })
}

export async function listEvidence(db: Kysely<Database>, p: Principal, id: number) {
  await getAssessment(db, p, id)
  return evidenceRows(db, id)
}

/**
 * What the answer pages show: the assessment (if the principal may see it), its answers, the current review
 * decisions and the evidence files. One statement when the answers of the current revision are in memory;
 * otherwise the assessment and its answers are read in one snapshot, so the answers remembered belong to
 * the revision they are remembered under.
 */
export async function answerPageData(db: Kysely<Database>, p: Principal, id: number) {
  const params = { id, organisationId: p.organisationId }
  const data = await withRaw(db, (sqlite) => {
    const head = repo.compiled.pageHead.get(sqlite, params)
    if (!head) return undefined
    const stored = cachedAnswers(db, id, head.revision)
    if (stored) return { head, stored }
    return sqlite
      .transaction(() => {
        const again = repo.compiled.pageHead.get(sqlite, params)
        if (!again) return undefined
        const json = repo.compiled.answers.get(sqlite, { id })?.answers ?? '[]'
        return { head: again, stored: rememberAnswers(db, id, again.revision, storedFromJson(json)) }
      })
      .deferred()
  })
  if (!data) throw new AssessmentError('Assessment not found.', 404)
  const byId = (x: { id: number }, y: { id: number }) => x.id - y.id
  const a = asSeenBy(data.head, p)
  const decisions = (JSON.parse(a.decisions_json ?? '[]') as repo.PageDecision[])
    .filter((d) => policy.decisionVisible(a, p, d))
    .sort(byId)
  return {
    a,
    stored: data.stored,
    decisions: currentDecisions(decisions),
    evidence: (JSON.parse(a.evidence_json ?? '[]') as repo.PageEvidence[]).sort(byId),
  }
}

/** For callers that have just checked access to the assessment. */
export function evidenceRows(db: Kysely<Database>, id: number) {
  return repo.evidenceQuery(db, id).execute()
}

export async function evidenceFile(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  evidenceId: number,
  evidenceDir: string,
) {
  await getAssessment(db, p, id)
  const row = await db
    .selectFrom('evidence')
    .selectAll()
    .where('id', '=', evidenceId)
    .where('assessment_id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (!row) throw new AssessmentError('Evidence file not found.', 404)
  return { path: join(evidenceDir, String(id), row.sha256), name: row.file_name, type: row.media_type }
}

// Review ---------------------------------------------------------------------------------------------

async function reviewable(db: Kysely<Database>, p: Principal, id: number) {
  requireOrgKind(p, 'brand')
  requireRole(p, 'admin', 'analyst')
  const a = await getAssessment(db, p, id)
  if (!policy.mayReview(a, p)) throw new Forbidden('An organisation does not review its own answers.')
  if (!policy.reviewOpen(a.status))
    throw new AssessmentError(`Only submitted assessments are reviewed; this one is ${a.status}.`, 409)
  return a
}

export const VERIFICATION_METHODS = {
  document: 'document check',
  worker_interview: 'worker interview',
  site_visit: 'site visit',
} as const

export async function decide(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  input: { question: string; decision: ReviewDecision; method?: string | null; comment?: string | null },
  now = new Date(),
) {
  const a = await reviewable(db, p, id)
  const def = (await versionById(db, a.questionnaire_version_id)).def
  if (!def.sections.some((s) => s.questions.some((q) => q.id === input.question)))
    throw new AssessmentError(`No question "${input.question}".`, 400, [
      { field: 'question', message: 'unknown question' },
    ])
  if (input.decision === 'verified' && !(input.method && input.method in VERIFICATION_METHODS)) {
    throw new AssessmentError('Say how the answer was verified: document, worker interview or site visit.', 400, [
      { field: 'method', message: 'required to verify' },
    ])
  }
  if (input.decision === 'returned' && !input.comment?.trim()) {
    throw new AssessmentError(
      'Say what the respondent should look at again: a comment is required to return an answer.',
      400,
      [{ field: 'comment', message: 'required to return' }],
    )
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('review_decision')
      .values({
        assessment_id: id,
        question_id: input.question,
        organisation_id: p.organisationId,
        reviewer_user_id: p.userId,
        decision: input.decision,
        method: input.decision === 'verified' ? (input.method ?? null) : null,
        comment: input.comment?.trim() || null,
        created_at: iso(now),
        resolved_at: null,
      })
      .execute()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: `review_${input.decision}`,
          entity: 'answer',
          entityId: input.question,
          newValue: { method: input.method ?? null, comment: input.comment ?? null },
        },
      ],
      now,
    )
  })
}

type Seen = policy.AssessmentFacts

/**
 * The review decisions the caller may see (sharing.policy.decisionVisible), the current one per question
 * and brand: a brand reads its own; the respondent what each brand returned.
 */
export async function visibleDecisions(db: Kysely<Database>, p: Principal, a: Seen & { id: number }) {
  const rows = await repo.decisionsQuery(db, a.id).execute()
  return currentDecisions(rows.filter((d) => policy.decisionVisible(a, p, d)))
}

/** The caller's own current decision per question (a brand's review). */
export async function decisionsOf(db: Kysely<Database>, p: Principal, a: Seen & { id: number }) {
  const own = (await visibleDecisions(db, p, a)).filter((d) => d.organisation_id === p.organisationId)
  return latestDecisions(own)
}

/**
 * Answers returned by the requesting brand and not answered since: the only ones that reopen for the
 * respondent (sharing.policy.decisionReopens). Anyone who can see the assessment may know which are open.
 */
export async function reopenedQuestions(db: Kysely<Database>, a: Seen & { id: number }): Promise<string[]> {
  const rows = currentDecisions(await repo.decisionsQuery(db, a.id).execute())
  return rows.filter((d) => policy.decisionReopens(a, d) && !d.resolved_at).map((d) => d.question_id)
}

/** The current decision per question: the last one made (rows of one brand). */
export function latestDecisions<R extends { question_id: string }>(rows: R[]): Map<string, R> {
  const latest = new Map<string, R>()
  for (const r of rows) latest.set(r.question_id, r)
  return latest
}

/** The current decision per question and brand, in the order they were made. */
export function currentDecisions<R extends { question_id: string; organisation_id: number }>(rows: R[]): R[] {
  const latest = new Map<string, R>()
  for (const r of rows) latest.set(`${r.organisation_id}\u0000${r.question_id}`, r)
  return [...latest.values()]
}

export async function raiseSuspectedFlag(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  input: { question?: string | null; indicator?: string | null; reason: string },
  now = new Date(),
) {
  const a = await reviewable(db, p, id)
  if (!input.reason.trim())
    throw new AssessmentError('Give the reason for the suspicion.', 400, [{ field: 'reason', message: 'required' }])
  if (input.indicator && !(INDICATOR_KEYS as readonly string[]).includes(input.indicator))
    throw new AssessmentError('Unknown indicator.', 400, [{ field: 'indicator', message: 'unknown' }])
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('suspected_flag')
      .values({
        assessment_id: id,
        organisation_id: p.organisationId,
        question_id: input.question || null,
        indicator: input.indicator || null,
        reason: input.reason.trim(),
        raised_by: p.userId,
        created_at: iso(now),
        closed_at: null,
      })
      .execute()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'raise_suspected_flag',
          entity: 'assessment',
          entityId: id,
          newValue: input,
        },
      ],
      now,
    )
  })
  return rescore(db, p, id, 'suspected red flag raised', now)
}

/** The suspected red flags the caller may see: a brand its own, the respondent none (sharing.policy). */
export async function suspectedFlags(db: Kysely<Database>, p: Principal, a: Seen & { id: number }) {
  const rows = await db
    .selectFrom('suspected_flag')
    .selectAll()
    .where('assessment_id', '=', a.id)
    .orderBy('id')
    .execute()
  return rows.filter((f) => policy.flagVisible(a, p, f))
}

/**
 * Ends a review: with returned answers the assessment goes back to the respondent for those questions
 * only; otherwise it is reviewed. Either way it is re-scored with the verification marks, and the new
 * snapshot joins the history.
 */
export async function finishReview(db: Kysely<Database>, p: Principal, id: number, now = new Date()) {
  const a = await reviewable(db, p, id)
  const decisions = await decisionsOf(db, p, a)
  const returned = [...decisions.values()].filter((d) => d.decision === 'returned' && !d.resolved_at)
  const scored = await scoreAssessment(db, p, id)
  if (!policy.reviewMovesStatus(a, p)) {
    // A brand the assessment is shared with finishes its own review: its score joins its own history; the
    // assessment, and the requesting brand's review, stay as they are. What it asked, the respondent reads.
    return db.transaction().execute(async (trx) => {
      const snap = await storeSnapshot(
        trx as unknown as Kysely<Database>,
        id,
        scored.questionnaireVersionId,
        scored.rubricVersionId,
        returned.length > 0 ? 'reviewed, questions asked' : 'reviewed',
        scored.result,
        now,
        scored.reviewer,
      )
      await audit.record(
        trx,
        p,
        [
          {
            organisationId: a.organisation_id,
            assessmentId: id,
            action: 'review_own',
            entity: 'assessment',
            entityId: id,
            newValue: { asked: returned.map((r) => r.question_id), rating: scored.result.rating },
          },
        ],
        now,
      )
      return { status: a.status, rating: scored.result.rating, snapshotId: snap.id }
    })
  }
  const status = returned.length > 0 ? 'returned' : 'reviewed'
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('assessment')
      .set({ status, reviewed_at: status === 'reviewed' ? iso(now) : a.reviewed_at, revision: a.revision + 1 })
      .where('id', '=', id)
      .execute()
    const snap = await storeSnapshot(
      trx as unknown as Kysely<Database>,
      id,
      scored.questionnaireVersionId,
      scored.rubricVersionId,
      status === 'reviewed' ? 'reviewed' : 'returned for changes',
      scored.result,
      now,
      scored.reviewer,
    )
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: status === 'reviewed' ? 'review' : 'return',
          entity: 'assessment',
          entityId: id,
          oldValue: a.status,
          newValue: { status, returned: returned.map((r) => r.question_id), rating: scored.result.rating },
        },
      ],
      now,
    )
    return { status, rating: scored.result.rating, snapshotId: snap.id }
  })
}

async function rescore(db: Kysely<Database>, p: Principal, id: number, reason: string, now: Date) {
  const scored = await scoreAssessment(db, p, id)
  const snap = await storeSnapshot(
    db,
    id,
    scored.questionnaireVersionId,
    scored.rubricVersionId,
    reason,
    scored.result,
    now,
    scored.reviewer,
  )
  return { rating: scored.result.rating, snapshotId: snap.id }
}

/** Questions a respondent may change now: all while a draft; only the returned ones when returned. */
/** Which answers the owner may change: all of a draft, the returned ones of a returned assessment, else none. */
export function editableByStatus(status: string, openReturns: Iterable<string>): Set<string> | 'all' | 'none' {
  if (status === 'draft') return 'all'
  if (status !== 'returned') return 'none'
  return new Set(openReturns)
}

// Action plan ----------------------------------------------------------------------------------------

/** Each gap of a scored result becomes an action; existing actions keep their owner, dates and status. */
export async function syncActions(
  db: Kysely<Database>,
  id: number,
  result: ScoreResult,
  now = new Date(),
  actor: Principal | null = null,
) {
  const rows = await db
    .selectFrom('action_item')
    .select(['id', 'question_id', 'status', 'notes', 'version'])
    .where('assessment_id', '=', id)
    .execute()
  const existing = new Set(rows.map((r) => r.question_id))
  // An open action whose gap is gone from a resubmission is marked done, for a reviewer to verify.
  const gapNow = new Set(result.gaps.map((g) => g.question))
  const owner = await db
    .selectFrom('assessment')
    .select('organisation_id')
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  for (const r of rows) {
    if (gapNow.has(r.question_id) || (r.status !== 'open' && r.status !== 'in_progress')) continue
    const notes = [r.notes, `Answer changed on ${now.toISOString().slice(0, 10)}: no longer a gap.`]
      .filter(Boolean)
      .join('\n')
    await db
      .updateTable('action_item')
      .set({ status: 'done', notes, updated_at: now.toISOString(), version: r.version + 1 })
      .where('id', '=', r.id)
      .execute()
    await audit.record(
      db,
      actor,
      [
        {
          organisationId: owner.organisation_id,
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
    await db
      .insertInto('action_item')
      .values(
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
      .execute()
  }
  return fresh.length
}

/** The action plan; its notes carry the requesting brand's follow-up, which another brand does not read. */
export async function listActions(db: Kysely<Database>, p: Principal, id: number) {
  const a = await getAssessment(db, p, id)
  const rows = await db
    .selectFrom('action_item')
    .selectAll()
    .where('assessment_id', '=', id)
    .orderBy('red_flag', 'desc')
    .orderBy('id')
    .execute()
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
  db: Kysely<Database>,
  p: Principal,
  id: number,
  actionId: number,
  u: ActionUpdate,
  now = new Date(),
) {
  const a = await getAssessment(db, p, id)
  const item = await db
    .selectFrom('action_item')
    .selectAll()
    .where('id', '=', actionId)
    .where('assessment_id', '=', id)
    .executeTakeFirst()
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
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('action_item')
      .set({
        ...next,
        updated_at: iso(now),
        version: item.version + 1,
        verified_by: next.status === 'verified' ? p.userId : item.verified_by,
      })
      .where('id', '=', actionId)
      .execute()
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

export function actionLabel(status: ActionStatus): string {
  return { open: 'Open', in_progress: 'In progress', done: 'Done', verified: 'Verified' }[status]
}

export { t }
