import { type ExpressionBuilder, type Insertable, sql, type Updateable } from 'kysely'
import type { Principal } from '../access/principal.ts'
import { batchesOf } from '../db/bulk.ts'
import { compileOnce } from '../db/compiled.ts'
import type { Conn, Database } from '../db/database.ts'
import { byName, isPostgres } from '../db/engine.ts'
import { jsonArray, jsonGroupArray, jsonObject, jsonOf } from '../db/json-sql.ts'
import { withRaw } from '../db/raw.ts'
import * as snapshots from '../scoring/score-snapshot.repository.ts'
import type { AssessmentAccessTable, AssessmentTable } from './assessment.table.ts'
import type { AssessmentStatus } from './lifecycle.ts'

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
        jsonGroupArray(
          db,
          jsonObject(db, {
            id: sql.ref('d.id'),
            question_id: sql.ref('d.question_id'),
            organisation_id: sql.ref('d.organisation_id'),
            organisation_name: sql.ref('ro.name'),
            decision: sql.ref('d.decision'),
            comment: sql.ref('d.comment'),
            resolved_at: sql.ref('d.resolved_at'),
          }),
        ).as('j'),
      )
      .whereRef('d.assessment_id', '=', 'assessment.id')
      .as('decisions_json'),
    eb
      .selectFrom('evidence as e')
      .select(
        jsonGroupArray(
          db,
          jsonObject(db, {
            id: sql.ref('e.id'),
            question_id: sql.ref('e.question_id'),
            file_name: sql.ref('e.file_name'),
          }),
        ).as('j'),
      )
      .whereRef('e.assessment_id', '=', 'assessment.id')
      .where('e.deleted_at', 'is', null)
      .as('evidence_json'),
  ])
}

const compiled = {
  pageHead: compileOnce((db, $: { id: number; organisationId: number }) => pageHeadQuery(db, $, $.id)),
  answers: compileOnce((db, $: { id: number }) => answersJsonQuery(db, $.id)),
}

export type PageHead = NonNullable<ReturnType<typeof compiled.pageHead.get>>

/**
 * What an answer page reads (compiled once, run on the raw connection: see db/raw.ts): the head if visible
 * and, unless `have` finds the answers of its revision already in memory, the answers as `answersJsonQuery`
 * gives them, read in the same snapshot as the head so that `parse` files them under the right revision.
 */
export function readPage<S>(
  db: Conn,
  params: { id: number; organisationId: number },
  have: (revision: number) => S | undefined,
  parse: (revision: number, answersJson: string) => S,
): Promise<{ head: PageHead; stored: S } | undefined> {
  if (isPostgres(db)) return readPageOnPostgres(db, params, have, parse)
  return withRaw(db, (sqlite) => {
    const head = compiled.pageHead.get(sqlite, params)
    if (!head) return undefined
    const stored = have(head.revision)
    if (stored) return { head, stored }
    return sqlite
      .transaction(() => {
        const again = compiled.pageHead.get(sqlite, params)
        if (!again) return undefined
        const json = compiled.answers.get(sqlite, { id: params.id })?.answers ?? '[]'
        return { head: again, stored: parse(again.revision, json) }
      })
      .deferred()
  })
}

async function readPageOnPostgres<S>(
  db: Conn,
  params: { id: number; organisationId: number },
  have: (revision: number) => S | undefined,
  parse: (revision: number, answersJson: string) => S,
): Promise<{ head: PageHead; stored: S } | undefined> {
  const head = (await pageHeadQuery(db, params, params.id).executeTakeFirst()) as PageHead | undefined
  if (!head) return undefined
  const stored = have(head.revision)
  if (stored) return { head, stored }
  // Head and answers from one snapshot, so the answers are filed under the revision they belong to.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const again = (await pageHeadQuery(trx, params, params.id).executeTakeFirst()) as PageHead | undefined
      if (!again) return undefined
      const json = (await answersJsonQuery(trx, params.id).executeTakeFirst())?.answers ?? '[]'
      return { head: again, stored: parse(again.revision, json) }
    })
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
      jsonGroupArray(
        db,
        jsonArray(db, [
          sql.ref('question_id'),
          jsonOf(db, sql.ref('value')),
          sql.ref('comment'),
          sql.ref('version'),
          sql.ref('updated_at'),
        ]),
      ).as('answers'),
    )
    .where('assessment_id', '=', assessmentId)
    .where((eb) => eb.or([eb('value', 'is not', null), eb('comment', 'is not', null)]))
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

export function insertAssessment(db: Conn, row: Insertable<AssessmentTable>): Promise<number> {
  return db
    .insertInto('assessment')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow()
    .then((r) => r.id)
}

/** Many new assessments with ids chosen by the caller (bulk loading; see db/bulk.ts). */
export async function insertAssessments(db: Conn, rows: (Insertable<AssessmentTable> & { id: number })[]) {
  for (const batch of batchesOf(rows)) await db.insertInto('assessment').values(batch).execute()
}

/** The largest assessment id so far (0 when there is none). */
export async function maxAssessmentId(db: Conn): Promise<number> {
  const r = await db
    .selectFrom('assessment')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst()
  return Number(r?.m ?? 0)
}

/**
 * Moves an assessment (status, dates, revision) only if it is still at the revision it was read at. False when
 * someone changed it meanwhile: nothing was written.
 */
export async function updateIfRevision(
  db: Conn,
  id: number,
  revision: number,
  set: Updateable<AssessmentTable>,
): Promise<boolean> {
  const res = await db
    .updateTable('assessment')
    .set({ ...set, revision: revision + 1 })
    .where('id', '=', id)
    .where('revision', '=', revision)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

export async function update(db: Conn, id: number, set: Updateable<AssessmentTable>): Promise<void> {
  await db.updateTable('assessment').set(set).where('id', '=', id).execute()
}

/** The organisation that answers an assessment, whoever asks (the command line acts as that organisation). */
export function ownerOf(db: Conn, id: number) {
  return db
    .selectFrom('assessment as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select(['o.id', 'o.kind', 'o.name'])
    .where('a.id', '=', id)
    .executeTakeFirst()
}

/** An organisation on the brand's supplier list, which the brand may send requests to. */
export function supplierOfBrand(db: Conn, brandId: number, supplierId: number) {
  return db
    .selectFrom('brand_supplier as bs')
    .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
    .select(['o.id', 'o.kind', 'o.name'])
    .where('bs.brand_id', '=', brandId)
    .where('bs.supplier_id', '=', supplierId)
    .executeTakeFirst()
}

export function findOrganisation(db: Conn, id: number) {
  return db.selectFrom('organisation').select(['id', 'kind', 'name']).where('id', '=', id).executeTakeFirst()
}

/** Every brand, by name: the organisations an assessment can be shared with. */
export function listBrands(db: Conn, order: 'name' | 'id' = 'name') {
  return db
    .selectFrom('organisation')
    .select(['id', 'name'])
    .where('kind', '=', 'brand')
    .orderBy(order === 'name' ? byName(db, 'name') : 'id')
    .execute()
}

/**
 * The assessments a brand was requested or shared (not revoked) in these statuses, oldest submission
 * first: its review queue.
 */
export function listGrantedIn(db: Conn, p: Pick<Principal, 'organisationId'>, statuses: readonly AssessmentStatus[]) {
  return db
    .selectFrom('assessment')
    .innerJoin('assessment_access as acc', 'acc.assessment_id', 'assessment.id')
    .innerJoin('organisation as o', 'o.id', 'assessment.organisation_id')
    .leftJoin('organisation as rb', 'rb.id', 'assessment.requested_by')
    .select([
      'assessment.id',
      'assessment.title',
      'assessment.status',
      'assessment.submitted_at',
      'assessment.organisation_id',
      'assessment.requested_by',
      'rb.name as requested_by_name',
      'o.name as organisation_name',
    ])
    .where('acc.organisation_id', '=', p.organisationId)
    .where('acc.revoked_at', 'is', null)
    .where('assessment.status', 'in', statuses)
    .orderBy('assessment.submitted_at')
    .execute()
}

// Access grants ------------------------------------------------------------------------------------------

export async function insertGrant(db: Conn, row: AssessmentAccessTable): Promise<void> {
  await db.insertInto('assessment_access').values(row).execute()
}

export async function insertGrants(db: Conn, rows: AssessmentAccessTable[]): Promise<void> {
  for (const batch of batchesOf(rows)) await db.insertInto('assessment_access').values(batch).execute()
}

/**
 * Shares with a brand, or shares again after a revocation (the grant is renewed). The grant points at the
 * latest snapshot the brand sees of the assessment already (the respondent's, or the brand's own review
 * from an earlier share).
 */
export async function upsertShare(db: Conn, id: number, brandId: number, at: string): Promise<void> {
  await db
    .insertInto('assessment_access')
    .values((eb) => ({
      assessment_id: id,
      organisation_id: brandId,
      kind: 'shared',
      granted_at: at,
      revoked_at: null,
      supplier_id: eb.selectFrom('assessment').select('organisation_id').where('id', '=', id),
      latest_snapshot_id: snapshots.latestVisibleId(eb, sql`${id}`, brandId),
    }))
    .onConflict((oc) =>
      oc.columns(['assessment_id', 'organisation_id']).doUpdateSet((eb) => ({
        revoked_at: null,
        granted_at: at,
        latest_snapshot_id: eb.ref('excluded.latest_snapshot_id'),
      })),
    )
    .execute()
}

export function findGrant(db: Conn, id: number, organisationId: number) {
  return db
    .selectFrom('assessment_access')
    .select(['kind', 'revoked_at'])
    .where('assessment_id', '=', id)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst()
}

export async function revokeShare(db: Conn, id: number, brandId: number, at: string): Promise<void> {
  await db
    .updateTable('assessment_access')
    .set({ revoked_at: at })
    .where('assessment_id', '=', id)
    .where('organisation_id', '=', brandId)
    .where('kind', '=', 'shared')
    .where('revoked_at', 'is', null)
    .execute()
}

// Answers (reads; the save is answer.store.ts) -----------------------------------------------------------

/** The answers holding a value, of up to a few hundred assessments (an inbox's progress column). */
export function answerValuesOf(db: Conn, assessmentIds: number[]) {
  return db
    .selectFrom('answer')
    .select(['assessment_id', 'question_id', 'value'])
    .where('assessment_id', 'in', assessmentIds)
    .where('value', 'is not', null)
    .execute()
}

/** The next assessments by id in these statuses, after `afterId`: the re-score job's batches. */
export function nextInStatuses(db: Conn, statuses: readonly AssessmentStatus[], afterId: number, limit: number) {
  return db
    .selectFrom('assessment')
    .select(['id', 'organisation_id', 'revision', 'questionnaire_version_id'])
    .where('status', 'in', statuses)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
}

export async function countInStatuses(db: Conn, statuses: readonly AssessmentStatus[]): Promise<number> {
  const r = await db
    .selectFrom('assessment')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', statuses)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** The answers revision and status of each assessment, to check nothing changed since they were read. */
export function revisionsOf(db: Conn, ids: number[]) {
  return db.selectFrom('assessment').select(['id', 'revision', 'status']).where('id', 'in', ids).execute()
}

/** The brands that hold a live grant (requested or shared, not revoked) to each of these assessments. */
export function liveGrantsOf(db: Conn, ids: number[]) {
  return db
    .selectFrom('assessment_access')
    .select(['assessment_id', 'organisation_id'])
    .where('assessment_id', 'in', ids)
    .where('revoked_at', 'is', null)
    .execute()
}
