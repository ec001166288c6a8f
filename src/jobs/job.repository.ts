import type { ExpressionBuilder, Insertable, Updateable } from 'kysely'
import type { Conn, Database } from '../db/database.ts'
import { isPostgres } from '../db/engine.ts'
import type { JobRow, JobStatus, JobTable } from './job.table.ts'

/**
 * Every query on `job`. A worker owns a job while `locked_by` names it and its lease (`locked_until`) has not
 * passed; each write a worker makes to a job it runs checks both, so a worker that lost its job (its lease
 * passed and another worker claimed the job, or the job was cancelled) changes nothing.
 */

const UNFINISHED = ['queued', 'running'] as const

/**
 * Adds a job. With a dedupe key already held by a queued or running job nothing is added and that job is
 * returned instead (`created: false`).
 */
export async function insertJob(db: Conn, row: Insertable<JobTable>): Promise<{ job: JobRow; created: boolean }> {
  // No conflict target: PostgreSQL and SQLite both accept a bare DO NOTHING for any unique index, partial ones
  // included, which spares spelling the partial index's predicate here.
  const inserted = await db
    .insertInto('job')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted) return { job: inserted, created: true }
  const existing = row.dedupe_key ? await findUnfinishedByKey(db, row.dedupe_key) : undefined
  // The holder finished between the insert and this read: rare; the caller may ask again.
  if (!existing) throw new Error(`job "${row.dedupe_key}" could not be queued; try again`)
  return { job: existing, created: false }
}

export function findUnfinishedByKey(db: Conn, key: string) {
  return db
    .selectFrom('job')
    .selectAll()
    .where('dedupe_key', '=', key)
    .where('status', 'in', UNFINISHED)
    .executeTakeFirst()
}

export function findById(db: Conn, id: number) {
  return db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst()
}

export type Claim = { workerId: string; kinds: readonly string[]; now: string; lockedUntil: string }

/**
 * Takes the next job due: a queued one whose time has come, or a running one whose worker's lease has passed
 * (its process died or hung) and that has attempts left. One statement, so two workers never take the same row:
 * on PostgreSQL the row is locked with FOR UPDATE SKIP LOCKED (a second worker skips it rather than waiting);
 * on SQLite the statement holds the database's one write lock from start to end.
 */
export async function claimNext(db: Conn, c: Claim): Promise<JobRow | undefined> {
  if (c.kinds.length === 0) return undefined
  const due = db
    .selectFrom('job')
    .select('id')
    .where('kind', 'in', c.kinds)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', c.now)]),
        eb.and([
          eb('status', '=', 'running'),
          eb('locked_until', '<', c.now),
          eb('attempts', '<', eb.ref('max_attempts')),
        ]),
      ]),
    )
    .orderBy('run_at')
    .orderBy('id')
    .limit(1)
  const next = isPostgres(db) ? due.forUpdate().skipLocked() : due
  return db.updateTable('job').set(claimed(c)).where('id', '=', next).returningAll().executeTakeFirst()
}

/** What a claim writes: running, one more attempt, leased to this worker (first start kept). */
function claimed(c: Omit<Claim, 'kinds'>) {
  return (eb: ExpressionBuilder<Database, 'job'>) => ({
    status: 'running' as const,
    attempts: eb('attempts', '+', 1),
    locked_by: c.workerId,
    locked_until: c.lockedUntil,
    started_at: eb.fn.coalesce('started_at', eb.val(c.now)),
  })
}

/** The same for one job (the command line runs the job it has just queued); undefined if another worker has it. */
export function claimById(db: Conn, id: number, c: Omit<Claim, 'kinds'>): Promise<JobRow | undefined> {
  return db
    .updateTable('job')
    .set(claimed(c))
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'queued'),
        eb.and([
          eb('status', '=', 'running'),
          eb('locked_until', '<', c.now),
          eb('attempts', '<', eb.ref('max_attempts')),
        ]),
      ]),
    )
    .returningAll()
    .executeTakeFirst()
}

/**
 * Jobs whose worker died on their last attempt: failed, so that a job that kills its process is not run for ever.
 */
export async function failAbandoned(db: Conn, now: string): Promise<number> {
  const r = await db
    .updateTable('job')
    .set({
      status: 'failed',
      error: 'the process running it stopped before it finished, on every attempt',
      locked_by: null,
      locked_until: null,
      finished_at: now,
    })
    .where('status', '=', 'running')
    .where('locked_until', '<', now)
    .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}

/** A write to a job this worker holds; false when it no longer holds it. */
async function updateHeld(db: Conn, id: number, workerId: string, set: Updateable<JobTable>): Promise<boolean> {
  const r = await db
    .updateTable('job')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** Extends the lease, with the progress so far when given. */
export function renew(
  db: Conn,
  id: number,
  workerId: string,
  lockedUntil: string,
  progress?: { done: number; total: number | null },
): Promise<boolean> {
  return updateHeld(db, id, workerId, {
    locked_until: lockedUntil,
    ...(progress ? { progress_done: progress.done, progress_total: progress.total } : {}),
  })
}

export function markDone(
  db: Conn,
  id: number,
  workerId: string,
  f: { result: string | null; now: string; expiresAt: string | null },
): Promise<boolean> {
  return updateHeld(db, id, workerId, {
    status: 'done',
    result: f.result,
    error: null,
    finished_at: f.now,
    expires_at: f.expiresAt,
    locked_by: null,
    locked_until: null,
  })
}

/** A recurring job: queued again for `runAt`, its attempts counted afresh. */
export function requeue(db: Conn, id: number, workerId: string, f: { runAt: string; result: string | null }) {
  return updateHeld(db, id, workerId, {
    status: 'queued',
    run_at: f.runAt,
    attempts: 0,
    result: f.result,
    error: null,
    locked_by: null,
    locked_until: null,
    started_at: null,
  })
}

/** The attempt failed and another is due at `runAt`. */
export function retryLater(db: Conn, id: number, workerId: string, f: { runAt: string; error: string }) {
  return updateHeld(db, id, workerId, {
    status: 'queued',
    run_at: f.runAt,
    error: f.error,
    locked_by: null,
    locked_until: null,
  })
}

export function markFailed(db: Conn, id: number, workerId: string, f: { error: string; now: string }) {
  return updateHeld(db, id, workerId, {
    status: 'failed',
    error: f.error,
    finished_at: f.now,
    locked_by: null,
    locked_until: null,
  })
}

/**
 * Gives a job back unfinished because its worker is stopping (not the job's fault): queued again at once, and
 * the attempt it had is not counted.
 */
export async function release(db: Conn, id: number, workerId: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('job')
    .set((eb) => ({
      status: 'queued',
      run_at: now,
      attempts: eb('attempts', '-', 1),
      locked_by: null,
      locked_until: null,
    }))
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** The latest jobs of one kind for an organisation, newest first. */
export function listForOrganisation(db: Conn, organisationId: number, kind: string, limit: number) {
  return db
    .selectFrom('job')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('kind', '=', kind)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

/** Finished jobs whose output has expired. */
export function expiredOf(db: Conn, now: string) {
  return db
    .selectFrom('job')
    .select(['id', 'kind'])
    .where('status', '=', 'done')
    .where('expires_at', '<=', now)
    .orderBy('id')
    .execute()
}

/** Which of these ids are jobs that still hold (or will hold) an output: unfinished, or done and not expired. */
export async function liveIds(db: Conn, ids: number[], now: string): Promise<Set<number>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .selectFrom('job')
    .select('id')
    .where('id', 'in', ids)
    .where((eb) =>
      eb.or([
        eb('status', 'in', UNFINISHED),
        eb.and([eb('status', '=', 'done'), eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])]),
      ]),
    )
    .execute()
  return new Set(rows.map((r) => r.id))
}

export async function deleteByIds(db: Conn, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500)
    await db
      .deleteFrom('job')
      .where('id', 'in', ids.slice(i, i + 500))
      .execute()
}

/** Finished jobs (done, failed, cancelled) older than `before` that have nothing left to expire. */
export async function deleteFinishedBefore(db: Conn, before: string): Promise<number> {
  const r = await db
    .deleteFrom('job')
    .where('status', 'in', ['done', 'failed', 'cancelled'])
    .where('finished_at', '<', before)
    .where('expires_at', 'is', null)
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}

/** The latest jobs, newest first, for operators (`fairhire jobs list`, the re-score page). */
export function listRecent(db: Conn, o: { status?: JobStatus; kind?: string; limit: number }) {
  let q = db.selectFrom('job').selectAll().orderBy('id', 'desc').limit(o.limit)
  if (o.status) q = q.where('status', '=', o.status)
  if (o.kind) q = q.where('kind', '=', o.kind)
  return q.execute()
}
