import type { Kysely } from 'kysely'
import { double, forbidChanges } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes. It therefore
// carries its own copy of how a summary is read out of a stored result (the application's lives in
// src/scoring/score-summary.ts and may change; a later migration would then recompute the summaries).
//
// The portfolio page showed a few numbers of each supplier's latest score, and read them by parsing every
// snapshot's whole result (about 60 KB of JSON each) on every view. A summary per snapshot, written in the
// same transaction as the snapshot, holds those numbers in columns the page can filter and sort on in SQL.
// It is a table of its own rather than columns on score_snapshot: snapshots are immutable (triggers refuse
// any UPDATE), and the backfill below would otherwise have to lift that guard.

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
    // Copied from the snapshot so that "the latest snapshot a brand may see" is answered from one index.
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('reviewer_organisation_id', 'integer', (c) => c.references('organisation.id'))
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
  // The latest assessment a brand may see of each supplier: the grant and its revocation from the index.
  await db.schema
    .createIndex('assessment_access_brand_idx')
    .on('assessment_access')
    .columns(['organisation_id', 'assessment_id', 'revoked_at'])
    .execute()
  await db.schema.createIndex('assessment_org_id_idx').on('assessment').columns(['organisation_id', 'id']).execute()

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
  // A summary is part of its snapshot's record: immutable like it.
  await forbidChanges(db, 'score_summary', 'score_summary rows are immutable')
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('assessment_org_id_idx').execute()
  await db.schema.dropIndex('assessment_access_brand_idx').execute()
  await db.schema.dropIndex('action_item_open_idx').execute()
  // Dropping the table drops its triggers on both engines.
  await db.schema.dropTable('score_summary').execute()
}
