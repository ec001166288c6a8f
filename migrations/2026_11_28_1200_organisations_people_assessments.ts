import { type Kysely, sql } from 'kysely'
import { dropChangeGuard, forbidChanges, withId } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes.

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisation')
    .$call(withId(db))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('brand', 'supplier', 'recruiter')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('sector', 'text')
    .addColumn('address', 'text')
    .addColumn('workers_total', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('brand_supplier')
    .addColumn('brand_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('supplier_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('internal_code', 'text')
    .addColumn('tier', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('brand_supplier_pk', ['brand_id', 'supplier_id'])
    .execute()

  await db.schema
    .createTable('user_account')
    .$call(withId(db))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'analyst', 'respondent', 'viewer')`))
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('user_account_org_idx').on('user_account').column('organisation_id').execute()

  await db.schema
    .createTable('session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user_account.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute()
  await db.schema.createIndex('session_user_idx').on('session').column('user_id').execute()

  await db.schema
    .createTable('api_token')
    .$call(withId(db))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('analyst', 'respondent', 'viewer')`))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('user_account.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()

  await db.schema
    .createTable('invitation')
    .$call(withId(db))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('inviter_user_id', 'integer', (c) => c.notNull().references('user_account.id'))
    .addColumn('inviter_organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('supplier', 'recruiter', 'member')`))
    .addColumn('organisation_name', 'text')
    .addColumn('organisation_id', 'integer', (c) => c.references('organisation.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()

  await db.schema
    .createTable('assessment')
    .$call(withId(db))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('questionnaire_version_id', 'integer', (c) => c.notNull().references('questionnaire_version.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'submitted', 'returned', 'reviewed')`),
    )
    .addColumn('requested_by', 'integer', (c) => c.references('organisation.id'))
    .addColumn('due_date', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('user_account.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('reviewed_at', 'text')
    // Bumped on every change of answers or status: a save made on a stale copy is refused.
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.createIndex('assessment_org_idx').on('assessment').column('organisation_id').execute()

  await db.schema
    .createTable('assessment_access')
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('requested', 'shared')`))
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addPrimaryKeyConstraint('assessment_access_pk', ['assessment_id', 'organisation_id'])
    .execute()
  await db.schema.createIndex('assessment_access_org_idx').on('assessment_access').column('organisation_id').execute()

  await db.schema
    .createTable('answer')
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('comment', 'text')
    .addColumn('updated_by', 'integer', (c) => c.references('user_account.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('answer_pk', ['assessment_id', 'question_id'])
    .execute()

  await db.schema
    .createTable('audit_log')
    .$call(withId(db))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('assessment_id', 'integer', (c) => c.references('assessment.id'))
    .addColumn('actor_user_id', 'integer', (c) => c.references('user_account.id'))
    .addColumn('actor_token_id', 'integer', (c) => c.references('api_token.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('audit_log_org_idx').on('audit_log').columns(['organisation_id', 'id']).execute()
  await db.schema.createIndex('audit_log_assessment_idx').on('audit_log').columns(['assessment_id', 'id']).execute()
  // Append-only: the log must be trustworthy after the fact.
  await forbidChanges(db, 'audit_log', 'the audit log is append-only')
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await dropChangeGuard(db, 'audit_log', 'update')
  await dropChangeGuard(db, 'audit_log', 'delete')
  for (const t of [
    'audit_log',
    'answer',
    'assessment_access',
    'assessment',
    'invitation',
    'api_token',
    'session',
    'user_account',
    'brand_supplier',
    'organisation',
  ]) {
    await db.schema.dropTable(t).execute()
  }
}
