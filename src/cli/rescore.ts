import { parseArgs } from 'node:util'
import { type RescoreOutcome, rescoreAll } from '../assessment/rescore.service.ts'
import type { Db } from '../db/connection.ts'
import { enqueue, jobById } from '../jobs/job.service.ts'
import type { JobPayloads } from '../jobs/kinds.ts'
import { type JobHandler, Worker } from '../jobs/worker.ts'
import { getRubricVersion, RESCORE_KIND, RubricNotFound } from '../scoring/rubric.service.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'
import { type Progress, progress } from './progress.ts'

/**
 * Re-scores now, in this process, what a rubric change left on an older version: the same job the server runs in
 * the background (assessment/rescore.service.ts), queued if it is not already, then claimed and run here. If a
 * server's worker holds it already, this follows its progress until it ends.
 */
export const rescoreCommand: Command = {
  name: 'rescore',
  summary:
    're-score every stored score made with an older version of the rubric (the server also does this after a rubric import)',
  usage: 'fairhire rescore [--rubric <id>]',
  async run(args) {
    const { values } = parseArgs({ args, options: { rubric: { type: 'string' } } })
    return withDatabase(async (db) => {
      let version: Awaited<ReturnType<typeof getRubricVersion>>
      try {
        version = await getRubricVersion(db, values.rubric)
      } catch (err) {
        if (err instanceof RubricNotFound) throw new UsageError(err.message)
        throw err
      }
      const spec = `${version.id}@${version.revision}`
      const { job } = await enqueue(
        db,
        RESCORE_KIND,
        { rubricId: version.id, versionId: version.versionId },
        { dedupeKey: `${RESCORE_KIND}:${version.versionId}` },
      )
      const bar = progress({ label: `re-scoring with rubric ${spec}`, unit: 'assessments' })
      let outcome: RescoreOutcome | null = null
      const handler: JobHandler<JobPayloads['rescore']> = {
        kind: RESCORE_KIND,
        async run(ctx) {
          outcome = await rescoreAll(db, ctx.payload, {
            signal: ctx.signal,
            now: ctx.now,
            progress: async (done, total) => {
              bar.update(done, total)
              await ctx.progress(done, total)
            },
          })
          return { result: outcome }
        },
      }
      const worker = new Worker({ db, handlers: [handler] })
      if (!(await worker.runJob(job.id))) await follow(db, worker, job.id, bar)
      bar.finish()
      const row = await jobById(db, job.id)
      if (row?.status !== 'done') {
        process.stderr.write(
          `fairhire: the re-score did not finish (job ${job.id}, ${row?.status ?? 'gone'})${row?.error ? `: ${row.error}` : ''}\n`,
        )
        return 1
      }
      const result = (outcome ?? (row.result ? JSON.parse(row.result) : null)) as RescoreOutcome | null
      process.stdout.write(
        result
          ? `re-scored with rubric ${spec}: ${result.checked} assessment(s) checked, ${result.rescored} score snapshot(s) added\n`
          : `re-scored with rubric ${spec}\n`,
      )
      return 0
    })
  },
}

/** Another process holds the job: shows its progress until it ends, and takes the job over if that process dies. */
async function follow(db: Db, worker: Worker, id: number, bar: Progress): Promise<void> {
  for (;;) {
    const row = await jobById(db, id)
    if (!row || (row.status !== 'queued' && row.status !== 'running')) return
    bar.update(row.progress_done, row.progress_total)
    const orphaned = row.status === 'running' && (row.locked_until ?? '') < worker.now().toISOString()
    if ((row.status === 'queued' || orphaned) && (await worker.runJob(id))) return
    await new Promise((r) => setTimeout(r, 500))
  }
}
