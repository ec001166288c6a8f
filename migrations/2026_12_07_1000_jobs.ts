import { type Kysely, sql } from 'kysely'
import { withId } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes.

/**
 * Background jobs: one row per piece of work to run outside a request (a portfolio export, a re-score after a
 * rubric change, the sweep that deletes expired export files). The same table on both engines; workers claim a
 * row by setting its status and a lease (`locked_by`, `locked_until`), so that a row whose process died is
 * claimed again once its lease has passed. Timestamps are ISO-8601 text, compared as text: every value is
 * written by `Date.toISOString()`, so text order is time order.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job')
    .$call(withId(db))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // The organisation the job works for (a brand's export); null for work of the whole installation.
    .addColumn('organisation_id', 'integer', (c) => c.references('organisation.id'))
    // The person who asked for it, when a person did.
    .addColumn('created_by', 'integer', (c) => c.references('user_account.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_total', 'integer')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    // At most one queued or running job per key (see the partial index below), e.g. one re-score per rubric.
    .addColumn('dedupe_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    // When what the job made (an export file) is deleted; null: kept.
    .addColumn('expires_at', 'text')
    .addCheckConstraint('job_status_ck', sql`status in ('queued', 'running', 'done', 'failed', 'cancelled')`)
    .addCheckConstraint('job_attempts_ck', sql`attempts >= 0 and max_attempts >= 1`)
    .execute()
  // What a worker looks for: queued rows due now, and running rows whose lease has passed.
  await db.schema.createIndex('job_claim_idx').on('job').columns(['status', 'run_at', 'id']).execute()
  await db.schema.createIndex('job_organisation_idx').on('job').columns(['organisation_id', 'kind', 'id']).execute()
  // Unique among unfinished jobs only: a finished job with the same key does not stop the work being asked again.
  await db.schema
    .createIndex('job_dedupe_uq')
    .on('job')
    .column('dedupe_key')
    .unique()
    .where(sql<boolean>`status in ('queued', 'running')`)
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job').execute()
}
