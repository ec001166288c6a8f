import type { Conn } from '../db/database.ts'
import * as repo from './job.repository.ts'
import { deleteJobFile, deletePath, listJobFiles } from './job-files.ts'
import type { JobKind } from './kinds.ts'
import type { JobHandler } from './worker.ts'

/** Finished jobs are kept this long (the page lists them; failures can be read), then deleted. */
export const FINISHED_JOB_KEEP_DAYS = 30

/** A file no live job claims is left alone this long: it may be one being written right now. */
const ORPHAN_GRACE_MS = 60 * 60 * 1000

const HOUR = 60 * 60 * 1000

/** How often the sweep runs: a quarter of the retention, between one minute and one hour. */
export function sweepInterval(retentionHours: number): number {
  return Math.min(HOUR, Math.max(60_000, (retentionHours * HOUR) / 4))
}

export const SWEEP_KIND = 'jobs-sweep' satisfies JobKind

/**
 * The recurring clean-up: deletes the files of jobs whose output has expired (with the job), files no job
 * claims any more (a crashed write, a job deleted by hand), and finished jobs older than FINISHED_JOB_KEEP_DAYS.
 * Queued once per database (dedupe key) and queued again by itself after each run.
 */
export function sweepHandler(o: { db: Conn; filesDir: string; retentionHours: number }): JobHandler<unknown> {
  return {
    kind: SWEEP_KIND,
    async run(ctx) {
      const now = ctx.now()
      const iso = now.toISOString()
      let files = 0
      const expired = await repo.expiredOf(o.db, iso)
      for (const j of expired) {
        await deleteJobFile(o.filesDir, j.id, 'xlsx')
        files++
      }
      // The file goes first: a crash in between leaves a row to retry, never a file nobody will delete.
      await repo.deleteByIds(
        o.db,
        expired.map((j) => j.id),
      )
      const onDisk = await listJobFiles(o.filesDir)
      const live = await repo.liveIds(
        o.db,
        onDisk.map((f) => f.jobId),
        iso,
      )
      for (const f of onDisk) {
        if (live.has(f.jobId) || now.getTime() - f.modifiedAt.getTime() < ORPHAN_GRACE_MS) continue
        await deletePath(f.path)
        files++
      }
      const jobs = await repo.deleteFinishedBefore(
        o.db,
        new Date(now.getTime() - FINISHED_JOB_KEEP_DAYS * 24 * HOUR).toISOString(),
      )
      return {
        result: { files, expiredJobs: expired.length, oldJobs: jobs },
        again: new Date(now.getTime() + sweepInterval(o.retentionHours)),
      }
    },
  }
}
