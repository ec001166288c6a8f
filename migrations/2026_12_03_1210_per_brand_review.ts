import { type Kysely, sql } from 'kysely'
import { dropChangeGuard, onPostgres, restoreChangeGuard } from './portable.ts'

// Frozen in time: this file must keep working whatever the application code becomes.
//
// Several brands on one assessment (docs/sharing.md):
// - a score snapshot names the brand whose review it scores (null: the respondent's own, self-assessed score);
// - a request can be declined by the respondent: a status of its own, with the reason the brand sees.
//
// SQLite cannot change a CHECK constraint in place, so the assessment table is rebuilt from its own stored
// definition (whatever columns earlier migrations gave it), with foreign keys off for the swap only.
// PostgreSQL replaces the constraint (named by PostgreSQL's rule: table_column_check).

const OLD_STATUSES = "status in ('draft', 'submitted', 'returned', 'reviewed')"
const NEW_STATUSES = "status in ('draft', 'submitted', 'returned', 'reviewed', 'declined')"

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
async function rebuildAssessment(db: Kysely<any>, from: string, to: string): Promise<void> {
  if (onPostgres(db)) {
    await sql`alter table assessment drop constraint assessment_status_check`.execute(db)
    await sql.raw(`alter table assessment add constraint assessment_status_check check (${to})`).execute(db)
    return
  }
  const table = await sql<{
    sql: string
  }>`select sql from sqlite_master where type = 'table' and name = 'assessment'`.execute(db)
  const create = table.rows[0]?.sql
  if (!create?.includes(from)) throw new Error(`assessment's status check is not "${from}"`)
  const indexes = await sql<{
    sql: string
  }>`select sql from sqlite_master where type = 'index' and tbl_name = 'assessment' and sql is not null`.execute(db)
  await sql`pragma foreign_keys = off`.execute(db)
  try {
    await sql`begin immediate`.execute(db)
    try {
      await sql
        .raw(create.replace(/^create table "?assessment"?/i, 'create table "assessment_rebuilt"').replace(from, to))
        .execute(db)
      await sql`insert into assessment_rebuilt select * from assessment`.execute(db)
      await sql`drop table assessment`.execute(db)
      await sql`alter table assessment_rebuilt rename to assessment`.execute(db)
      for (const i of indexes.rows) await sql.raw(i.sql).execute(db)
      const broken = await sql`pragma foreign_key_check`.execute(db)
      if (broken.rows.length > 0) throw new Error(`foreign keys broken by the rebuild: ${JSON.stringify(broken.rows)}`)
      await sql`commit`.execute(db)
    } catch (err) {
      await sql`rollback`.execute(db)
      throw err
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db)
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function up(db: Kysely<any>): Promise<void> {
  await rebuildAssessment(db, OLD_STATUSES, NEW_STATUSES)
  await db.schema.alterTable('assessment').addColumn('declined_at', 'text').execute()
  await db.schema.alterTable('assessment').addColumn('decline_reason', 'text').execute()

  await db.schema.alterTable('score_snapshot').addColumn('reviewer_organisation_id', 'integer').execute()
  await db.schema
    .createIndex('score_snapshot_reviewer_idx')
    .on('score_snapshot')
    .columns(['assessment_id', 'reviewer_organisation_id', 'id'])
    .execute()
  // Snapshots taken by a review (not a submission) belong to the brand that made it: the audit entry written
  // in the same transaction names its actor; failing that, the brand that requested the assessment.
  await dropChangeGuard(db, 'score_snapshot', 'update')
  await sql`update score_snapshot set reviewer_organisation_id = coalesce(
      (select coalesce(u.organisation_id, t.organisation_id) from audit_log l
        left join user_account u on u.id = l.actor_user_id
        left join api_token t on t.id = l.actor_token_id
        where l.assessment_id = score_snapshot.assessment_id and l.created_at = score_snapshot.created_at
          and l.action in ('review', 'return', 'raise_suspected_flag')
        order by l.id limit 1),
      (select a.requested_by from assessment a where a.id = score_snapshot.assessment_id))
    where reason not in ('submitted', 'resubmitted')`.execute(db)
  await restoreChangeGuard(db, 'score_snapshot', 'update', 'score_snapshot rows are immutable')
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('score_snapshot_reviewer_idx').execute()
  await db.schema.alterTable('score_snapshot').dropColumn('reviewer_organisation_id').execute()
  // A declined request goes back to being a draft: the old schema has no word for it.
  await sql`update assessment set status = 'draft' where status = 'declined'`.execute(db)
  await db.schema.alterTable('assessment').dropColumn('decline_reason').execute()
  await db.schema.alterTable('assessment').dropColumn('declined_at').execute()
  await rebuildAssessment(db, NEW_STATUSES, OLD_STATUSES)
}
