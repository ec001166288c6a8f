import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely'
import type { Principal } from '../access/principal.ts'
import { compileOnce } from '../db/compiled.ts'
import type { Database } from '../db/database.ts'

type Conn = Kysely<Database> | Transaction<Database>

/**
 * The tenant rule, in one place: an organisation sees an assessment it owns, or one it requested or
 * was shared with (and not revoked). Every read of assessment data goes through this filter.
 */
export function visibleTo(p: Pick<Principal, 'organisationId'>) {
  return (eb: ExpressionBuilder<Database, 'assessment'>) =>
    eb.or([
      eb('assessment.organisation_id', '=', p.organisationId),
      eb.exists(
        eb
          .selectFrom('assessment_access as acc')
          .select(sql`1`.as('one'))
          .whereRef('acc.assessment_id', '=', 'assessment.id')
          .where('acc.organisation_id', '=', p.organisationId)
          .where('acc.revoked_at', 'is', null),
      ),
    ])
}

export function findVisible(db: Conn, p: Principal, id: number) {
  return visibleQuery(db, p, id).executeTakeFirst()
}

function visibleQuery(db: Conn, p: Pick<Principal, 'organisationId'>, id: number) {
  return db
    .selectFrom('assessment')
    .innerJoin('organisation as o', 'o.id', 'assessment.organisation_id')
    .innerJoin('questionnaire_version as qv', 'qv.id', 'assessment.questionnaire_version_id')
    .leftJoin('organisation as rb', 'rb.id', 'assessment.requested_by')
    .selectAll('assessment')
    .select([
      'o.name as organisation_name',
      'o.kind as organisation_kind',
      'o.country as organisation_country',
      'o.sector as organisation_sector',
      'qv.questionnaire_id',
      'qv.revision as questionnaire_revision',
      'qv.declared_version as questionnaire_version',
      'qv.title as questionnaire_title',
      'qv.content_hash as questionnaire_hash',
      'rb.name as requested_by_name',
    ])
    .where('assessment.id', '=', id)
    .where(visibleTo(p))
}

/** A review decision as the answer pages need it. */
export type PageDecision = {
  id: number
  question_id: string
  /** The reviewing brand, and its name (shown to the respondent beside what it returned). */
  organisation_id: number
  organisation_name: string
  decision: string
  comment: string | null
  resolved_at: string | null
}
/** An evidence file as the answer pages list it. */
export type PageEvidence = { id: number; question_id: string; file_name: string }

/**
 * What every answer page reads, compiled once: the assessment if visible, with its review decisions and
 * evidence files as JSON, in one statement, so one read shows one state. Callers order them by id (an
 * ORDER BY inside the aggregate costs a sort per page view, for lists that are mostly empty).
 */
function pageHeadQuery(db: Conn, p: Pick<Principal, 'organisationId'>, id: number) {
  return visibleQuery(db, p, id).select((eb) => [
    eb
      .selectFrom('review_decision as d')
      .innerJoin('organisation as ro', 'ro.id', 'd.organisation_id')
      .select(
        sql<string>`json_group_array(json_object('id', d.id, 'question_id', d.question_id, 'organisation_id', d.organisation_id, 'organisation_name', ro.name, 'decision', d.decision, 'comment', d.comment, 'resolved_at', d.resolved_at))`.as(
          'j',
        ),
      )
      .whereRef('d.assessment_id', '=', 'assessment.id')
      .as('decisions_json'),
    eb
      .selectFrom('evidence as e')
      .select(
        sql<string>`json_group_array(json_object('id', e.id, 'question_id', e.question_id, 'file_name', e.file_name))`.as(
          'j',
        ),
      )
      .whereRef('e.assessment_id', '=', 'assessment.id')
      .where('e.deleted_at', 'is', null)
      .as('evidence_json'),
  ])
}

export const compiled = {
  pageHead: compileOnce((db, $: { id: number; organisationId: number }) => pageHeadQuery(db, $, $.id)),
  answers: compileOnce((db, $: { id: number }) => answersJsonQuery(db, $.id)),
}

/** For writes: only the owning organisation, never a brand it is shared with. */
export function findOwned(db: Conn, p: Principal, id: number) {
  return db
    .selectFrom('assessment')
    .selectAll()
    .where('id', '=', id)
    .where('organisation_id', '=', p.organisationId)
    .executeTakeFirst()
}

export function listVisible(db: Conn, p: Principal) {
  return db
    .selectFrom('assessment')
    .innerJoin('organisation as o', 'o.id', 'assessment.organisation_id')
    .innerJoin('questionnaire_version as qv', 'qv.id', 'assessment.questionnaire_version_id')
    .leftJoin('organisation as rb', 'rb.id', 'assessment.requested_by')
    .select([
      'assessment.id',
      'assessment.title',
      'assessment.status',
      'assessment.questionnaire_version_id',
      'assessment.due_date',
      'assessment.created_at',
      'assessment.submitted_at',
      'assessment.reviewed_at',
      'assessment.organisation_id',
      'assessment.requested_by',
      'assessment.decline_reason',
      'o.name as organisation_name',
      'qv.questionnaire_id',
      'qv.title as questionnaire_title',
      'rb.name as requested_by_name',
    ])
    .where(visibleTo(p))
    .orderBy('assessment.id', 'desc')
    .execute()
}

/**
 * The answers that hold a value or a comment, as one JSON array of [question, value, comment, version,
 * updated at]. SQLite builds it in one step; reading a hundred rows one by one into objects costs about three
 * times as much, on every page that shows answers.
 */
export function answersJsonQuery(db: Conn, assessmentId: number) {
  return db
    .selectFrom('answer')
    .select(
      sql<string>`json_group_array(json_array(question_id, json(value), comment, version, updated_at))`.as('answers'),
    )
    .where('assessment_id', '=', assessmentId)
    .where((eb) => eb.or([eb('value', 'is not', null), eb('comment', 'is not', null)]))
}

/**
 * Review decisions of every brand in the order they were made, with the brand's name; callers keep what
 * sharing.policy lets the reader see (the last one per question and brand is the current one).
 */
export function decisionsQuery(db: Conn, assessmentId: number) {
  return db
    .selectFrom('review_decision as d')
    .innerJoin('organisation as ro', 'ro.id', 'd.organisation_id')
    .selectAll('d')
    .select('ro.name as organisation_name')
    .where('d.assessment_id', '=', assessmentId)
    .orderBy('d.id')
}

/** Evidence files still attached. */
export function evidenceQuery(db: Conn, assessmentId: number) {
  return db
    .selectFrom('evidence')
    .select(['id', 'question_id', 'file_name', 'media_type', 'size', 'uploaded_at'])
    .where('assessment_id', '=', assessmentId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
}

export function accessRows(db: Conn, assessmentId: number) {
  return db
    .selectFrom('assessment_access as acc')
    .innerJoin('organisation as o', 'o.id', 'acc.organisation_id')
    .select(['acc.organisation_id', 'o.name', 'acc.kind', 'acc.granted_at', 'acc.revoked_at'])
    .where('acc.assessment_id', '=', assessmentId)
    .orderBy('acc.granted_at')
    .execute()
}
