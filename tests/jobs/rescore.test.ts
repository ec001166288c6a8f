import { afterEach, describe, expect, it } from 'vitest'
import { startSelfCheck } from '../../src/assessment/assessment.service.ts'
import { rescoreHandler } from '../../src/assessment/rescore.service.ts'
import { decide, finishReview } from '../../src/assessment/review.service.ts'
import { Worker } from '../../src/jobs/worker.ts'
import { getRubricVersion, storeRubric } from '../../src/scoring/rubric.service.ts'
import { listSnapshots } from '../../src/scoring/score-snapshot.repository.ts'
import { testApp } from '../helpers/app.ts'
import { jobRow } from '../helpers/jobs.ts'
import { spawnTs } from '../helpers/process.ts'
import { questionnairesWithRubric2026_1 } from '../helpers/rubric-2026-1-dir.ts'
import { submittedWorld } from '../helpers/seed.ts'

/**
 * Re-scoring after a rubric change: a rubric made current queues a job, which adds a "rescored" snapshot to every
 * series of scores still on the old version (the self-assessed one and each reviewing brand's), and to nothing
 * else. The command line does the same on demand, quietly when not on a terminal.
 */

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

/** Brand A's submitted request to supplier A, reviewed by brand A (two series of scores), and a draft self-check. */
async function scoredWorld() {
  const t = await testApp({ JOBS: 'off', QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1() })
  closers.push(() => t.close())
  const w = await submittedWorld(t.app)
  const id = w.assessments.requested
  await finishReview(t.app.db, w.principals.analystA, id)
  const draft = await startSelfCheck(t.app.db, w.principals.respB, { questionnaire: 'employer' })
  return { t, w, id, draft }
}

/** The current default rubric with red flags made critical: a change every score notices. */
async function stricterRubric(db: Parameters<typeof getRubricVersion>[0], version = '2026.2') {
  const derived = structuredClone((await getRubricVersion(db)).rubric)
  derived.version = version
  derived.red_flags.any = 'critical'
  return derived
}

describe('re-scoring after a rubric change', () => {
  it('queues one job with the new rubric, which re-scores every series on the old one and records it', async () => {
    const { t, w, id } = await scoredWorld()
    const db = t.app.db
    const before = {
      self: await listSnapshots(db, id),
      brand: await listSnapshots(db, id, w.brandA),
    }
    expect(before.brand.map((s) => [s.reason, s.rubric_revision])).toEqual([
      ['submitted', 1],
      ['reviewed', 1],
    ])

    const stored = await storeRubric(db, await stricterRubric(db), 'import:test', 'always')
    expect(stored).toMatchObject({ revision: 2, created: true })
    expect(stored.rescoreJobId).not.toBeNull()
    const job = await jobRow(db, stored.rescoreJobId as number)
    expect(job).toMatchObject({ kind: 'rescore', status: 'queued', dedupe_key: `rescore:${stored.versionId}` })
    expect(JSON.parse(job.payload)).toEqual({ rubricId: 'default', versionId: stored.versionId })
    // Making the same version current again queues nothing more.
    expect((await storeRubric(db, await stricterRubric(db), 'import:test', 'always')).rescoreJobId).toBeNull()

    const worker = new Worker({ db, handlers: [rescoreHandler({ db })] })
    expect((await worker.runOnce())?.id).toBe(job.id)
    const done = await jobRow(db, job.id)
    expect(done).toMatchObject({ status: 'done', progress_done: 1, progress_total: 1 })
    expect(JSON.parse(done.result ?? '')).toEqual({ rubric: 'default@2', checked: 1, rescored: 2, superseded: false })

    const self = await listSnapshots(db, id)
    expect(self.slice(0, -1)).toEqual(before.self)
    expect(self.at(-1)).toMatchObject({ reason: 'rescored', rubric_revision: 2 })
    const brand = await listSnapshots(db, id, w.brandA)
    expect(brand.map((s) => [s.reason, s.rubric_revision, s.rating === 'critical'])).toEqual([
      ['submitted', 1, before.brand[0]?.rating === 'critical'],
      ['reviewed', 1, before.brand[1]?.rating === 'critical'],
      ['rescored', 2, true],
      ['rescored', 2, true],
    ])
    // The assessment itself is as it was.
    expect(await db.selectFrom('assessment').select(['status']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual(
      { status: 'reviewed' },
    )
    // One audit entry, for the self-assessed score only: the respondent's admins read the whole trail.
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'entity', 'actor_user_id', 'old_value', 'new_value'])
      .where('assessment_id', '=', id)
      .where('action', '=', 'rescore')
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ entity: 'score_snapshot', actor_user_id: null })
    expect(JSON.parse(audit[0]?.new_value ?? '')).toMatchObject({ rating: 'critical', rubricVersion: stored.versionId })

    // Asked again for the same version: nothing left to do.
    const again = await t.app.db
      .insertInto('job')
      .values({
        kind: 'rescore',
        payload: JSON.stringify({ rubricId: 'default', versionId: stored.versionId }),
        status: 'queued',
        max_attempts: 1,
        run_at: new Date().toISOString(),
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await worker.runOnce()
    expect(JSON.parse((await jobRow(db, again.id)).result ?? '')).toMatchObject({ checked: 1, rescored: 0 })
    expect(await listSnapshots(db, id, w.brandA)).toHaveLength(4)
  })

  it('leaves drafts alone, and the series of a brand whose access was revoked', async () => {
    const { t, w, id, draft } = await scoredWorld()
    const db = t.app.db
    const brandOnly = async () => (await listSnapshots(db, id, w.brandA)).length - (await listSnapshots(db, id)).length
    expect(await brandOnly()).toBe(1)
    // Brand A, which reviewed the assessment, has lost access since.
    await db
      .updateTable('assessment_access')
      .set({ revoked_at: new Date().toISOString() })
      .where('assessment_id', '=', id)
      .execute()
    const stored = await storeRubric(db, await stricterRubric(db), 'import:test', 'always')
    await new Worker({ db, handlers: [rescoreHandler({ db })] }).runOnce()
    const result = JSON.parse((await jobRow(db, stored.rescoreJobId as number)).result ?? '')
    expect(result).toMatchObject({ checked: 1, rescored: 1 })
    expect(await brandOnly()).toBe(1)
    expect((await listSnapshots(db, id)).at(-1)).toMatchObject({ reason: 'rescored' })
    expect(await listSnapshots(db, draft)).toEqual([])
  })

  it('leaves an assessment returned for changes alone: its resubmission is scored with the new rubric', async () => {
    const t = await testApp({ JOBS: 'off', QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1() })
    closers.push(() => t.close())
    const w = await submittedWorld(t.app)
    const id = w.assessments.requested
    const db = t.app.db
    await decide(db, w.principals.analystA, id, { question: 'A6.1', decision: 'returned', comment: 'Show the policy' })
    expect(await finishReview(db, w.principals.analystA, id)).toMatchObject({ status: 'returned' })
    const before = await listSnapshots(db, id, w.brandA)
    const stored = await storeRubric(db, await stricterRubric(db), 'import:test', 'always')
    await new Worker({ db, handlers: [rescoreHandler({ db })] }).runOnce()
    expect(JSON.parse((await jobRow(db, stored.rescoreJobId as number)).result ?? '')).toMatchObject({
      checked: 0,
      rescored: 0,
    })
    expect(await listSnapshots(db, id, w.brandA)).toEqual(before)
  })

  it('stops as superseded when a newer version became current before it ran', async () => {
    const { t, id } = await scoredWorld()
    const db = t.app.db
    const second = await storeRubric(db, await stricterRubric(db, '2026.2'), 'import:test', 'always')
    const third = await storeRubric(db, await stricterRubric(db, '2026.3'), 'import:test', 'always')
    const worker = new Worker({ db, handlers: [rescoreHandler({ db })] })
    await worker.runOnce()
    await worker.runOnce()
    expect(JSON.parse((await jobRow(db, second.rescoreJobId as number)).result ?? '')).toMatchObject({
      superseded: true,
      rescored: 0,
    })
    expect(JSON.parse((await jobRow(db, third.rescoreJobId as number)).result ?? '')).toMatchObject({
      rubric: 'default@3',
      superseded: false,
      rescored: 2,
    })
    expect((await listSnapshots(db, id)).at(-1)).toMatchObject({ reason: 'rescored', rubric_revision: 3 })
  })

  it('fairhire rescore runs it now and prints one summary line, with no progress line off a terminal', {
    timeout: 120_000,
  }, async () => {
    const { t, w, id } = await scoredWorld()
    await storeRubric(t.app.db, await stricterRubric(t.app.db), 'import:test', 'always')
    const cli = spawnTs('src/cli.ts', ['rescore'], {
      ...t.env.vars,
      QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1(),
    })
    expect(await cli.exit, cli.stderr()).toBe(0)
    expect(cli.stderr()).toBe('')
    expect(cli.stdout()).toBe('re-scored with rubric default@2: 1 assessment(s) checked, 2 score snapshot(s) added\n')
    expect((await listSnapshots(t.app.db, id, w.brandA)).at(-1)).toMatchObject({ reason: 'rescored' })
    const jobs = await t.app.db.selectFrom('job').select(['status']).where('kind', '=', 'rescore').execute()
    expect(jobs).toEqual([{ status: 'done' }])

    const listed = spawnTs('src/cli.ts', ['jobs', 'list', '--status', 'done'], {
      ...t.env.vars,
      QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1(),
    })
    expect(await listed.exit, listed.stderr()).toBe(0)
    expect(listed.stdout()).toMatch(
      /^\d+ {2}rescore {2}done 1\/1 {2}attempt 1\/5 {2}finished \d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    )
    const badStatus = spawnTs('src/cli.ts', ['jobs', 'list', '--status', 'stuck'], {
      ...t.env.vars,
      QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1(),
    })
    expect(await badStatus.exit).toBe(2)
    expect(badStatus.stderr()).toContain('--status must be one of queued, running, done, failed, cancelled')

    const unknown = spawnTs('src/cli.ts', ['rescore', '--rubric', 'nope'], {
      ...t.env.vars,
      QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1(),
    })
    expect(await unknown.exit).toBe(2)
    expect(unknown.stderr()).toContain('rubric "nope" not found')

    const exported = spawnTs(
      'src/cli.ts',
      ['export', 'portfolio', '--brand', String(w.brandA), '--out', `${t.env.dir}/p.xlsx`],
      { ...t.env.vars, QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1() },
    )
    expect(await exported.exit, exported.stderr()).toBe(0)
    expect(exported.stderr()).toBe('')
    expect(exported.stdout()).toBe(`wrote ${t.env.dir}/p.xlsx\n`)
  })
})
