import { once } from 'node:events'
import { accessSync, constants, createWriteStream, existsSync, statSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { finished } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { queueRescore, type RescoreOutcome, rescoreAll } from '../assessment/rescore.service.ts'
import { changedRows, changesInput, RescoreError } from '../assessment/rescore-report.service.ts'
import type { Db } from '../db/connection.ts'
import { jobById } from '../jobs/job.service.ts'
import type { JobPayloads } from '../jobs/kinds.ts'
import { type JobHandler, Worker } from '../jobs/worker.ts'
import { writeRescoreChanges } from '../reports/rescore-changes/build.ts'
import { RATINGS } from '../scoring/rubric.schema.ts'
import { getRubricVersion, RESCORE_KIND, RubricNotFound } from '../scoring/rubric.service.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'
import { type Progress, progress } from './progress.ts'

/**
 * Re-scores now, in this process, what a rubric change left on an older version: the same job the server runs in
 * the background (assessment/rescore.service.ts), queued if it is not already, then claimed and run here. If a
 * server's worker holds it already, this follows its progress until it ends. With --changes, then writes the
 * "what changed" workbook of that job (reports/rescore-changes/); with --job as well, writes the workbook of an
 * earlier job and runs nothing (a second run finds nothing left to re-score, so its own workbook would be empty).
 */
export const rescoreCommand: Command = {
  name: 'rescore',
  summary:
    're-score every stored score made with an older version of the rubric (the server also does this after a rubric import); --changes writes a workbook of the ratings that moved and why, --job that of an earlier re-score',
  usage: 'fairhire rescore [--rubric <id>] [--changes <out.xlsx> [--job <id>]]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { rubric: { type: 'string' }, changes: { type: 'string' }, job: { type: 'string' } },
    })
    // Checked before any work: a long re-score should not end in "cannot write".
    const changesPath = values.changes === undefined ? null : writablePath(values.changes)
    if (values.job !== undefined) {
      const id = Number(values.job)
      if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError('--job must be a re-score job id (a whole number)')
      if (!changesPath) throw new UsageError('--job needs --changes <out.xlsx>: where to write its workbook')
      if (values.rubric !== undefined) throw new UsageError('--job writes an earlier re-score: leave out --rubric')
      return withDatabase(async (db) => writeChanges(db, id, changesPath))
    }
    return withDatabase(async (db) => {
      let version: Awaited<ReturnType<typeof getRubricVersion>>
      try {
        version = await getRubricVersion(db, values.rubric)
      } catch (err) {
        if (err instanceof RubricNotFound) throw new UsageError(err.message)
        throw err
      }
      const spec = `${version.id}@${version.revision}`
      const { job } = await queueRescore(db, version)
      const bar = progress({ label: `re-scoring with rubric ${spec}`, unit: 'assessments' })
      let outcome: RescoreOutcome | null = null
      const handler: JobHandler<JobPayloads['rescore']> = {
        kind: RESCORE_KIND,
        async run(ctx) {
          outcome = await rescoreAll(db, ctx.payload, {
            signal: ctx.signal,
            now: ctx.now,
            jobId: ctx.job.id,
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
      return changesPath ? writeChanges(db, job.id, changesPath) : 0
    })
  },
}

/**
 * The absolute path of a workbook to write, refused now (a usage error naming it) if it cannot be written: its
 * folder missing or read-only, or the path a folder or a read-only file.
 */
function writablePath(path: string): string {
  if (path === '') throw new UsageError('--changes needs a file name, such as changes.xlsx')
  const full = resolve(path)
  const dir = dirname(full)
  if (existsSync(full) && statSync(full).isDirectory())
    throw new UsageError(`--changes: ${path} is a folder; give a file name, such as ${join(path, 'changes.xlsx')}`)
  if (!existsSync(dir)) throw new UsageError(`--changes: cannot write ${path}: the folder ${dir} does not exist`)
  if (!statSync(dir).isDirectory()) throw new UsageError(`--changes: cannot write ${path}: ${dir} is not a folder`)
  try {
    accessSync(existsSync(full) ? full : dir, constants.W_OK)
  } catch {
    throw new UsageError(
      `--changes: cannot write ${path}: ${existsSync(full) ? 'the file is read-only' : `the folder ${dir} is not writable`}`,
    )
  }
  return full
}

/**
 * Writes a finished re-score job's "what changed" workbook, aside then renamed, so that a failure never leaves a
 * half-written file under the name asked for.
 */
async function writeChanges(db: Db, jobId: number, path: string): Promise<number> {
  let input: Awaited<ReturnType<typeof changesInput>>
  try {
    input = await changesInput(db, jobId)
  } catch (err) {
    if (err instanceof RescoreError) {
      process.stderr.write(`fairhire: job ${jobId}: ${err.message}\n`)
      return err.status === 404 ? 2 : 1
    }
    throw err
  }
  const part = join(dirname(path), `.${basename(path)}.part`)
  const out = createWriteStream(part)
  // A write that fails (the disk full) is reported below rather than thrown from the stream as uncaught.
  let failed: Error | null = null
  out.on('error', (err) => {
    failed = err
  })
  try {
    await once(out, 'open')
    await writeRescoreChanges(out, { ...input, rows: changedRows(db, jobId), generatedAt: new Date() })
    if (!out.writableFinished) await finished(out)
    if (failed) throw failed
    await rename(part, path)
  } catch (err) {
    out.destroy()
    await rm(part, { force: true })
    process.stderr.write(`fairhire: could not write ${path}: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
  const moved = input.moves.filter((m) => m.before !== m.after)
  const count = (ms: typeof moved) => ms.reduce((n, m) => n + m.count, 0)
  const worse = count(moved.filter((m) => RATINGS.indexOf(m.after) > RATINGS.indexOf(m.before)))
  process.stdout.write(
    `wrote ${path}: ${count(moved)} rating(s) changed (${worse} worse, ${count(moved) - worse} better), ${count(input.moves) - count(moved)} unchanged\n`,
  )
  return 0
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
