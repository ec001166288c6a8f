import type { Insertable } from 'kysely'
import type { Conn } from '../db/database.ts'
import type { ReviewDecisionTable, RuleFlagDecisionTable, SuspectedFlagTable } from './assessment.table.ts'

/** Each brand's review: its decisions on answers and its suspected red flags (who reads which: sharing.policy). */

/**
 * Review decisions of every brand in the order they were made, with the brand's name; callers keep what
 * sharing.policy lets the reader see (the last one per question and brand is the current one).
 */
export function decisionsQuery(db: Conn, assessmentId: number) {
  return db
    .selectFrom('review_decision as d')
    .innerJoin('organisation as ro', 'ro.id', 'd.organisation_id')
    .selectAll('d')
    .select('ro.name as organisation_name')
    .where('d.assessment_id', '=', assessmentId)
    .orderBy('d.id')
}

export async function insertDecision(db: Conn, row: Insertable<ReviewDecisionTable>): Promise<void> {
  await db.insertInto('review_decision').values(row).execute()
}

/** One brand's decisions, in the order they were made (the last one per question is the current one). */
export function decisionsBy(db: Conn, assessmentId: number, organisationId: number) {
  return db
    .selectFrom('review_decision')
    .select(['question_id', 'decision', 'method'])
    .where('assessment_id', '=', assessmentId)
    .where('organisation_id', '=', organisationId)
    .orderBy('id')
    .execute()
}

export async function insertFlag(db: Conn, row: Insertable<SuspectedFlagTable>): Promise<void> {
  await db.insertInto('suspected_flag').values(row).execute()
}

/** Every brand's suspected flags, in the order they were raised. */
export function flagsOf(db: Conn, assessmentId: number) {
  return db.selectFrom('suspected_flag').selectAll().where('assessment_id', '=', assessmentId).orderBy('id').execute()
}

/** One brand's flags still open: they hold its reviewed score. */
export function openFlagsBy(db: Conn, assessmentId: number, organisationId: number) {
  return db
    .selectFrom('suspected_flag')
    .select(['question_id', 'indicator', 'reason'])
    .where('assessment_id', '=', assessmentId)
    .where('organisation_id', '=', organisationId)
    .where('closed_at', 'is', null)
    .execute()
}

export async function insertRuleDecision(db: Conn, row: Insertable<RuleFlagDecisionTable>): Promise<void> {
  await db.insertInto('rule_flag_decision').values(row).execute()
}

/** One brand's decisions on consistency-rule flags, in order (the last per rule is the current one). */
export function ruleDecisionsBy(db: Conn, assessmentId: number, organisationId: number) {
  return db
    .selectFrom('rule_flag_decision')
    .select(['rule_id', 'decision', 'comment', 'created_at'])
    .where('assessment_id', '=', assessmentId)
    .where('organisation_id', '=', organisationId)
    .orderBy('id')
    .execute()
}
