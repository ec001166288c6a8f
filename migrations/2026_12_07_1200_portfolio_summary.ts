import { type Kysely, sql } from 'kysely'
import { double, forbidChanges, onPostgres } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes. It therefore
// carries its own copy of how a summary is read out of a stored result (the application's lives in
// src/scoring/score-summary.ts and may change; a later migration would then recompute the summaries).
//
// The portfolio page showed a few numbers of each supplier's latest score, and read them by parsing every
// snapshot's whole result (about 60 KB of JSON each) on every view. A summary per snapshot, written in the
// same transaction as the snapshot, holds those numbers in columns the page can filter and sort on in SQL.
// It is a table of its own rather than columns on score_snapshot: snapshots are immutable (triggers refuse
// any UPDATE), and the backfill below would otherwise have to lift that guard.
//
// A brand's grant (assessment_access) also gains the supplier it is about (the assessment's organisation,
// which never changes) and the latest snapshot that brand sees of the assessment, so that "each supplier's
// latest visible assessment and score" is one index lookup per supplier, or one ordered index scan.

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
type AnyDb = Kysely<any>

type StoredResult = {
  rating: string
  control: { overall: number | null; sections: { id: string; score: number | null }[] }
  inherent: { score: number }
  redFlags: { status: string }[]
  gaps: unknown[]
  confidence: { level: string }
}

/** Rows per batch of the backfill: a stored result is about 60 KB, so a batch is a few megabytes. */
const BATCH = 200

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('score_summary')
    .addColumn('snapshot_id', 'integer', (c) => c.primaryKey().references('score_snapshot.id'))
    // Copied from the snapshot (and constrained as there: by the snapshot itself, which references it).
    .addColumn('assessment_id', 'integer', (c) => c.notNull())
    .addColumn('reviewer_organisation_id', 'integer')
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('control_overall', double(db))
    .addColumn('inherent_score', double(db), (c) => c.notNull())
    // Red flags not cleared (scoring/open-red-flags.ts).
    .addColumn('active_red_flags', 'integer', (c) => c.notNull())
    .addColumn('gap_count', 'integer', (c) => c.notNull())
    .addColumn('confidence', 'text', (c) => c.notNull())
    // [{ id, score }] per section of the control score, as JSON text. Titles stay in the questionnaire:
    // narrow rows keep the lookups of a 50,000-supplier page in few pages of the table.
    .addColumn('sections', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('score_summary_latest_idx')
    .on('score_summary')
    .columns(['assessment_id', 'reviewer_organisation_id', 'snapshot_id'])
    .execute()
  // The portfolio counts open and overdue actions per assessment: covered by this index, no row reads.
  await db.schema
    .createIndex('action_item_open_idx')
    .on('action_item')
    .columns(['assessment_id', 'status', 'due_date'])
    .execute()
  if (onPostgres(db))
    // PostgreSQL reads the page's sort keys from this index alone (index-only scan); SQLite would not use
    // it (it prefers the row itself, found by its id), so it is not built there.
    await db.schema
      .createIndex('score_summary_keys_idx')
      .on('score_summary')
      .columns([
        'snapshot_id',
        'rating',
        'control_overall',
        'inherent_score',
        'active_red_flags',
        'assessment_id',
        'reviewer_organisation_id',
      ])
      .execute()

  for (let after = 0; ; ) {
    const rows: { id: number; assessment_id: number; reviewer_organisation_id: number | null; result: string }[] =
      await db
        .selectFrom('score_snapshot')
        .select(['id', 'assessment_id', 'reviewer_organisation_id', 'result'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .execute()
    if (rows.length === 0) break
    await db
      .insertInto('score_summary')
      .values(
        rows.map((r) => {
          const s = JSON.parse(r.result) as StoredResult
          return {
            snapshot_id: Number(r.id),
            assessment_id: Number(r.assessment_id),
            reviewer_organisation_id: r.reviewer_organisation_id === null ? null : Number(r.reviewer_organisation_id),
            rating: s.rating,
            control_overall: s.control.overall,
            inherent_score: s.inherent.score,
            active_red_flags: s.redFlags.filter((f) => f.status !== 'cleared').length,
            gap_count: s.gaps.length,
            confidence: s.confidence.level,
            sections: JSON.stringify(s.control.sections.map((x) => ({ id: x.id, score: x.score }))),
          }
        }),
      )
      .execute()
    after = Number(rows[rows.length - 1]?.id)
  }
  // No foreign keys on these two: SQLite cannot drop a column that has one (migrating down). The
  // application always sets supplier_id; latest_snapshot_id is null until the assessment has a snapshot
  // the brand sees.
  await db.schema.alterTable('assessment_access').addColumn('supplier_id', 'integer').execute()
  await db.schema.alterTable('assessment_access').addColumn('latest_snapshot_id', 'integer').execute()
  await sql`update assessment_access set supplier_id =
    (select a.organisation_id from assessment a where a.id = assessment_access.assessment_id)`.execute(db)
  // The same rule as the application's (score-snapshot.repository.ts, ofReviewer): the respondent's own
  // snapshots and the brand's own review, never another brand's.
  await sql`update assessment_access set latest_snapshot_id =
    (select max(ss.snapshot_id) from score_summary ss where ss.assessment_id = assessment_access.assessment_id
      and (ss.reviewer_organisation_id is null or ss.reviewer_organisation_id = assessment_access.organisation_id))`.execute(
    db,
  )
  // Grants not revoked, by brand and supplier, newest assessment last. revoked_at is a column too (always
  // null here): without it SQLite reads the row to check the condition the index already guarantees.
  await db.schema
    .createIndex('assessment_access_latest_idx')
    .on('assessment_access')
    .columns(['organisation_id', 'supplier_id', 'assessment_id', 'latest_snapshot_id', 'revoked_at'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute()

  // A summary is part of its snapshot's record: immutable like it.
  await forbidChanges(db, 'score_summary', 'score_summary rows are immutable')
  // PostgreSQL compresses a stored result (~60 KB of JSON) with pglz by default; lz4 writes about five
  // times faster at the same size, and reads back faster (exports read every result). Applies to values
  // stored from now on; needs a server built with lz4, as the usual packages are.
  if (onPostgres(db) && (await lz4Available(db)))
    await sql`alter table score_snapshot alter column result set compression lz4`.execute(db)
}

async function lz4Available(db: AnyDb): Promise<boolean> {
  // A count rather than a boolean: the application's pool reads booleans back as 1 or 0.
  const r = await sql<{
    n: number | string
  }>`select count(*) as n from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)`.execute(
    db,
  )
  return Number(r.rows[0]?.n) > 0
}

export async function down(db: AnyDb): Promise<void> {
  if (onPostgres(db)) await sql`alter table score_snapshot alter column result set compression default`.execute(db)
  await db.schema.dropIndex('assessment_access_latest_idx').execute()
  await db.schema.alterTable('assessment_access').dropColumn('latest_snapshot_id').execute()
  await db.schema.alterTable('assessment_access').dropColumn('supplier_id').execute()
  await db.schema.dropIndex('action_item_open_idx').execute()
  // Dropping the table drops its triggers and indexes on both engines.
  await db.schema.dropTable('score_summary').execute()
}
