import { type Kysely, sql } from 'kysely'

// Frozen in time: this file must keep working whatever the application code becomes.

/**
 * What a re-score changed, and who may look at it.
 *
 * `rescore_change`: one row per snapshot a re-score job added, naming the snapshot it follows in the same series
 * (the previous latest) and copying the two ratings, so that the "what changed" workbook can be built from stored
 * data after the job has ended, sorted and counted in SQL without reading the snapshots' results. Written in the
 * same transaction as the snapshot. A job deleted by the sweep (30 days after it finished) takes its rows with it;
 * the snapshots themselves stay (they are the history).
 *
 * `platform_operator`: the people who run the installation itself (re-scoring every tenant's scores, reading the
 * workbook that lists every tenant). Not a role: roles belong to an organisation, and no organisation's
 * administrator may act on other tenants. Granted and revoked only from the command line (`fairhire operators`),
 * by whoever runs the server.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rescore_change')
    .addColumn('job_id', 'integer', (c) => c.notNull().references('job.id').onDelete('cascade'))
    .addColumn('after_snapshot_id', 'integer', (c) => c.notNull().references('score_snapshot.id'))
    .addColumn('before_snapshot_id', 'integer', (c) => c.notNull().references('score_snapshot.id'))
    // Copied from the snapshots, which never change: the workbook's order and counts read nothing else.
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('reviewer_organisation_id', 'integer', (c) => c.references('organisation.id'))
    .addColumn('rating_before', 'text', (c) => c.notNull())
    .addColumn('rating_after', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rescore_change_pk', ['job_id', 'after_snapshot_id'])
    .addCheckConstraint(
      'rescore_change_rating_ck',
      sql`rating_before in ('low', 'medium', 'high', 'critical') and rating_after in ('low', 'medium', 'high', 'critical')`,
    )
    .execute()
  await db.schema
    .createTable('platform_operator')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('user_account.id'))
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('platform_operator').execute()
  await db.schema.dropTable('rescore_change').execute()
}
