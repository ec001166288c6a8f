import { type Insertable, sql } from 'kysely'
import { auditRows } from '../access/audit.repository.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import type { AnswerSaveTx, Owned, SaveReads } from './answer.store.ts'
import type { AnswerRow, AnswerTable } from './assessment.table.ts'

/**
 * The answer save on PostgreSQL, committed in groups as on SQLite (db/raw.ts groupWrite), for the same
 * reason: most of a small save's cost is its round trips and its COMMIT, and concurrent saves queue on the
 * same assessment row. The saves that arrive in one turn of the event loop run in one transaction:
 *
 * 1. the assessments they touch are locked (`FOR UPDATE`, in id order, so two groups never deadlock); every
 *    other writer of an assessment's answers, status or returns updates that row and so takes turns with us;
 * 2. with the locks held (READ COMMITTED: this statement sees every commit before it), the open returns and
 *    the stored answers of all of them are read in one statement;
 * 3. each save's `check` and `write` run in arrival order on that state held in memory, each seeing the ones
 *    before it; a refusal writes nothing and stops no other;
 * 4. the writes go out as few statements: one upsert of every answer row (the last row per question), one
 *    revision update per assessment, one audit insert in order, then the returns resolved.
 *
 * A caller hears back after COMMIT. If the transaction fails, each save is run again alone, so only the one
 * that breaks it fails.
 */

type Step<P, T> = { check: (tx: AnswerSaveTx) => P; write: (tx: AnswerSaveTx, plan: P) => T }
type Pending = {
  reads: SaveReads
  step: Step<unknown, unknown>
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
}
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }
type OpenReturn = { question_id: string; organisation_id: number; decision: 'returned' }

const queues = new WeakMap<Conn, Pending[]>()
const MAX_GROUP = 200

export function groupSaveOnPostgres<P, T>(db: Conn, reads: SaveReads, step: Step<P, T>): Promise<T> {
  let queue = queues.get(db)
  if (!queue) {
    queue = []
    queues.set(db, queue)
  }
  const q = queue
  return new Promise<T>((resolve, reject) => {
    q.push({ reads, step: step as Step<unknown, unknown>, resolve: resolve as (v: unknown) => void, reject })
    if (q.length === 1 && !inFlight.has(db)) setImmediate(() => void flush(db, q))
  })
}

/**
 * One group in flight per process: the saves that arrive meanwhile wait in the queue and make the next group
 * (larger under load, so fewer round trips and COMMITs a save). Several groups at once would each hold a
 * pooled connection while waiting for the same assessment's lock, and leave none for other requests.
 */
const inFlight = new WeakSet<Conn>()

async function flush(db: Conn, queue: Pending[]): Promise<void> {
  if (inFlight.has(db) || queue.length === 0) return
  inFlight.add(db)
  try {
    await flushGroup(db, queue.splice(0, MAX_GROUP))
  } finally {
    inFlight.delete(db)
    if (queue.length > 0) setImmediate(() => void flush(db, queue))
  }
}

async function flushGroup(db: Conn, group: Pending[]): Promise<void> {
  let outcomes: Outcome[]
  try {
    outcomes = await runTogether(db, group)
  } catch (error) {
    if (group.length === 1) {
      group[0]?.reject(error)
      return
    }
    outcomes = []
    for (const item of group) {
      try {
        outcomes.push(...(await runTogether(db, [item])))
      } catch (err) {
        outcomes.push({ ok: false, error: err })
      }
    }
  }
  group.forEach((item, i) => {
    const o = outcomes[i]
    if (o?.ok) item.resolve(o.value)
    else item.reject(o?.error)
  })
}

const key = (id: number, q: string) => `${id}\u0000${q}`

function runTogether(db: Conn, group: Pending[]): Promise<Outcome[]> {
  return inTransaction(
    db,
    async (trx) => {
      const ids = [...new Set(group.map((g) => g.reads.id))].sort((a, b) => a - b)
      const locked = await trx
        .selectFrom('assessment')
        .select(['id', 'organisation_id', 'requested_by', 'questionnaire_version_id', 'status', 'revision'])
        .where('id', 'in', ids)
        .orderBy('id')
        .forUpdate()
        .execute()
      const owned = new Map<number, Owned>(locked.map(({ id, ...row }) => [id, row]))
      const questions = [...new Set(group.flatMap((g) => g.reads.questionIds))]
      // Both reads in one round trip, after the locks.
      const state = await sql<{ returns: string; answers: string }>`select
          (select coalesce(json_agg(json_build_object('assessment_id', d.assessment_id, 'question_id', d.question_id,
             'organisation_id', d.organisation_id, 'decision', d.decision)), '[]'::json)
           from review_decision d where d.assessment_id = any(${ids}) and d.decision = 'returned' and d.resolved_at is null) as returns,
          (select coalesce(json_agg(a), '[]'::json) from answer a
           where a.assessment_id = any(${ids}) and a.question_id = any(${questions})) as answers`.execute(trx)
      const returns = new Map<number, OpenReturn[]>()
      for (const r of JSON.parse(state.rows[0]?.returns ?? '[]') as (OpenReturn & { assessment_id: number })[]) {
        const list = returns.get(r.assessment_id) ?? []
        list.push({ question_id: r.question_id, organisation_id: r.organisation_id, decision: 'returned' })
        returns.set(r.assessment_id, list)
      }
      const answers = new Map<string, AnswerRow>()
      for (const a of JSON.parse(state.rows[0]?.answers ?? '[]') as AnswerRow[])
        answers.set(key(a.assessment_id, a.question_id), a)

      const upserts = new Map<string, Required<Insertable<AnswerTable>>>()
      const revisions = new Map<number, number>()
      const audit: ReturnType<typeof auditRows> = []
      const resolutions: { id: number; questionIds: string[]; at: string }[] = []

      const outcomes: Outcome[] = []
      for (const { reads, step } of group) {
        const unread = (what: string) => new Error(`groupSave: ${what} was not named in the save's reads`)
        const tx: AnswerSaveTx = {
          owned: (id, org) => {
            if (id !== reads.id || org !== reads.organisationId) throw unread(`assessment ${id}`)
            const row = owned.get(id)
            return row && row.organisation_id === org ? { ...row } : undefined
          },
          openReturns: (id) => {
            if (id !== reads.id) throw unread(`assessment ${id}`)
            return [...(returns.get(id) ?? [])]
          },
          answersFor: (id, qs) => {
            if (id !== reads.id || qs.some((q) => !reads.questionIds.includes(q))) throw unread('an answer')
            return qs.flatMap((q) => {
              const row = answers.get(key(id, q))
              return row ? [{ ...row }] : []
            })
          },
          upsert: (row) => {
            answers.set(key(row.assessment_id, row.question_id), { ...row } as AnswerRow)
            upserts.set(key(row.assessment_id, row.question_id), row)
          },
          setRevision: (id, revision) => {
            const row = owned.get(id)
            if (row) row.revision = revision
            revisions.set(id, revision)
          },
          resolveReturns: (id, qs, at) => {
            const open = returns.get(id) ?? []
            returns.set(
              id,
              open.filter((r) => !qs.includes(r.question_id)),
            )
            if (qs.length > 0) resolutions.push({ id, questionIds: qs, at })
          },
          audit: (actor, entries, now) => audit.push(...auditRows(actor, entries, now)),
        }
        let plan: unknown
        try {
          plan = step.check(tx)
        } catch (error) {
          outcomes.push({ ok: false, error })
          continue
        }
        outcomes.push({ ok: true, value: step.write(tx, plan) })
      }

      if (upserts.size > 0)
        await trx
          .insertInto('answer')
          .values([...upserts.values()])
          .onConflict((oc) =>
            oc.columns(['assessment_id', 'question_id']).doUpdateSet((eb) => ({
              value: eb.ref('excluded.value'),
              comment: eb.ref('excluded.comment'),
              updated_by: eb.ref('excluded.updated_by'),
              updated_at: eb.ref('excluded.updated_at'),
              version: eb.ref('excluded.version'),
            })),
          )
          .execute()
      for (const [id, revision] of revisions)
        await trx.updateTable('assessment').set({ revision }).where('id', '=', id).execute()
      for (let i = 0; i < audit.length; i += 500)
        await trx
          .insertInto('audit_log')
          .values(audit.slice(i, i + 500))
          .execute()
      for (const r of resolutions)
        await trx
          .updateTable('review_decision')
          .set({ resolved_at: r.at })
          .where('assessment_id', '=', r.id)
          .where('decision', '=', 'returned')
          .where('resolved_at', 'is', null)
          .where('question_id', 'in', r.questionIds)
          .execute()
      return outcomes
    },
    { lockedFirst: true },
  )
}
