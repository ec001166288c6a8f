import type { Conn } from '../db/database.ts'
import type { RubricVersionRow } from './scoring.table.ts'

export function findByHash(db: Conn, rubricId: string, hash: string): Promise<RubricVersionRow | undefined> {
  return db
    .selectFrom('rubric_version')
    .selectAll()
    .where('rubric_id', '=', rubricId)
    .where('content_hash', '=', hash)
    .executeTakeFirst()
}

export async function nextRevision(db: Conn, rubricId: string): Promise<number> {
  const row = await db
    .selectFrom('rubric_version')
    .select((eb) => eb.fn.max('revision').as('max'))
    .where('rubric_id', '=', rubricId)
    .executeTakeFirst()
  return Number(row?.max ?? 0) + 1
}

export function insertVersion(db: Conn, v: Omit<RubricVersionRow, 'id'>): Promise<RubricVersionRow> {
  return db.insertInto('rubric_version').values(v).returningAll().executeTakeFirstOrThrow()
}

export async function insertCountries(
  db: Conn,
  versionId: number,
  rows: { code: string; name: string; points: number | null; basis: string }[],
): Promise<void> {
  // Batched: SQLite limits the number of bound variables per statement.
  for (let i = 0; i < rows.length; i += 100) {
    await db
      .insertInto('rubric_country_risk')
      .values(
        rows.slice(i, i + 100).map((r) => ({
          rubric_version_id: versionId,
          country_code: r.code,
          country_name: r.name,
          points: r.points,
          basis: r.basis,
        })),
      )
      .execute()
  }
}

export function countries(db: Conn, versionId: number) {
  return db
    .selectFrom('rubric_country_risk')
    .select(['country_code', 'country_name', 'points', 'basis'])
    .where('rubric_version_id', '=', versionId)
    .orderBy('country_code')
    .execute()
}

export function findCurrentId(db: Conn, rubricId: string): Promise<{ version_id: number } | undefined> {
  return db.selectFrom('rubric_current').select('version_id').where('rubric_id', '=', rubricId).executeTakeFirst()
}

export async function setCurrent(db: Conn, rubricId: string, versionId: number): Promise<void> {
  await db
    .insertInto('rubric_current')
    .values({ rubric_id: rubricId, version_id: versionId })
    .onConflict((oc) => oc.column('rubric_id').doUpdateSet({ version_id: versionId }))
    .execute()
}

export function findById(db: Conn, id: number): Promise<RubricVersionRow | undefined> {
  return db.selectFrom('rubric_version').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findByRevision(db: Conn, rubricId: string, revision: number): Promise<RubricVersionRow | undefined> {
  return db
    .selectFrom('rubric_version')
    .selectAll()
    .where('rubric_id', '=', rubricId)
    .where('revision', '=', revision)
    .executeTakeFirst()
}

export function listAll(db: Conn) {
  return db
    .selectFrom('rubric_version as v')
    .leftJoin('rubric_current as c', 'c.version_id', 'v.id')
    .select([
      'v.id',
      'v.rubric_id',
      'v.revision',
      'v.declared_version',
      'v.content_hash',
      'v.title',
      'v.origin',
      'v.created_at',
      'c.rubric_id as current_of',
    ])
    .orderBy('v.rubric_id')
    .orderBy('v.revision')
    .execute()
}
