import { insertOrganisations, maxOrganisationId } from '../access/organisation.repository.ts'
import { insertActions } from '../assessment/action-plan.repository.ts'
import { insertGeneratedAnswers } from '../assessment/answers.service.ts'
import { insertAssessments, insertGrants, maxAssessmentId } from '../assessment/assessment.repository.ts'
import type { ActionStatus } from '../assessment/assessment.table.ts'
import type { AssessmentStatus } from '../assessment/lifecycle.ts'
import { afterExplicitIds } from '../db/bulk.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import type { RawAnswer } from '../questionnaire/answers.ts'
import type { AnswerValue } from '../questionnaire/condition.ts'
import { applicability, type CompiledQuestionnaire, type QuestionEntry } from '../questionnaire/model.ts'
import { compiledVersion, getQuestionnaireVersion } from '../questionnaire/questionnaire.service.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import { scoreRequest } from '../scoring/score.service.ts'
import { insertSnapshotsWithSummaries, maxSnapshotId } from '../scoring/score-snapshot.repository.ts'
import { summarise, summaryColumns } from '../scoring/score-summary.ts'
import { insertLinks } from '../supplier-links/supplier-link.repository.ts'
import { generateAssessment, rng } from './answers-generator.ts'

/**
 * A large generated portfolio for one brand (`fairhire demo seed --suppliers 50000`): suppliers with
 * requested assessments in every state, their answers, score snapshots with summaries (self-assessed and
 * the brand's review), and the action plans their gaps make. Written straight into the tables in batches,
 * one transaction per batch, with ids chosen here so that a batch needs no id read back: the services
 * would take hours for 50,000 suppliers (password hashing, a score and an audit trail per step).
 *
 * Scoring is the slow part (a few milliseconds an assessment), so a pool of answer sets is generated and
 * scored once, and each supplier takes one of them: its organisation's country and sector are those its
 * answers give, so the page and the stored score agree. Same seed, same data.
 *
 * The generated suppliers have no people (nobody signs in as them) and no audit trail. Only for a database
 * nobody else writes to while it runs: ids are chosen from the largest ones present at the start.
 */

/** Suppliers per transaction. */
const BATCH = 250
/** Distinct scored answer sets the suppliers share. */
const POOL = 400
const DAY = 86_400_000

const PLACES = [
  'Mekong',
  'Golden',
  'Eastern',
  'Coral',
  'Lotus',
  'Harbour',
  'Summit',
  'Jade',
  'Silver',
  'Delta',
  'Monsoon',
  'Orchid',
  'Pacific',
  'Saffron',
  'Northern',
  'Cedar',
  'Bright',
  'Emerald',
  'Unity',
  'Crescent',
]
const NOUNS = ['Star', 'River', 'Bay', 'Valley', 'Bridge', 'Crown', 'Field', 'Peak', 'Gate', 'Wave', 'Hill', 'Sun']
const TRADE: Record<string, string> = {
  garment_textile: 'Garments',
  electronics: 'Electronics',
  seafood_fishing: 'Seafood',
  agriculture: 'Farms',
  palm_oil: 'Palm Mills',
  construction: 'Builders',
  food_processing: 'Foods',
  hospitality: 'Hospitality',
  logistics: 'Logistics',
  manufacturing_other: 'Manufacturing',
}
const DECLINE_REASONS = [
  'We do not employ migrant workers at this site.',
  'This site closed in 2026.',
  'We answered the same questionnaire for another buyer; ask us to share it.',
]

type Pooled = {
  answers: [string, string][]
  country: string
  sector: string
  workers: number
  result: ScoreResult
  json: string
  summary: ReturnType<typeof summaryColumns>
}

export type BulkSeedOptions = {
  brandId: number
  /** Who requested the assessments. */
  requestedBy: number
  count: number
  now: Date
  seed?: number
  /** Called after each batch is committed. */
  onProgress?: (done: number, total: number) => void
}

/** A value for a required question the generator left open: "don't know" where it can be, else a plain one. */
export function fallbackAnswer(e: QuestionEntry): RawAnswer {
  const q = e.question
  const dk = e.choices.find((c) => c.dont_know)
  if (q.type === 'multi') return [(e.choices.find((c) => c.exclusive) ?? e.choices[0])?.id ?? '']
  // One route is the least a corridors answer can be.
  if (q.type === 'corridors') return [`TH${q.corridor_destination ? '-MY' : ''}:1:${e.choices[0]?.id ?? ''}`]
  if (dk) return dk.id
  if (e.choices[0]) return e.choices[0].id
  if (q.type === 'number') return q.min ?? 0
  if (q.type === 'date') return '2026-01-01'
  if (q.type === 'country') return 'TH'
  return 'n/a'
}

/** Generated answers with every applicable required question answered, as submitting needs. */
function completeAnswers(cq: CompiledQuestionnaire, seed: number): Map<string, AnswerValue> {
  const values = new Map(generateAssessment(cq, seed).answers)
  for (let round = 0; round < 3; round++) {
    const app = applicability(cq, values)
    const missing = cq.entries.filter(
      (e) => e.question.required && app.questions.get(e.question.id) && !values.has(e.question.id),
    )
    if (missing.length === 0) break
    for (const e of missing) values.set(e.question.id, fallbackAnswer(e) as AnswerValue)
  }
  return values
}

async function scoredPool(db: Conn, size: number, seed: number): Promise<{ pool: Pooled[]; rubricVersionId: number }> {
  const cq = compiledVersion(await getQuestionnaireVersion(db, 'employer'))
  const pool: Pooled[] = []
  let rubricVersionId = 0
  for (let k = 0; k < size; k++) {
    const values = completeAnswers(cq, seed + k)
    const { result, rubric } = await scoreRequest(db, {
      questionnaire: 'employer',
      answers: Object.fromEntries(values) as Record<string, RawAnswer>,
    })
    pool.push({
      answers: [...values].map(([q, v]) => [q, JSON.stringify(v)]),
      country: String(values.get('A0.1') ?? 'TH'),
      sector: String(values.get('A0.2') ?? 'manufacturing_other'),
      workers: Number(values.get('A0.3') ?? 500),
      result,
      json: JSON.stringify(result),
      summary: summaryColumns(summarise(result)),
    })
    rubricVersionId = rubric.versionId
  }
  return { pool, rubricVersionId }
}

type State = 'none' | 'draft' | 'declined' | 'submitted' | 'reviewed' | 'returned'

function stateOf(x: number): State {
  if (x < 0.08) return 'none'
  if (x < 0.2) return 'draft'
  if (x < 0.24) return 'declined'
  if (x < 0.64) return 'submitted'
  if (x < 0.92) return 'reviewed'
  return 'returned'
}

const EVERY_STATE: readonly State[] = ['draft', 'declined', 'submitted', 'reviewed', 'returned']

const iso = (t: number) => new Date(t).toISOString()

/** Adds `count` generated suppliers to the brand's list. Returns how many assessments it made. */
export async function seedBulkSuppliers(db: Conn, o: BulkSeedOptions): Promise<{ assessments: number }> {
  const seed = o.seed ?? 2026
  const r = rng(seed)
  const { pool, rubricVersionId } = await scoredPool(db, Math.min(POOL, Math.max(1, o.count)), 70_000 + seed)
  const qv = await getQuestionnaireVersion(db, 'employer')
  const title = typeof qv.def.title === 'string' ? qv.def.title : (qv.def.title.en ?? qv.id)
  let orgId = await maxOrganisationId(db)
  let assessmentId = await maxAssessmentId(db)
  let snapshotId = await maxSnapshotId(db)
  const now = o.now.getTime()
  let assessments = 0

  for (let start = 0; start < o.count; start += BATCH) {
    const orgs: Parameters<typeof insertOrganisations>[1] = []
    const links: Parameters<typeof insertLinks>[1] = []
    const rows: Parameters<typeof insertAssessments>[1] = []
    const grants: Parameters<typeof insertGrants>[1] = []
    const answers: Parameters<typeof insertGeneratedAnswers>[1] = []
    const snaps: Parameters<typeof insertSnapshotsWithSummaries>[1] = []
    const actions: Parameters<typeof insertActions>[1] = []
    for (let i = start; i < Math.min(o.count, start + BATCH); i++) {
      const e = pool[Math.floor(r() * pool.length)] as Pooled
      // The first suppliers take each state in turn, so that even a small demo shows every one of them.
      const drawn = stateOf(r())
      const state = i < EVERY_STATE.length ? (EVERY_STATE[i] as State) : drawn
      const id = ++orgId
      const name = `${PLACES[Math.floor(r() * PLACES.length)]} ${NOUNS[Math.floor(r() * NOUNS.length)]} ${TRADE[e.sector] ?? 'Works'} ${i + 1}`
      orgs.push({
        id,
        kind: 'supplier',
        name,
        country: e.country,
        sector: e.sector,
        workers_total: e.workers,
        created_at: iso(now - 400 * DAY),
      })
      links.push({
        brand_id: o.brandId,
        supplier_id: id,
        internal_code: `${e.country}-${String(i + 1).padStart(5, '0')}`,
        tier: 1 + Math.floor(r() * 3),
        created_at: iso(now - 400 * DAY),
      })
      if (state === 'none') continue
      const aId = ++assessmentId
      assessments++
      const requested = now - (30 + Math.floor(r() * 300)) * DAY
      const submitted = Math.min(now, requested + (5 + Math.floor(r() * 20)) * DAY)
      const reviewed = Math.min(now, submitted + (3 + Math.floor(r() * 20)) * DAY)
      const answered = state !== 'declined'
      const status: AssessmentStatus = state
      rows.push({
        id: aId,
        organisation_id: id,
        questionnaire_version_id: qv.versionId,
        title,
        status,
        requested_by: o.brandId,
        due_date: iso(requested + 30 * DAY).slice(0, 10),
        created_by: o.requestedBy,
        created_at: iso(requested),
        submitted_at: state === 'draft' || state === 'declined' ? null : iso(submitted),
        reviewed_at: state === 'reviewed' ? iso(reviewed) : null,
        revision: answered ? 1 : 0,
        declined_at: state === 'declined' ? iso(requested + 2 * DAY) : null,
        decline_reason: state === 'declined' ? (DECLINE_REASONS[i % DECLINE_REASONS.length] as string) : null,
      })
      const grant: (typeof grants)[number] = {
        assessment_id: aId,
        organisation_id: o.brandId,
        kind: 'requested',
        granted_at: iso(requested),
        revoked_at: null,
        supplier_id: id,
        latest_snapshot_id: null,
      }
      grants.push(grant)
      if (answered) {
        // A draft is about half done.
        const given = state === 'draft' ? e.answers.slice(0, Math.ceil(e.answers.length / 2)) : e.answers
        for (const [question, value] of given)
          answers.push({
            assessment_id: aId,
            question_id: question,
            value,
            comment: null,
            updated_by: null,
            updated_at: iso(state === 'draft' ? requested + DAY : submitted),
            version: 1,
          })
      }
      if (state === 'draft' || state === 'declined') continue
      const snapshot = (reviewer: number | null, reason: string, at: number) => {
        const sid = ++snapshotId
        snaps.push({
          snapshot: {
            id: sid,
            assessment_id: aId,
            questionnaire_version_id: qv.versionId,
            rubric_version_id: rubricVersionId,
            reason,
            rating: e.result.rating,
            control_score: e.result.control.overall,
            inherent_score: e.result.inherent.score,
            red_flags: e.summary.active_red_flags,
            result: e.json,
            created_at: iso(at),
            reviewer_organisation_id: reviewer,
          },
          summary: { snapshot_id: sid, assessment_id: aId, reviewer_organisation_id: reviewer, ...e.summary },
        })
        // The brand sees its own review and the self-assessed score: each newer one is its latest.
        grant.latest_snapshot_id = sid
      }
      snapshot(null, 'submitted', submitted)
      // The requesting brand's finished review stores its own snapshot (docs/sharing.md).
      if (state === 'reviewed') snapshot(o.brandId, 'reviewed', reviewed)
      if (state === 'returned') snapshot(o.brandId, 'returned for changes', reviewed)
      for (const g of e.result.gaps) {
        const x = r()
        const actionStatus: ActionStatus =
          x < 0.65 ? 'open' : x < 0.8 ? 'in_progress' : x < 0.95 || state !== 'reviewed' ? 'done' : 'verified'
        actions.push({
          assessment_id: aId,
          question_id: g.question,
          gap_type: g.gapType,
          severity: g.severity,
          red_flag: g.redFlag ? 1 : 0,
          action: g.action,
          timeframe: g.timeframe,
          owner: null,
          due_date: g.days === null ? null : iso(submitted + g.days * DAY).slice(0, 10),
          status: actionStatus,
          notes: null,
          closing_evidence: null,
          created_at: iso(submitted),
          updated_at: iso(submitted),
          verified_by: null,
        })
      }
    }
    await inTransaction(db, async (trx) => {
      await insertOrganisations(trx, orgs)
      await insertLinks(trx, links)
      await insertAssessments(trx, rows)
      await insertGeneratedAnswers(trx, answers)
      await insertSnapshotsWithSummaries(trx, snaps)
      await insertGrants(trx, grants)
      await insertActions(trx, actions)
      await afterExplicitIds(trx, ['organisation', 'assessment', 'score_snapshot'])
    })
    o.onProgress?.(Math.min(o.count, start + BATCH), o.count)
  }
  return { assessments }
}
