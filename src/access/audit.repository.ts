import type SQLite from 'better-sqlite3'
import type { Insertable, Kysely, Transaction } from 'kysely'
import type { Database } from '../db/database.ts'
import type { AuditLogTable } from './access.table.ts'
import type { Principal } from './principal.ts'

type Conn = Kysely<Database> | Transaction<Database>

export type AuditEntry = {
  organisationId: number
  assessmentId?: number | null
  action: string
  entity: string
  entityId?: string | number | null
  oldValue?: unknown
  newValue?: unknown
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v))

function rowOf(e: AuditEntry, actor: Principal | null, at: string): Required<Omit<Insertable<AuditLogTable>, 'id'>> {
  return {
    organisation_id: e.organisationId,
    assessment_id: e.assessmentId ?? null,
    actor_user_id: actor?.userId ?? null,
    actor_token_id: actor?.tokenId ?? null,
    action: e.action,
    entity: e.entity,
    entity_id: e.entityId === undefined || e.entityId === null ? null : String(e.entityId),
    old_value: json(e.oldValue),
    new_value: json(e.newValue),
    created_at: at,
  }
}

/** The rows `record` would append, for callers that insert many entries' rows in one statement. */
export function auditRows(actor: Principal | null, entries: AuditEntry[], now: Date = new Date()) {
  const at = now.toISOString()
  return entries.map((e) => rowOf(e, actor, at))
}

/** Appends to the audit log; callers pass the same transaction as the change they record. */
export async function record(
  db: Conn,
  actor: Principal | null,
  entries: AuditEntry[],
  now: Date = new Date(),
): Promise<void> {
  if (entries.length === 0) return
  const at = now.toISOString()
  for (let i = 0; i < entries.length; i += 200) {
    await db
      .insertInto('audit_log')
      .values(entries.slice(i, i + 200).map((e) => rowOf(e, actor, at)))
      .execute()
  }
}

/** The same, inside a raw transaction (the answer-save path, see db/raw.ts). */
export function recordRaw(sqlite: SQLite.Database, actor: Principal | null, entries: AuditEntry[], now = new Date()) {
  const at = now.toISOString()
  // Positional parameters: binding by name costs about twice as much here, on every save.
  const insert = sqlite.prepare(
    `insert into audit_log (organisation_id, assessment_id, actor_user_id, actor_token_id, action, entity, entity_id,
      old_value, new_value, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  for (const e of entries) {
    const r = rowOf(e, actor, at)
    insert.run(
      r.organisation_id,
      r.assessment_id,
      r.actor_user_id,
      r.actor_token_id,
      r.action,
      r.entity,
      r.entity_id,
      r.old_value,
      r.new_value,
      r.created_at,
    )
  }
}

/** Entries with who made them (a person or an API token), newest first. */
function entries(db: Conn, filter: { column: 'a.organisation_id' | 'a.assessment_id'; id: number }, limit: number) {
  return db
    .selectFrom('audit_log as a')
    .leftJoin('user_account as u', 'u.id', 'a.actor_user_id')
    .leftJoin('api_token as t', 't.id', 'a.actor_token_id')
    .select([
      'a.id',
      'a.action',
      'a.entity',
      'a.entity_id',
      'a.assessment_id',
      'a.old_value',
      'a.new_value',
      'a.created_at',
      'u.name as user_name',
      'u.email as user_email',
      't.name as token_name',
      // The organisation that acted, for the sharing rules (a brand sees only its own and the respondent's).
      (eb) => eb.fn.coalesce('u.organisation_id', 't.organisation_id').as('actor_organisation_id'),
    ])
    .where(filter.column, '=', filter.id)
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute()
}

export function listForOrganisation(db: Conn, organisationId: number, limit = 200) {
  return entries(db, { column: 'a.organisation_id', id: organisationId }, limit)
}

export function listForAssessment(db: Conn, assessmentId: number, limit = 500) {
  return entries(db, { column: 'a.assessment_id', id: assessmentId }, limit)
}
