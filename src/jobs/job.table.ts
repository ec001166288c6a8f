import type { Generated, Selectable } from 'kysely'

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]

/** One piece of background work (migrations/2026_12_07_1000_jobs.ts). */
export interface JobTable {
  id: Generated<number>
  kind: string
  /** What the handler needs, as JSON. */
  payload: string
  organisation_id: number | null
  created_by: number | null
  status: JobStatus
  /** Claims so far, the current one included. */
  attempts: Generated<number>
  max_attempts: number
  /** Not claimed before this time (a retry waits here). */
  run_at: string
  /** The worker holding the job while it runs, and until when (its lease). */
  locked_by: string | null
  locked_until: string | null
  progress_done: Generated<number>
  progress_total: number | null
  /** What the handler returned, as JSON. */
  result: string | null
  /** Why the last attempt failed. */
  error: string | null
  dedupe_key: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  /** When what the job made is deleted (an export's file). */
  expires_at: string | null
}

export type JobRow = Selectable<JobTable>
