import { requireOperator } from '../access/operator.service.ts'
import type { Principal } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { readSnapshot } from '../db/transaction.ts'
import { listRecent } from '../jobs/job.repository.ts'
import { fractionDone, jobById } from '../jobs/job.service.ts'
import type { JobRow } from '../jobs/job.table.ts'
import type { JobPayloads } from '../jobs/kinds.ts'
import type { RescoreChangeRow, RescoreChangesInput } from '../reports/rescore-changes/build.ts'
import type { RatingExplanation } from '../reports/rescore-changes/rule.ts'
import type { Rating } from '../scoring/rubric.schema.ts'
import { getRubricVersion, getRubricVersionById, listRubrics, RESCORE_KIND } from '../scoring/rubric.service.ts'
import { RESCORED_STATUSES } from './lifecycle.ts'
import { queueRescore, type RescoreOutcome } from './rescore.service.ts'
import * as changes from './rescore-change.repository.ts'

/**
 * Re-scoring for platform operators (access/operator.service.ts): what a re-score would change, queueing one,
 * following it, and the "what changed" workbook of a finished one (reports/rescore-changes/), read from what the
 * job recorded (rescore_change) rather than worked out again. Everything here spans every tenant, so every entry
 * point refuses anyone but an operator; the command line, run by whoever runs the server, calls the parts below
 * that take no principal.
 */

/** A refusal with the HTTP status it maps to (plugins/app/errors.ts). */
export class RescoreError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The form field to correct, when there is one. */
    readonly field?: string,
  ) {
    super(message)
    this.name = 'RescoreError'
  }
}

export type RescoreJobView = {
  id: number
  status: JobRow['status']
  /** The rubric version it re-scores with, as id@revision. */
  rubric: string
  done: number
  total: number | null
  fraction: number | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  /** A retry is waiting: the last attempt failed. */
  retrying: boolean
  error: string | null
  outcome: RescoreOutcome | null
  links: { self: string; changes: string | null }
}

export type RubricDue = {
  id: string
  revision: number
  version: string
  title: string
  /** Scores a re-score with this version would add (series whose latest score used an older version). */
  due: number
}

async function viewOf(db: Conn, job: JobRow): Promise<RescoreJobView> {
  const payload = JSON.parse(job.payload) as JobPayloads['rescore']
  const version = await getRubricVersionById(db, payload.versionId)
  const outcome = job.status === 'done' && job.result ? (JSON.parse(job.result) as RescoreOutcome) : null
  return {
    id: job.id,
    status: job.status,
    rubric: `${version.id}@${version.revision}`,
    done: job.progress_done,
    total: job.progress_total,
    fraction: fractionDone(job),
    createdAt: job.created_at,
    startedAt: job.started_at,
    finishedAt: job.finished_at,
    retrying: job.status === 'queued' && job.error !== null,
    error: job.status === 'failed' || job.status === 'queued' ? job.error : null,
    outcome,
    links: {
      self: `/operator/rescore/${job.id}`,
      changes: job.status === 'done' ? `/operator/rescore/${job.id}/changes.xlsx` : null,
    },
  }
}

/** Each rubric's current version and how many scores are still on an older one. */
export async function rubricsDue(db: Conn): Promise<RubricDue[]> {
  const current = (await listRubrics(db)).filter((r) => r.current_of !== null)
  const out: RubricDue[] = []
  for (const r of current)
    out.push({
      id: r.rubric_id,
      revision: r.revision,
      version: r.declared_version,
      title: r.title,
      due: await changes.countDue(db, r.rubric_id, r.id, RESCORED_STATUSES),
    })
  return out
}

/** The operator page: rubrics with what is due, and the latest re-score jobs. */
export async function rescoreOverview(db: Conn, p: Principal, limit = 10) {
  await requireOperator(db, p)
  const jobs = await listRecent(db, { kind: RESCORE_KIND, limit })
  const views: RescoreJobView[] = []
  for (const j of jobs) views.push(await viewOf(db, j))
  return { rubrics: await rubricsDue(db), jobs: views }
}

/**
 * Queues the re-score of a rubric's current version (or finds the one already queued or running, as the command
 * line does). `rubricId` comes from the page's form: an unknown one is a 400 naming the field.
 */
export async function requestRescore(db: Conn, p: Principal, rubricId: string) {
  await requireOperator(db, p)
  const version = await getRubricVersion(db, rubricId).catch((err: Error) => {
    if (err.name === 'RubricNotFound') throw new RescoreError(`There is no rubric "${rubricId}".`, 400, 'rubric')
    throw err
  })
  const { job, created } = await queueRescore(db, version, p.userId)
  return { job: await viewOf(db, job), created }
}

/** A re-score job, or "not found" for any other id. */
async function rescoreJob(db: Conn, id: number): Promise<JobRow> {
  const job = await jobById(db, id)
  if (!job || job.kind !== RESCORE_KIND)
    throw new RescoreError('Re-score not found. Finished jobs are deleted after 30 days.', 404)
  return job
}

export async function rescoreStatus(db: Conn, p: Principal, id: number): Promise<RescoreJobView> {
  await requireOperator(db, p)
  return viewOf(db, await rescoreJob(db, id))
}

/**
 * What the workbook needs of a finished re-score job, its rows aside (changedRows, read on a connection of the
 * caller's choosing). Refuses a job that has not finished: its rows are still being written.
 */
export async function changesInput(db: Conn, id: number): Promise<Omit<RescoreChangesInput, 'rows' | 'generatedAt'>> {
  const job = await rescoreJob(db, id)
  if (job.status !== 'done')
    throw new RescoreError(
      job.status === 'failed' || job.status === 'cancelled'
        ? 'This re-score did not finish, so there is no list of what it changed.'
        : 'This re-score has not finished yet; its list of changes comes when it has.',
      409,
    )
  const view = await viewOf(db, job)
  return {
    job: {
      id: job.id,
      rubric: view.rubric,
      finishedAt: job.finished_at,
      checked: view.outcome?.checked ?? null,
      rescored: view.outcome?.rescored ?? null,
      superseded: view.outcome?.superseded ?? false,
    },
    moves: (await changes.moveCounts(db, job.id)) as { before: Rating; after: Rating; count: number }[],
  }
}

/** The same for an operator (the download): 403 for anyone else. */
export async function changesInputFor(db: Conn, p: Principal, id: number) {
  await requireOperator(db, p)
  return changesInput(db, id)
}

/**
 * Rows read per query. Each comes back small (two rating explanations and a few numbers), but the database reads
 * two whole stored results (about 60 KB each) to find the explanations: on SQLite a query holds the process for
 * its length, so a chunk stays as short as the portfolio's (100 rows, about a tenth of a second).
 */
const CHUNK = 100

/**
 * The changed ratings of a job in the workbook's order, read from one snapshot of the database: the ordered ids
 * first (small), then the rows a chunk at a time, so memory stays flat whatever the number of suppliers.
 */
export async function* changedRows(db: Conn, jobId: number): AsyncGenerator<RescoreChangeRow> {
  yield* readSnapshot(db, async function* (trx) {
    const ids = await changes.movedInOrder(trx, jobId)
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK)
      const byId = new Map((await changes.changeDetails(trx, jobId, chunk)).map((r) => [r.after_snapshot_id, r]))
      for (const id of chunk) {
        const r = byId.get(id)
        if (!r) continue
        yield {
          organisation: r.organisation,
          questionnaire: `${r.questionnaire_id} ${r.questionnaire_version}`,
          assessmentId: r.assessment_id,
          reviewer: r.reviewer,
          before: {
            snapshotId: r.before_snapshot_id,
            rubric: `${r.rubric_before}@${r.revision_before}`,
            rating: r.rating_before as Rating,
            control: r.control_before,
            inherent: r.inherent_before,
            redFlags: r.red_flags_before,
            explanation: JSON.parse(r.explanation_before) as RatingExplanation,
          },
          after: {
            snapshotId: r.after_snapshot_id,
            rubric: `${r.rubric_after}@${r.revision_after}`,
            rating: r.rating_after as Rating,
            control: r.control_after,
            inherent: r.inherent_after,
            redFlags: r.red_flags_after,
            explanation: JSON.parse(r.explanation_after) as RatingExplanation,
          },
        }
      }
    }
  })
}

/** The name a job's workbook is saved as: the rubric (a-z, 0-9 and hyphens) and its revision. */
export function changesFileName(input: Pick<RescoreChangesInput, 'job'>): string {
  return `rescore-${input.job.rubric.replace('@', '-')}-changes.xlsx`
}
