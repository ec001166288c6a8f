import type { Kysely } from 'kysely'
import { double, dropChangeGuard, forbidChanges, withId } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes.

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rubric_version')
    .$call(withId(db))
    .addColumn('rubric_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('declared_version', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    // Everything but the country table, as JSON: weights, bands, matrix, red-flag rules, sector tables.
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('country_source', 'text', (c) => c.notNull())
    .addColumn('country_year', 'integer', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('rubric_version_hash_uq', ['rubric_id', 'content_hash'])
    .addUniqueConstraint('rubric_version_revision_uq', ['rubric_id', 'revision'])
    .execute()

  await db.schema
    .createTable('rubric_country_risk')
    .addColumn('rubric_version_id', 'integer', (c) => c.notNull().references('rubric_version.id'))
    .addColumn('country_code', 'text', (c) => c.notNull())
    .addColumn('country_name', 'text', (c) => c.notNull())
    .addColumn('points', double(db))
    .addColumn('basis', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rubric_country_risk_pk', ['rubric_version_id', 'country_code'])
    .execute()

  await db.schema
    .createTable('rubric_current')
    .addColumn('rubric_id', 'text', (c) => c.primaryKey())
    .addColumn('version_id', 'integer', (c) => c.notNull().references('rubric_version.id'))
    .execute()

  await db.schema
    .createTable('score_snapshot')
    .$call(withId(db))
    // The assessment the snapshot belongs to (a foreign key is added with the assessments table).
    .addColumn('assessment_id', 'integer', (c) => c.notNull())
    .addColumn('questionnaire_version_id', 'integer', (c) => c.notNull().references('questionnaire_version.id'))
    .addColumn('rubric_version_id', 'integer', (c) => c.notNull().references('rubric_version.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('control_score', double(db))
    .addColumn('inherent_score', double(db), (c) => c.notNull())
    .addColumn('red_flags', 'integer', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('score_snapshot_assessment_idx')
    .on('score_snapshot')
    .columns(['assessment_id', 'id'])
    .execute()

  for (const table of ['rubric_version', 'rubric_country_risk', 'score_snapshot']) {
    await forbidChanges(db, table, `${table} rows are immutable`)
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['rubric_version', 'rubric_country_risk', 'score_snapshot']) {
    await dropChangeGuard(db, table, 'update')
    await dropChangeGuard(db, table, 'delete')
  }
  await db.schema.dropTable('score_snapshot').execute()
  await db.schema.dropTable('rubric_current').execute()
  await db.schema.dropTable('rubric_country_risk').execute()
  await db.schema.dropTable('rubric_version').execute()
}
