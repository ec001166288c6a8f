import type { Conn } from '../db/database.ts'
import type { QuestionnaireVersionRow } from './questionnaire.table.ts'

export function findVersionByHash(
  db: Conn,
  questionnaireId: string,
  hash: string,
): Promise<QuestionnaireVersionRow | undefined> {
  return db
    .selectFrom('questionnaire_version')
    .selectAll()
    .where('questionnaire_id', '=', questionnaireId)
    .where('content_hash', '=', hash)
    .executeTakeFirst()
}

export async function nextRevision(db: Conn, questionnaireId: string): Promise<number> {
  const row = await db
    .selectFrom('questionnaire_version')
    .select((eb) => eb.fn.max('revision').as('max'))
    .where('questionnaire_id', '=', questionnaireId)
    .executeTakeFirst()
  return Number(row?.max ?? 0) + 1
}

export async function insertVersion(
  db: Conn,
  v: Omit<QuestionnaireVersionRow, 'id'>,
): Promise<QuestionnaireVersionRow> {
  return db.insertInto('questionnaire_version').values(v).returningAll().executeTakeFirstOrThrow()
}

export async function setCurrent(db: Conn, questionnaireId: string, versionId: number): Promise<void> {
  await db
    .insertInto('questionnaire_current')
    .values({ questionnaire_id: questionnaireId, version_id: versionId })
    .onConflict((oc) => oc.column('questionnaire_id').doUpdateSet({ version_id: versionId }))
    .execute()
}

export function listCurrent(db: Conn): Promise<QuestionnaireVersionRow[]> {
  return db
    .selectFrom('questionnaire_current as c')
    .innerJoin('questionnaire_version as v', 'v.id', 'c.version_id')
    .selectAll('v')
    .orderBy('v.questionnaire_id')
    .execute()
}

export function findCurrent(db: Conn, questionnaireId: string): Promise<QuestionnaireVersionRow | undefined> {
  return db
    .selectFrom('questionnaire_current as c')
    .innerJoin('questionnaire_version as v', 'v.id', 'c.version_id')
    .selectAll('v')
    .where('c.questionnaire_id', '=', questionnaireId)
    .executeTakeFirst()
}

export function listVersions(
  db: Conn,
  questionnaireId: string,
): Promise<Pick<QuestionnaireVersionRow, 'id' | 'revision' | 'declared_version' | 'content_hash' | 'created_at'>[]> {
  return db
    .selectFrom('questionnaire_version')
    .select(['id', 'revision', 'declared_version', 'content_hash', 'created_at'])
    .where('questionnaire_id', '=', questionnaireId)
    .orderBy('revision')
    .execute()
}

export function findVersionById(db: Conn, id: number): Promise<QuestionnaireVersionRow | undefined> {
  return db.selectFrom('questionnaire_version').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findVersionByRevision(
  db: Conn,
  questionnaireId: string,
  revision: number,
): Promise<QuestionnaireVersionRow | undefined> {
  return db
    .selectFrom('questionnaire_version')
    .selectAll()
    .where('questionnaire_id', '=', questionnaireId)
    .where('revision', '=', revision)
    .executeTakeFirst()
}

export function findVersionsByHashPrefix(
  db: Conn,
  questionnaireId: string,
  prefix: string,
): Promise<QuestionnaireVersionRow[]> {
  return db
    .selectFrom('questionnaire_version')
    .selectAll()
    .where('questionnaire_id', '=', questionnaireId)
    .where('content_hash', 'like', `${prefix}%`)
    .execute()
}
