import type { Kysely } from 'kysely'
import { dropChangeGuard, forbidChanges, withId } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes.

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('questionnaire_version')
    .$call(withId(db))
    .addColumn('questionnaire_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('declared_version', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('source_file', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('questionnaire_version_hash_uq', ['questionnaire_id', 'content_hash'])
    .addUniqueConstraint('questionnaire_version_revision_uq', ['questionnaire_id', 'revision'])
    .execute()

  await db.schema
    .createTable('questionnaire_current')
    .addColumn('questionnaire_id', 'text', (c) => c.primaryKey())
    .addColumn('version_id', 'integer', (c) => c.notNull().references('questionnaire_version.id'))
    .execute()

  // A stored version is what assessments are pinned to: the database itself refuses to change or drop one.
  await forbidChanges(db, 'questionnaire_version', 'questionnaire versions are immutable')
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await dropChangeGuard(db, 'questionnaire_version', 'delete')
  await dropChangeGuard(db, 'questionnaire_version', 'update')
  await db.schema.dropTable('questionnaire_current').execute()
  await db.schema.dropTable('questionnaire_version').execute()
}
