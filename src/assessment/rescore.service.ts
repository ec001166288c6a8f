import * as audit from '../access/audit.repository.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { enqueue } from '../jobs/job.service.ts'
import type { JobPayloads } from '../jobs/kinds.ts'
import type { JobHandler } from '../jobs/worker.ts'
import { getRubricVersion, getRubricVersionById, RESCORE_KIND, type RubricVersion } from '../scoring/rubric.service.ts'
import { storeSnapshot } from '../scoring/score.service.ts'
import * as snapshots from '../scoring/score-snapshot.repository.ts'
import { storedAnswers } from './answers.service.ts'
import * as repo from './assessment.repository.ts'
import { type Scored, scoreAs } from './assessment-score.service.ts'
import { RESCORED_STATUSES } from './lifecycle.ts'
import { insertChanges } from './rescore-change.repository.ts'

/**
 * Re-scoring after a rubric change. Snapshots are immutable, so a re-score adds one: for each assessment whose
 * answers are locked (lifecycle.RESCORED_STATUSES), each series of its scores (the self-assessed one, and each
 * brand's reviewed one while that brand still has access) whose latest snapshot was scored with another version
 * of the rubric gets a new snapshot, reason "rescored", scored with the same answers, evidence and that brand's
 * verifications under the new version. Nothing else changes: not the status, not the action plan (actions are
 * the respondent's plan, made from the gaps at submission), not earlier snapshots.
 *
 * Reads and scoring happen outside any transaction; each batch's snapshots are then written in one short
 * transaction that first checks nothing moved (same answers revision and status, same latest snapshot), so a
 * submission or review landing meanwhile wins and its assessment is simply skipped. Running it again adds
 * nothing for series already on the version, which is what makes a retried or resumed job harmless.
 */

const BATCH = 50

export type RescoreProgress = {
  progress(done: number, total: number): Promise<void>
  signal?: AbortSignal
  now?: () => Date
  /** The job this run is: each snapshot added is recorded with the one it follows (rescore_change), under it. */
  jobId?: number
}

export type RescoreOutcome = {
  rubric: string
  /** Assessments looked at. */
  checked: number
  /** Snapshots added. */
  rescored: number
  /** The version was no longer current when the job ran (a later import's re-score does the work). */
  superseded: boolean
}

type Planned = { assessment: { id: number; organisation_id: number; revision: number }; from: Series; scored: Scored }
type Series = Awaited<ReturnType<typeof snapshots.latestPerSeries>>[number]

export async function rescoreAll(
  db: Conn,
  target: { rubricId: string; versionId: number },
  o: RescoreProgress,
): Promise<RescoreOutcome> {
  const version = await getRubricVersionById(db, target.versionId)
  const spec = `${version.id}@${version.revision}`
  const outcome: RescoreOutcome = { rubric: spec, checked: 0, rescored: 0, superseded: false }
  const stillCurrent = async () => (await getRubricVersion(db, version.id)).versionId === version.versionId
  if (!(await stillCurrent())) return { ...outcome, superseded: true }
  const total = await repo.countInStatuses(db, RESCORED_STATUSES)
  await o.progress(0, total)
  let after = 0
  for (let round = 1; ; round++) {
    o.signal?.throwIfAborted()
    // Another import made a newer version current: stop here, its own re-score takes over.
    if (round % 20 === 0 && !(await stillCurrent())) return { ...outcome, superseded: true }
    const batch = await repo.nextInStatuses(db, RESCORED_STATUSES, after, BATCH)
    if (batch.length === 0) break
    const ids = batch.map((a) => a.id)
    const planned = await plan(db, batch, version.id, version.versionId, spec)
    if (planned.length > 0) outcome.rescored += await write(db, ids, planned, o.now?.() ?? new Date(), o.jobId)
    outcome.checked += batch.length
    after = ids[ids.length - 1] as number
    await o.progress(outcome.checked, Math.max(total, outcome.checked))
  }
  return outcome
}

/** The series of these assessments that are not on the version yet, scored under it. */
async function plan(
  db: Conn,
  batch: { id: number; organisation_id: number; revision: number; questionnaire_version_id: number }[],
  rubricId: string,
  versionId: number,
  spec: string,
): Promise<Planned[]> {
  const ids = batch.map((a) => a.id)
  const series = await snapshots.latestPerSeries(db, ids)
  const grants = new Set((await repo.liveGrantsOf(db, ids)).map((g) => `${g.assessment_id}:${g.organisation_id}`))
  const out: Planned[] = []
  for (const a of batch) {
    const due = series.filter(
      (s) =>
        s.assessment_id === a.id &&
        s.rubric_id === rubricId &&
        s.rubric_version_id !== versionId &&
        // A brand's own review series only while the brand can still see the assessment.
        (s.reviewer_organisation_id === null || grants.has(`${a.id}:${s.reviewer_organisation_id}`)),
    )
    if (due.length === 0) continue
    const answers = await storedAnswers(db, a.id)
    for (const s of due)
      out.push({ assessment: a, from: s, scored: await scoreAs(db, a, answers, s.reviewer_organisation_id, spec) })
  }
  return out
}

/**
 * Stores the planned snapshots whose assessment and series have not moved since they were read, and records each
 * with the snapshot it follows under the job (the "what changed" workbook reads these), in the same transaction:
 * a retried job finds its earlier batches both stored and recorded.
 */
async function write(db: Conn, ids: number[], planned: Planned[], now: Date, jobId?: number): Promise<number> {
  return inTransaction(db, async (trx) => {
    const revisions = new Map((await repo.revisionsOf(trx, ids)).map((r) => [r.id, r]))
    const latest = new Set((await snapshots.latestPerSeries(trx, ids)).map((s) => s.id))
    const changes: Parameters<typeof insertChanges>[1] = []
    let n = 0
    for (const p of planned) {
      const current = revisions.get(p.assessment.id)
      const unchanged =
        current &&
        current.revision === p.assessment.revision &&
        (RESCORED_STATUSES as readonly string[]).includes(current.status) &&
        latest.has(p.from.id)
      if (!unchanged) continue
      const snap = await storeSnapshot(
        trx,
        p.assessment.id,
        p.scored.questionnaireVersionId,
        p.scored.rubricVersionId,
        'rescored',
        p.scored.result,
        now,
        p.scored.reviewer,
      )
      if (jobId !== undefined)
        changes.push({
          job_id: jobId,
          after_snapshot_id: snap.id,
          before_snapshot_id: p.from.id,
          assessment_id: p.assessment.id,
          reviewer_organisation_id: p.scored.reviewer,
          rating_before: p.from.rating,
          rating_after: p.scored.result.rating,
        })
      // The respondent's administrators read the whole audit trail of the assessment, so only the self-assessed
      // score is recorded there: a brand's reviewed score is the brand's alone (sharing.policy).
      if (p.scored.reviewer === null)
        await audit.record(
          trx,
          null,
          [
            {
              organisationId: p.assessment.organisation_id,
              assessmentId: p.assessment.id,
              action: 'rescore',
              entity: 'score_snapshot',
              entityId: snap.id,
              oldValue: { rating: p.from.rating, snapshot: p.from.id },
              newValue: { rating: p.scored.result.rating, rubricVersion: p.scored.rubricVersionId },
            },
          ],
          now,
        )
      n++
    }
    await insertChanges(trx, changes)
    return n
  })
}

/**
 * Queues the re-score for a rubric version (the current one), or finds the one already queued or running for it:
 * one at a time per version (dedupe key), whoever asks (the command line, an operator's page, a rubric import).
 */
export function queueRescore(
  db: Conn,
  version: Pick<RubricVersion, 'id' | 'versionId'>,
  createdBy: number | null = null,
) {
  return enqueue(
    db,
    RESCORE_KIND,
    { rubricId: version.id, versionId: version.versionId },
    { dedupeKey: `${RESCORE_KIND}:${version.versionId}`, createdBy },
  )
}

/** The job: re-scores for the rubric version named in its payload (queued by rubric.service.storeRubric). */
export function rescoreHandler(o: { db: Conn }): JobHandler<JobPayloads['rescore']> {
  return {
    kind: RESCORE_KIND,
    async run(ctx) {
      const result = await rescoreAll(o.db, ctx.payload, {
        progress: (done, total) => ctx.progress(done, total),
        signal: ctx.signal,
        now: ctx.now,
        jobId: ctx.job.id,
      })
      return { result }
    },
  }
}
