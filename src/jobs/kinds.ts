/**
 * The kinds of background job and what each carries in its payload. A handler is registered for a kind by the
 * process that runs it (the server's worker: src/plugins/app/jobs.ts; the command line: its own commands).
 */
export type JobPayloads = {
  /** Re-scores every assessment whose latest score uses an older version of the rubric (assessment/rescore.service.ts). */
  rescore: { rubricId: string; versionId: number }
  /** A brand's portfolio spreadsheet, written to a file to download (portfolio/portfolio-export.job.ts). */
  'portfolio-export': { requestedBy: number | null }
  /** Deletes expired export files and old finished jobs; runs again every hour (jobs/sweep.job.ts). */
  'jobs-sweep': Record<string, never>
}

export type JobKind = keyof JobPayloads

/** How many times a kind is tried before it is marked failed. */
export const MAX_ATTEMPTS: Record<JobKind, number> = {
  rescore: 5,
  'portfolio-export': 3,
  'jobs-sweep': 3,
}
