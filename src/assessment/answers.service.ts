import type { Insertable } from 'kysely'
import type * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal, requireRole } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { textProblem } from '../plain-text.ts'
import { checkAnswers, type RawAnswer } from '../questionnaire/answers.ts'
import type { AnswerValue } from '../questionnaire/condition.ts'
import { applicability, type CompiledQuestionnaire } from '../questionnaire/model.ts'
import { compiledVersion, versionById } from '../questionnaire/questionnaire.service.ts'
import * as answerStore from './answer.store.ts'
import { applySave, cachedAnswers, rememberAnswers, type StoredAnswer } from './answer-cache.ts'
import * as repo from './assessment.repository.ts'
import { asSeenBy, getAssessment } from './assessment.service.ts'
import type { AnswerTable } from './assessment.table.ts'
import { currentDecisions } from './decisions.ts'
import { AssessmentError, notFound } from './errors.ts'
import * as lifecycle from './lifecycle.ts'
import * as policy from './sharing.policy.ts'

/**
 * An assessment's answers: reading them (as the pages and scoring need them), saving them all or nothing
 * while the assessment is open for answers (lifecycle.ts), and what is still missing.
 */

const iso = (d: Date) => d.toISOString()

export async function getAnswers(db: Conn, p: Principal, id: number): Promise<Map<string, StoredAnswer>> {
  await getAssessment(db, p, id)
  return storedAnswers(db, id)
}

/** The answer values scoring and conditions read: only answers that hold a value. */
export function valuesOf(answers: ReadonlyMap<string, StoredAnswer>): Map<string, AnswerValue> {
  return new Map([...answers].filter(([, v]) => v.value !== null).map(([k, v]) => [k, v.value]))
}

/** The saved answers, for callers that have just checked access to the assessment. */
export async function storedAnswers(db: Conn, id: number): Promise<Map<string, StoredAnswer>> {
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
  db: Conn,
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
  const outcome = await answerStore.groupSave(
    db,
    { id, organisationId: p.organisationId, questionIds: touched },
    {
      check: (tx) => planSave(tx, p, id, input, touched, cq, now),
      write: (tx, plan) => {
        if (!plan) return null
        for (const row of plan.rows) tx.upsert(row)
        if (plan.entries.length > 0) {
          tx.setRevision(id, plan.result.revision)
          tx.audit(p, plan.entries, now)
          if (plan.returned)
            tx.resolveReturns(
              id,
              plan.rows.map((r) => r.question_id),
              iso(now),
            )
        }
        return plan
      },
    },
  )
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
  tx: answerStore.AnswerSaveTx,
  p: Principal,
  id: number,
  input: SaveInput,
  touched: string[],
  cq: CompiledQuestionnaire | undefined,
  now: Date,
) {
  const a = tx.owned(id, p.organisationId)
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
  if (lifecycle.reopensReturnedOnly(a.status)) {
    // A returned assessment reopens only the answers the reviewer sent back.
    const open = new Set(
      tx
        .openReturns(id)
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
  const existing = new Map(tx.answersFor(id, touched).map((r) => [r.question_id, r]))
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
    returned: lifecycle.reopensReturnedOnly(a.status),
  }
}

/**
 * An assessment's questionnaire version never changes: remembered per database after the first read. This
 * reveals nothing by itself; access is checked where the assessment is read.
 */
const versionIds = new WeakMap<object, Map<number, number>>()
async function questionnaireVersionIdOf(db: Conn, assessmentId: number): Promise<number | undefined> {
  let perDb = versionIds.get(db)
  if (!perDb) {
    perDb = new Map()
    versionIds.set(db, perDb)
  }
  const hit = perDb.get(assessmentId)
  if (hit !== undefined) return hit
  const found = await answerStore.questionnaireVersionOf(db, assessmentId)
  if (found !== undefined) perDb.set(assessmentId, found)
  return found
}

function refuseLocked(status: string): void {
  if (!lifecycle.openForAnswers(status))
    throw new AssessmentError(`This assessment is ${status}: its answers are locked.`, 409)
}

/** Unanswered required questions that apply, in questionnaire order. */
export async function missingRequired(db: Conn, p: Principal, id: number) {
  const a = await getAssessment(db, p, id)
  const cq = compiledVersion(await versionById(db, a.questionnaire_version_id))
  return missingIn(cq, await storedAnswers(db, id))
}

/** Unanswered required questions that apply, of answers already read. */
export function missingIn(cq: CompiledQuestionnaire, answers: ReadonlyMap<string, StoredAnswer>) {
  const values = valuesOf(answers)
  const app = applicability(cq, values)
  return cq.entries
    .filter((e) => e.question.required && app.questions.get(e.question.id) && !values.has(e.question.id))
    .map((e) => ({ question: e.question.id, section: e.section.id }))
}

/** Answered and applicable questions per assessment, for an inbox's progress column. */
export async function progressOf(
  db: Conn,
  items: { id: number; questionnaire_version_id: number }[],
): Promise<Map<number, { answered: number; applicable: number }>> {
  const out = new Map<number, { answered: number; applicable: number }>()
  if (items.length === 0) return out
  const ids = items.slice(0, 500).map((a) => a.id)
  const rows = await repo.answerValuesOf(db, ids)
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

/**
 * What the answer pages show: the assessment (if the principal may see it), its answers, the current review
 * decisions and the evidence files. One statement when the answers of the current revision are in memory;
 * otherwise the assessment and its answers are read in one snapshot, so the answers remembered belong to
 * the revision they are remembered under.
 */
export async function answerPageData(db: Conn, p: Principal, id: number) {
  const data = await repo.readPage(
    db,
    { id, organisationId: p.organisationId },
    (revision) => cachedAnswers(db, id, revision),
    (revision, json) => rememberAnswers(db, id, revision, storedFromJson(json)),
  )
  if (!data) throw notFound()
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

/**
 * Answers of assessments created in the same transaction (the generated demo, bulk.ts): none of them can be
 * in the answer cache yet, so there is nothing to write through; the revision is the caller's to set.
 */
export async function insertGeneratedAnswers(db: Conn, rows: Required<Insertable<AnswerTable>>[]): Promise<void> {
  await answerStore.insertFreshAnswers(db, rows)
}
