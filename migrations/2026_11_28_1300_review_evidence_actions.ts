import { type Kysely, sql } from 'kysely'
import { withId } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes.

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('evidence')
    .$call(withId(db))
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer', (c) => c.references('user_account.id'))
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute()
  await db.schema
    .createIndex('evidence_assessment_idx')
    .on('evidence')
    .columns(['assessment_id', 'question_id'])
    .execute()

  await db.schema
    .createTable('review_decision')
    .$call(withId(db))
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('reviewer_user_id', 'integer', (c) => c.references('user_account.id'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('accepted', 'verified', 'returned')`))
    .addColumn('method', 'text')
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute()
  await db.schema
    .createIndex('review_decision_assessment_idx')
    .on('review_decision')
    .columns(['assessment_id', 'question_id', 'id'])
    .execute()

  await db.schema
    .createTable('suspected_flag')
    .$call(withId(db))
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('question_id', 'text')
    .addColumn('indicator', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('raised_by', 'integer', (c) => c.references('user_account.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute()

  await db.schema
    .createTable('action_item')
    .$call(withId(db))
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('gap_type', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('red_flag', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('timeframe', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('due_date', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'in_progress', 'done', 'verified')`))
    .addColumn('notes', 'text')
    .addColumn('closing_evidence', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('verified_by', 'integer', (c) => c.references('user_account.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('action_item_question_uq', ['assessment_id', 'question_id'])
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['action_item', 'suspected_flag', 'review_decision', 'evidence'])
    await db.schema.dropTable(t).execute()
}
