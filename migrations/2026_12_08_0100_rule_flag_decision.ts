import { type Kysely, sql } from 'kysely'
import { withId } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes.

/**
 * Risk model 2026.2: a consistency rule of the rubric raises a suspected red flag when two answers contradict
 * each other. A reviewing brand clears it (the answers are explained) or confirms it (a red flag). One row per
 * decision, the last one per assessment, brand and rule being the current one, like review_decision.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rule_flag_decision')
    .$call(withId(db))
    .addColumn('assessment_id', 'integer', (c) => c.notNull().references('assessment.id'))
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisation.id'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull().check(sqlIn(['cleared', 'confirmed'])))
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('user_account.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('rule_flag_decision_assessment_idx')
    .on('rule_flag_decision')
    .columns(['assessment_id', 'organisation_id'])
    .execute()
}

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rule_flag_decision').execute()
}

function sqlIn(values: string[]) {
  return sql`decision in (${sql.join(values.map((v) => sql.lit(v)))})`
}
