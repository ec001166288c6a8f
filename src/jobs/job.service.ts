import type { Conn } from '../db/database.ts'
import * as repo from './job.repository.ts'
import type { JobRow } from './job.table.ts'
import { type JobKind, type JobPayloads, MAX_ATTEMPTS } from './kinds.ts'

export type EnqueueOptions = {
  organisationId?: number | null
  createdBy?: number | null
  /** At most one queued or running job per key; asking again returns that job. */
  dedupeKey?: string | null
  runAt?: Date
  maxAttempts?: number
  now?: Date
}

/**
 * Queues a job. Called inside the caller's transaction when the job belongs with a change (a rubric made
 * current queues its re-score in the same transaction, so one never happens without the other).
 */
export function enqueue<K extends string>(
  db: Conn,
  kind: K,
  payload: K extends JobKind ? JobPayloads[K] : unknown,
  o: EnqueueOptions = {},
): Promise<{ job: JobRow; created: boolean }> {
  const now = o.now ?? new Date()
  return repo.insertJob(db, {
    kind,
    payload: JSON.stringify(payload ?? {}),
    organisation_id: o.organisationId ?? null,
    created_by: o.createdBy ?? null,
    status: 'queued',
    max_attempts: o.maxAttempts ?? MAX_ATTEMPTS[kind as JobKind] ?? 5,
    run_at: (o.runAt ?? now).toISOString(),
    dedupe_key: o.dedupeKey ?? null,
    created_at: now.toISOString(),
  })
}

export function jobById(db: Conn, id: number) {
  return repo.findById(db, id)
}

/** The progress of a job as a fraction from 0 to 1, or null when its size is not known yet. */
export function fractionDone(job: Pick<JobRow, 'progress_done' | 'progress_total' | 'status'>): number | null {
  if (job.status === 'done') return 1
  if (!job.progress_total) return null
  return Math.min(1, job.progress_done / job.progress_total)
}
