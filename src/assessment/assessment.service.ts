import type SQLite from 'better-sqlite3'
import type { Insertable, Kysely } from 'kysely'
import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireOrgKind, requireRole } from '../access/principal.ts'
import type { Database } from '../db/database.ts'
import { groupWrite, withRaw } from '../db/raw.ts'
import { textProblem } from '../plain-text.ts'
import { checkAnswers, type RawAnswer } from '../questionnaire/answers.ts'
import type { AnswerValue } from '../questionnaire/condition.ts'
import { applicability, type CompiledQuestionnaire } from '../questionnaire/model.ts'
import { compiledVersion, getQuestionnaireVersion } from '../questionnaire/questionnaire.service.ts'
import { score } from '../scoring/engine.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import { getRubricVersion } from '../scoring/rubric.service.ts'
import { storeSnapshot } from '../scoring/score.service.ts'
import * as answerStore from './answer.store.ts'
import { applySave, type StoredAnswer } from './answer-cache.ts'
import * as repo from './assessment.repository.ts'
import type { AnswerTable } from './assessment.table.ts'
import * as policy from './sharing.policy.ts'
import { syncActions } from './workflow.service.ts'

/**
 * Assessments and their answers. Reads are scoped by `repo.visibleTo`, writes by ownership; a caller
 * without access gets "not found", so the existence of other organisations' data is not revealed.
 */

export class AssessmentError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly issues: { field: string; message: string }[] = [],
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AssessmentError'
  }
}

const notFound = () => new AssessmentError('Assessment not found.', 404)
const iso = (d: Date) => d.toISOString()
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

export async function getAssessment(db: Kysely<Database>, p: Principal, id: number) {
  const a = await repo.findVisible(db, p, id)
  if (!a) throw notFound()
  return asSeenBy(a, p)
}

export async function listAssessments(db: Kysely<Database>, p: Principal) {
  return (await repo.listVisible(db, p)).map((a) => asSeenBy(a, p))
}

/** Answered and applicable questions per assessment, for an inbox's progress column. */
export async function progressOf(
  db: Kysely<Database>,
  items: { id: number; questionnaire_version_id: number }[],
): Promise<Map<number, { answered: number; applicable: number }>> {
  const out = new Map<number, { answered: number; applicable: number }>()
  if (items.length === 0) return out
  const ids = items.slice(0, 500).map((a) => a.id)
  const rows = await db
    .selectFrom('answer')
    .select(['assessment_id', 'question_id', 'value'])
    .where('assessment_id', 'in', ids)
    .where('value', 'is not', null)
    .execute()
  const byAssessment = new Map<number, Map<string, AnswerValue>>()
  for (const r of rows) {
    let m = byAssessment.get(r.assessment_id)
    if (!m) {
      m = new Map()
      byAssessment.set(r.assessment_id, m)
    }
    m.set(r.question_id, JSON.parse(r.value as string) as AnswerValue)
  }
  for (const a of items.slice(0, 500)) {
    const cq = compiledVersion(await versionById(db, a.questionnaire_version_id))
    const values = byAssessment.get(a.id) ?? new Map()
    const app = applicability(cq, values)
    let applicable = 0
    let answered = 0
    cq.entries.forEach((e, i) => {
      if (!app.byIndex[i]) return
      applicable++
      if (values.has(e.question.id)) answered++
    })
    out.set(a.id, { answered, applicable })
  }
  return out
}

async function pinnedVersion(db: Kysely<Database>, questionnaireId: string, kind: string) {
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
  db: Kysely<Database>,
  p: Principal,
  input: { organisationId: number; questionnaire: string; dueDate: string | null; title?: string },
  now = new Date(),
): Promise<number> {
  requireOrgKind(p, 'brand')
  requireRole(p, 'admin', 'analyst')
  const link = await db
    .selectFrom('brand_supplier as bs')
    .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
    .select(['o.id', 'o.kind', 'o.name'])
    .where('bs.brand_id', '=', p.organisationId)
    .where('bs.supplier_id', '=', input.organisationId)
    .executeTakeFirst()
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
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('assessment')
      .values({
        organisation_id: link.id,
        questionnaire_version_id: qv.versionId,
        // The title names no brand: the assessment may later be shared with others (docs/sharing.md).
        title: input.title?.trim() || (typeof qv.def.title === 'string' ? qv.def.title : (qv.def.title.en ?? qv.id)),
        status: 'draft',
        requested_by: p.organisationId,
        due_date: input.dueDate,
        created_by: p.userId,
        created_at: iso(now),
        submitted_at: null,
        reviewed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('assessment_access')
      .values({
        assessment_id: row.id,
        organisation_id: p.organisationId,
        kind: 'requested',
        granted_at: iso(now),
        revoked_at: null,
      })
      .execute()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: link.id,
          assessmentId: row.id,
          action: 'request',
          entity: 'assessment',
          entityId: row.id,
          newValue: {
            questionnaire: qv.id,
            revision: qv.revision,
            dueDate: input.dueDate,
            requestedBy: p.organisationName,
          },
        },
        {
          organisationId: p.organisationId,
          assessmentId: row.id,
          action: 'request',
          entity: 'assessment',
          entityId: row.id,
          newValue: { supplier: link.name },
        },
      ],
      now,
    )
    return row.id
  })
}

/** A supplier or recruiter starts its own assessment, with no brand involved. */
export async function startSelfCheck(
  db: Kysely<Database>,
  p: Principal,
  input: { questionnaire: string; title?: string },
  now = new Date(),
): Promise<number> {
  requireOrgKind(p, 'supplier', 'recruiter')
  requireRole(p, 'admin', 'respondent')
  const qv = await pinnedVersion(db, input.questionnaire, p.organisationKind)
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('assessment')
      .values({
        organisation_id: p.organisationId,
        questionnaire_version_id: qv.versionId,
        title: input.title?.trim() || `Self-check ${iso(now).slice(0, 10)}`,
        status: 'draft',
        requested_by: null,
        due_date: null,
        created_by: p.userId,
        created_at: iso(now),
        submitted_at: null,
        reviewed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: p.organisationId,
          assessmentId: row.id,
          action: 'create',
          entity: 'assessment',
          entityId: row.id,
          newValue: { questionnaire: qv.id, revision: qv.revision },
        },
      ],
      now,
    )
    return row.id
  })
}

export async function getAnswers(db: Kysely<Database>, p: Principal, id: number): Promise<Map<string, StoredAnswer>> {
  await getAssessment(db, p, id)
  return storedAnswers(db, id)
}

/** The answer values scoring and conditions read: only answers that hold a value. */
function valuesOf(answers: Map<string, StoredAnswer>): Map<string, AnswerValue> {
  return new Map([...answers].filter(([, v]) => v.value !== null).map(([k, v]) => [k, v.value]))
}

/** The saved answers, for callers that have just checked access to the assessment. */
export async function storedAnswers(db: Kysely<Database>, id: number): Promise<Map<string, StoredAnswer>> {
  return storedFromJson((await repo.answersJsonQuery(db, id).executeTakeFirstOrThrow()).answers)
}

/** Answers as readers see them, from `repo.answersJsonQuery` (a row cleared of value and comment is no answer). */
export function storedFromJson(json: string): Map<string, StoredAnswer> {
  const rows = JSON.parse(json) as [string, AnswerValue | null, string | null, number, string][]
  const out = new Map<string, StoredAnswer>()
  for (const [question, value, comment, version, updatedAt] of rows)
    out.set(question, { value: value as AnswerValue, comment, version, updatedAt })
  return out
}

export type { StoredAnswer }

export type SaveInput = {
  answers: Record<string, RawAnswer>
  comments?: Record<string, string | null>
  /** The version of each answer the client started from (0 for an answer it saw empty). */
  versions?: Record<string, number>
}

export type Conflict = { question: string; yours: RawAnswer; theirs: AnswerValue | null; theirVersion: number }

/**
 * Saves answers all or nothing. A save based on a stale copy of an answer is refused with both values,
 * never silently overwritten; unchanged answers are not rewritten, so repeated saves are idempotent.
 */
export async function saveAnswers(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  input: SaveInput,
  now = new Date(),
): Promise<{ saved: number; revision: number; versions: Record<string, number> }> {
  requireRole(p, 'admin', 'respondent')
  // The questionnaire version is needed to check the answers; stored versions never change, so after the first
  // save it comes from memory and the rest of the save is synchronous, inside the transaction.
  const versionId = await questionnaireVersionIdOf(db, id)
  const cq = versionId === undefined ? undefined : compiledVersion(await versionById(db, versionId))
  const touched = [...new Set([...Object.keys(input.answers), ...Object.keys(input.comments ?? {})])]

  // From the ownership check to the last write in one transaction (committed with concurrent saves, see
  // groupWrite): a submission or review decision cannot land between checking the state and writing.
  const outcome = await groupWrite(db, {
    check: (sqlite) => planSave(sqlite, p, id, input, touched, cq, now),
    write: (sqlite, plan) => {
      if (!plan) return null
      for (const row of plan.rows) answerStore.upsert(sqlite, row)
      if (plan.entries.length > 0) {
        answerStore.setRevision(sqlite, id, plan.result.revision)
        audit.recordRaw(sqlite, p, plan.entries, now)
        if (plan.returned)
          answerStore.resolveReturns(
            sqlite,
            id,
            plan.rows.map((r) => r.question_id),
            iso(now),
          )
      }
      return plan
    },
  })
  if (outcome) {
    if (outcome.changed.size > 0) applySave(db, id, outcome.base, outcome.result.revision, outcome.changed)
    return outcome.result
  }
  throw (await repo.findVisible(db, p, id))
    ? new Forbidden('Only the organisation that answers this assessment can change its answers.')
    : notFound()
}

/**
 * Everything a save decides, reading only: refusals (locked, invalid, stale, not returned) are thrown here,
 * before anything is written. Null when the principal's organisation does not own the assessment.
 */
function planSave(
  sqlite: SQLite.Database,
  p: Principal,
  id: number,
  input: SaveInput,
  touched: string[],
  cq: CompiledQuestionnaire | undefined,
  now: Date,
) {
  const a = answerStore.owned(sqlite, id, p.organisationId)
  if (!a || !cq) return null
  refuseLocked(a.status)
  const checked = checkAnswers(cq, input.answers)
  const commentProblems = Object.entries(input.comments ?? {}).flatMap(([qid, c]) =>
    !cq.byId.has(qid)
      ? [{ field: `comments.${qid}`, message: `no question "${qid}"` }]
      : c !== null && c.length > 5000
        ? [{ field: `comments.${qid}`, message: 'is longer than 5,000 characters' }]
        : c !== null && textProblem(c)
          ? [{ field: `comments.${qid}`, message: textProblem(c) as string }]
          : [],
  )
  const problems = [...checked.problems, ...commentProblems]
  if (problems.length > 0)
    throw new AssessmentError(
      `${problems.length} problem${problems.length > 1 ? 's' : ''} with the answers: ${problems.map((x) => `${x.field}: ${x.message}`).join('; ')}`,
      400,
      problems,
    )
  if (a.status === 'returned') {
    // A returned assessment reopens only the answers the reviewer sent back.
    const open = new Set(
      answerStore
        .openReturns(sqlite, id)
        .filter((d) => policy.decisionReopens(a, d))
        .map((d) => d.question_id),
    )
    const locked = touched.filter((q) => !open.has(q))
    if (locked.length > 0)
      throw new AssessmentError(
        'Only the answers the reviewer returned can be changed.',
        409,
        locked.map((q) => ({ field: `answers.${q}`, message: 'locked: not returned by the reviewer' })),
      )
  }
  // Only the answers being saved are read: an assessment has over a hundred.
  const existing = new Map(answerStore.answersFor(sqlite, id, touched).map((r) => [r.question_id, r]))
  const conflicts: Conflict[] = []
  for (const qid of touched) {
    const base = input.versions?.[qid]
    const cur = existing.get(qid)
    // A cleared answer keeps its row, but readers (getAnswers) see no answer, so version 0: a client that
    // saw it empty is not stale.
    const empty = !cur || (cur.value === null && cur.comment === null)
    if (base !== undefined && base !== (cur?.version ?? 0) && !(empty && base === 0)) {
      conflicts.push({
        question: qid,
        yours: input.answers[qid] ?? null,
        theirs: cur?.value ? (JSON.parse(cur.value) as AnswerValue) : null,
        theirVersion: cur?.version ?? 0,
      })
    }
  }
  if (conflicts.length > 0) {
    throw new AssessmentError(
      `Someone else changed ${conflicts.length === 1 ? 'this answer' : `${conflicts.length} of these answers`} since you opened it. Nothing was saved; compare the values and save again.`,
      409,
      conflicts.map((c) => ({
        field: `answers.${c.question}`,
        message: `saved by someone else: ${JSON.stringify(c.theirs)}; yours: ${JSON.stringify(c.yours)}`,
      })),
      conflicts,
    )
  }
  const entries: audit.AuditEntry[] = []
  const rows: Required<Insertable<AnswerTable>>[] = []
  const versions: Record<string, number> = {}
  const changed = new Map<string, StoredAnswer | null>()
  for (const qid of touched) {
    const cur = existing.get(qid)
    const newValue =
      qid in input.answers
        ? checked.values.has(qid)
          ? JSON.stringify(checked.values.get(qid))
          : null
        : (cur?.value ?? null)
    const newComment =
      input.comments && qid in input.comments ? input.comments[qid]?.trim() || null : (cur?.comment ?? null)
    if (cur && cur.value === newValue && cur.comment === newComment) {
      versions[qid] = cur.version
      continue
    }
    const version = (cur?.version ?? 0) + 1
    rows.push({
      assessment_id: id,
      question_id: qid,
      value: newValue,
      comment: newComment,
      updated_by: p.userId,
      updated_at: iso(now),
      version,
    })
    versions[qid] = version
    // As a reader would read it back (storedFromJson): a row cleared of value and comment is no answer.
    const value = newValue === null ? null : (JSON.parse(newValue) as AnswerValue)
    changed.set(
      qid,
      newValue === null && newComment === null
        ? null
        : { value: value as AnswerValue, comment: newComment, version, updatedAt: iso(now) },
    )
    entries.push({
      organisationId: a.organisation_id,
      assessmentId: id,
      action: 'answer',
      entity: 'answer',
      entityId: qid,
      oldValue: cur ? { value: cur.value ? JSON.parse(cur.value) : null, comment: cur.comment } : null,
      newValue: { value, comment: newComment },
    })
  }
  const revision = entries.length > 0 ? a.revision + 1 : a.revision
  return {
    result: { saved: entries.length, revision, versions },
    base: a.revision,
    changed,
    rows,
    entries,
    returned: a.status === 'returned',
  }
}

/**
 * An assessment's questionnaire version never changes: remembered per database after the first read. This
 * reveals nothing by itself; access is checked where the assessment is read.
 */
const versionIds = new WeakMap<object, Map<number, number>>()
async function questionnaireVersionIdOf(db: Kysely<Database>, assessmentId: number): Promise<number | undefined> {
  let perDb = versionIds.get(db)
  if (!perDb) {
    perDb = new Map()
    versionIds.set(db, perDb)
  }
  const hit = perDb.get(assessmentId)
  if (hit !== undefined) return hit
  const found = await withRaw(db, (sqlite) => answerStore.versionOf(sqlite, assessmentId))
  if (found !== undefined) perDb.set(assessmentId, found)
  return found
}

function refuseLocked(status: string): void {
  if (status !== 'draft' && status !== 'returned')
    throw new AssessmentError(`This assessment is ${status}: its answers are locked.`, 409)
}

export async function versionById(db: Kysely<Database>, versionId: number) {
  // Stored versions never change: one read per database and version id for the life of the process.
  let perDb = versionsByDb.get(db)
  if (!perDb) {
    perDb = new Map()
    versionsByDb.set(db, perDb)
  }
  const hit = perDb.get(versionId)
  if (hit) return hit
  const row = await db
    .selectFrom('questionnaire_version')
    .select(['questionnaire_id', 'revision', 'content_hash'])
    .where('id', '=', versionId)
    .executeTakeFirstOrThrow()
  const v = await getQuestionnaireVersion(db, row.questionnaire_id, String(row.revision))
  perDb.set(versionId, v)
  return v
}
const versionsByDb = new WeakMap<object, Map<number, Awaited<ReturnType<typeof getQuestionnaireVersion>>>>()

/** Unanswered required questions that apply, in questionnaire order. */
export async function missingRequired(db: Kysely<Database>, p: Principal, id: number) {
  const a = await getAssessment(db, p, id)
  const qv = await versionById(db, a.questionnaire_version_id)
  const cq = compiledVersion(qv)
  const values = valuesOf(await storedAnswers(db, id))
  const app = applicability(cq, values)
  return cq.entries
    .filter((e) => e.question.required && app.questions.get(e.question.id) && !values.has(e.question.id))
    .map((e) => ({ question: e.question.id, section: e.section.id }))
}

/**
 * Evidence, and the verification marks and open suspected flags of one reviewing brand: what raises or holds
 * its score. With no reviewer (the respondent's self-assessed score), evidence only.
 */
async function scoringInputs(db: Kysely<Database>, id: number, reviewer: number | null) {
  const evidence = new Set(
    (
      await db
        .selectFrom('evidence')
        .select('question_id')
        .where('assessment_id', '=', id)
        .where('deleted_at', 'is', null)
        .execute()
    ).map((r) => r.question_id),
  )
  if (reviewer === null) return { evidence, verified: new Map<string, string>(), suspected: [] }
  const decisions = await db
    .selectFrom('review_decision')
    .select(['question_id', 'decision', 'method'])
    .where('assessment_id', '=', id)
    .where('organisation_id', '=', reviewer)
    .orderBy('id')
    .execute()
  const latest = new Map<string, (typeof decisions)[number]>()
  for (const d of decisions) latest.set(d.question_id, d)
  const verified = new Map(
    [...latest.values()]
      .filter((d) => d.decision === 'verified' && d.method)
      .map((d) => [d.question_id, d.method as string]),
  )
  const flags = await db
    .selectFrom('suspected_flag')
    .select(['question_id', 'indicator', 'reason'])
    .where('assessment_id', '=', id)
    .where('organisation_id', '=', reviewer)
    .where('closed_at', 'is', null)
    .execute()
  const suspected = flags.map((f) => ({ question: f.question_id, indicator: f.indicator as never, reason: f.reason }))
  return { evidence, verified, suspected }
}

/**
 * Scores an assessment's stored answers with the current default rubric (or the one named), as the caller
 * sees it: a brand with its own review, the respondent self-assessed (sharing.policy). The same pure engine
 * either way; only the verifications and flags it is given differ.
 */
export async function scoreAssessment(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  rubricSpec?: string,
): Promise<{
  result: ScoreResult
  questionnaireVersionId: number
  rubricVersionId: number
  reviewer: number | null
}> {
  const a = await getAssessment(db, p, id)
  const reviewer = policy.reviewerFor(a, p)
  const qv = await versionById(db, a.questionnaire_version_id)
  const rv = await getRubricVersion(db, rubricSpec)
  const values = valuesOf(await storedAnswers(db, id))
  const inputs = await scoringInputs(db, id, reviewer)
  const result = score({
    questionnaire: compiledVersion(qv),
    questionnaireHash: qv.contentHash,
    rubric: rv.rubric,
    rubricHash: rv.hash,
    answers: values,
    ...inputs,
  })
  return { result, questionnaireVersionId: qv.versionId, rubricVersionId: rv.versionId, reviewer }
}

/**
 * Submitting locks the answers and stores the score snapshot in one transaction: a crash leaves either
 * the draft or the complete submission, never a locked assessment without its score.
 */
export async function submitAssessment(db: Kysely<Database>, p: Principal, id: number, now = new Date()) {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a)
    throw (await repo.findVisible(db, p, id))
      ? new Forbidden('Only the organisation that answers this assessment can submit it.')
      : notFound()
  if (a.status !== 'draft' && a.status !== 'returned')
    throw new AssessmentError(`This assessment is already ${a.status}.`, 409)
  const missing = await missingRequired(db, p, id)
  if (missing.length > 0) {
    throw new AssessmentError(
      `${missing.length} required question${missing.length > 1 ? 's are' : ' is'} not answered yet. "Don't know" is an allowed answer.`,
      400,
      missing.map((m) => ({ field: `answers.${m.question}`, message: 'required' })),
    )
  }
  const scored = await scoreAssessment(db, p, id)
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('assessment')
      .set({ status: 'submitted', submitted_at: iso(now), revision: a.revision + 1 })
      .where('id', '=', id)
      .where('revision', '=', a.revision)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) !== 1)
      throw new AssessmentError('The answers changed while submitting. Review them and submit again.', 409)
    const snap = await storeSnapshot(
      trx as unknown as Kysely<Database>,
      id,
      scored.questionnaireVersionId,
      scored.rubricVersionId,
      a.status === 'returned' ? 'resubmitted' : 'submitted',
      scored.result,
      now,
      scored.reviewer,
    )
    await syncActions(trx as unknown as Kysely<Database>, id, scored.result, now, p)
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: a.organisation_id,
          assessmentId: id,
          action: 'submit',
          entity: 'assessment',
          entityId: id,
          oldValue: a.status,
          newValue: { status: 'submitted', rating: scored.result.rating, snapshot: snap.id },
        },
      ],
      now,
    )
    return { status: 'submitted' as const, rating: scored.result.rating, snapshotId: snap.id }
  })
}

/** The supplier shares a submitted assessment with another brand; the brand then sees it until revoked. */
export async function shareAssessment(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  brandId: number,
  now = new Date(),
) {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a) throw notFound()
  if (!policy.shareable(a.status))
    throw new AssessmentError(
      a.status === 'declined' ? 'A declined request is not shared.' : 'Submit the assessment before sharing it.',
      409,
    )
  const brand = await db
    .selectFrom('organisation')
    .select(['id', 'kind', 'name'])
    .where('id', '=', brandId)
    .executeTakeFirst()
  if (brand?.kind !== 'brand')
    throw new AssessmentError('Choose a brand to share with.', 400, [{ field: 'brandId', message: 'not a brand' }])
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('assessment_access')
      .values({ assessment_id: id, organisation_id: brandId, kind: 'shared', granted_at: iso(now), revoked_at: null })
      .onConflict((oc) =>
        oc.columns(['assessment_id', 'organisation_id']).doUpdateSet({ revoked_at: null, granted_at: iso(now) }),
      )
      .execute()
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
export async function revokeShare(db: Kysely<Database>, p: Principal, id: number, brandId: number, now = new Date()) {
  requireRole(p, 'admin', 'respondent')
  const a = await repo.findOwned(db, p, id)
  if (!a) throw notFound()
  const grant = await db
    .selectFrom('assessment_access')
    .select(['kind', 'revoked_at'])
    .where('assessment_id', '=', id)
    .where('organisation_id', '=', brandId)
    .executeTakeFirst()
  if (!grant || grant.revoked_at !== null)
    throw new AssessmentError('This assessment is not shared with that organisation.', 404)
  if (!policy.grantRevocable(grant.kind))
    throw new AssessmentError(
      'The brand that requested this assessment keeps it: a request cannot be revoked. Decline a request you will not answer, with your reason.',
      409,
      [{ field: 'orgId', message: 'the requesting brand' }],
    )
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('assessment_access')
      .set({ revoked_at: iso(now) })
      .where('assessment_id', '=', id)
      .where('organisation_id', '=', brandId)
      .where('kind', '=', 'shared')
      .where('revoked_at', 'is', null)
      .execute()
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
export async function declineRequest(db: Kysely<Database>, p: Principal, id: number, reason: string, now = new Date()) {
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
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('assessment')
      .set({ status: 'declined', declined_at: iso(now), decline_reason: why, revision: a.revision + 1 })
      .where('id', '=', id)
      .where('revision', '=', a.revision)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) !== 1)
      throw new AssessmentError('The assessment changed meanwhile. Reload it and decline again.', 409)
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
          newValue: { status: 'declined', reason: why },
        },
      ],
      now,
    )
  })
}

/** Who can see the assessment, as far as the caller may know: a brand sees only its own grant. */
export async function sharesOf(db: Kysely<Database>, p: Principal, id: number) {
  const a = await getAssessment(db, p, id)
  return (await repo.accessRows(db, id)).filter((g) => policy.grantVisible(a, p, g))
}

/**
 * The audit trail of one assessment: for the owner's admins, and for a brand that can see it (its own
 * entries and the respondent's, see sharing.policy). Read wide and filtered, then cut to the newest 500.
 */
export async function assessmentAudit(db: Kysely<Database>, p: Principal, id: number) {
  const a = await getAssessment(db, p, id)
  if (a.organisation_id === p.organisationId && p.role !== 'admin')
    throw new Forbidden('The audit log is for administrators.')
  return (await audit.listForAssessment(db, id, 5000))
    .filter((e) => policy.auditEntryVisible(a, p, e))
    .slice(0, 500)
    .map(({ actor_organisation_id: _, ...e }) => e)
}
