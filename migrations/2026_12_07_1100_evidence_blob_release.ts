import type { Kysely } from 'kysely'
import { withId } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes.

/**
 * Evidence files are stored once per organisation and content (`org/<organisation>/<sha256>`), and removed
 * when the last evidence row naming them is deleted. `evidence_blob_release` is the to-do list of that
 * removal: a row is written in the same transaction as the deletion and removed once the blob is gone (or
 * found still in use), so a crash in between leaves the work to be finished, not a forgotten document.
 * The index finds the evidence rows naming one content.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('evidence_blob_release')
    .$call(withId(db))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('evidence_sha256_idx').on('evidence').column('sha256').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('evidence_sha256_idx').execute()
  await db.schema.dropTable('evidence_blob_release').execute()
}
