import type { FastifyInstance } from 'fastify'
import type { Principal } from '../../src/access/principal.ts'
import type { Conn } from '../../src/db/database.ts'
import type { JobRow } from '../../src/jobs/job.table.ts'
import { requestExport } from '../../src/portfolio/portfolio-export.service.ts'

/** A clock the test moves by hand, for the worker's idea of now (backoff, leases, expiry). */
export function manualClock(start = new Date('2026-12-07T10:00:00.000Z')) {
  let t = start.getTime()
  return {
    now: () => new Date(t),
    set: (d: Date) => {
      t = d.getTime()
    },
    advance: (ms: number) => {
      t += ms
    },
  }
}

export function jobRow(db: Conn, id: number): Promise<JobRow> {
  return db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/**
 * Waits until `check` returns a value (not undefined), polling; fails after `timeoutMs` with `what`. Not a timed
 * assertion: the wait is only an upper bound for work that normally ends in well under a second.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Waits until the job has finished (done, failed or cancelled) and returns its row. */
export function finished(db: Conn, id: number, timeoutMs?: number): Promise<JobRow> {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const row = await jobRow(db, id)
      return row.status === 'queued' || row.status === 'running' ? undefined : row
    },
    timeoutMs,
  )
}

/** A finished portfolio export of the principal's brand, run by the app's own worker; its job id. */
export async function finishedExport(app: FastifyInstance, p: Principal): Promise<number> {
  const { export: e } = await requestExport(app.db, p)
  app.jobs.wake()
  const row = await finished(app.db, e.id)
  if (row.status !== 'done') throw new Error(`the export failed: ${row.error}`)
  return e.id
}
