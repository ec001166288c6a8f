import { parseArgs } from 'node:util'
import { listRecent } from '../jobs/job.repository.ts'
import { JOB_STATUSES, type JobStatus } from '../jobs/job.table.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'

/** What the background jobs are doing and what failed, for operators (docs/jobs.md). */
export const jobsListCommand: Command = {
  name: 'jobs list',
  summary: 'list the latest background jobs, with their progress and, for failed ones, the error',
  usage: `fairhire jobs list [--status ${JOB_STATUSES.join('|')}] [--limit n]`,
  async run(args) {
    const { values } = parseArgs({ args, options: { status: { type: 'string' }, limit: { type: 'string' } } })
    const status = values.status as JobStatus | undefined
    if (status !== undefined && !JOB_STATUSES.includes(status))
      throw new UsageError(`--status must be one of ${JOB_STATUSES.join(', ')}`)
    const limit = values.limit === undefined ? 20 : Number(values.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new UsageError('--limit must be a whole number from 1 to 1000')
    return withDatabase(async (db) => {
      const rows = await listRecent(db, { status, limit })
      if (rows.length === 0) process.stdout.write('no jobs\n')
      for (const j of rows) {
        const progress = j.progress_total === null ? '' : ` ${j.progress_done}/${j.progress_total}`
        const when = j.finished_at
          ? `finished ${j.finished_at}`
          : j.status === 'queued'
            ? `due ${j.run_at}`
            : `started ${j.started_at ?? ''}`
        process.stdout.write(
          `${j.id}  ${j.kind}  ${j.status}${progress}  attempt ${j.attempts}/${j.max_attempts}  ${when}${j.error ? `  error: ${j.error}` : ''}\n`,
        )
      }
      return 0
    })
  },
}
