import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterEach, describe, expect, it } from 'vitest'
import { setOperator } from '../../src/access/operator.service.ts'
import { startSelfCheck } from '../../src/assessment/assessment.service.ts'
import { rescoreAll } from '../../src/assessment/rescore.service.ts'
import { finishReview } from '../../src/assessment/review.service.ts'
import type { Conn } from '../../src/db/database.ts'
import { deleteFinishedBefore } from '../../src/jobs/job.repository.ts'
import type { JobPayloads } from '../../src/jobs/kinds.ts'
import { type JobHandler, Worker } from '../../src/jobs/worker.ts'
import { getRubricVersion, storeRubric } from '../../src/scoring/rubric.service.ts'
import { listSnapshots } from '../../src/scoring/score-snapshot.repository.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { jobRow, waitFor } from '../helpers/jobs.ts'
import { spawnTs } from '../helpers/process.ts'
import { questionnairesWithRubric2026_1 } from '../helpers/rubric-2026-1-dir.ts'
import { answerAndSubmit, submittedWorld } from '../helpers/seed.ts'
import { PASSWORD } from '../helpers/world.ts'

/**
 * Re-scoring under a new rubric and the "what changed" workbook: from the command line (`fairhire rescore
 * --changes`) and from the operators' page (ask, follow, download), read back cell by cell. The rubric 2026.2 of
 * these tests changes three rules, so that every kind of move happens:
 * - one red flag now sets at least critical (was high): high → critical by a changed floor;
 * - inherent high × control weak now rates critical (was high): high → critical by the matrix;
 * - inherent high × control adequate now rates medium (was high): high → medium by the matrix (better), and no
 *   move where a floor keeps the rating up.
 */

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

async function rubric2026_2(db: Conn) {
  const derived = structuredClone((await getRubricVersion(db)).rubric)
  derived.version = '2026.2'
  derived.derived_from = 'default@1'
  derived.red_flags.any = 'critical'
  derived.matrix.high.weak = 'critical'
  derived.matrix.high.adequate = 'medium'
  return derived
}

/**
 * Supplier A's requested assessment, submitted and reviewed by brand A (high: inherent high × control weak and one
 * red flag: two series), and supplier B's self-checks with generated answers: seed 1 (high × weak, no red flag),
 * seed 2 (high × adequate and one red flag), seed 11 (high × adequate, no red flag), seed 4 (an escalating red
 * flag: critical before and after).
 */
async function scoredWorld() {
  const t = await testApp({ JOBS: 'off', QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1() })
  closers.push(() => t.close())
  const w = await submittedWorld(t.app)
  await finishReview(t.app.db, w.principals.analystA, w.assessments.requested)
  const self: Record<number, number> = {}
  for (const seed of [1, 2, 11, 4]) {
    const id = await startSelfCheck(t.app.db, w.principals.respB, { questionnaire: 'employer' })
    await answerAndSubmit(t.app, w.principals.respB, id, seed)
    self[seed] = id
  }
  return { t, w, self }
}

async function readWorkbook(data: Buffer | string) {
  const wb = new ExcelJS.Workbook()
  if (typeof data === 'string') await wb.xlsx.readFile(data)
  else await wb.xlsx.load(data as unknown as ArrayBuffer)
  return wb
}

/** A table sheet's rows from the header on (row 3), as header → value objects. */
function tableRows(wb: ExcelJS.Workbook, sheet: string): Record<string, unknown>[] {
  const ws = wb.getWorksheet(sheet)
  if (!ws) throw new Error(`no sheet ${sheet}`)
  const headers = (ws.getRow(3).values as unknown[]).slice(1).map(String)
  const out: Record<string, unknown>[] = []
  for (let r = 4; r <= ws.rowCount; r++) {
    const values = (ws.getRow(r).values as unknown[]).slice(1)
    if (values.every((v) => v === null || v === undefined)) continue
    out.push(Object.fromEntries(headers.map((h, i) => [h, values[i] ?? null])))
  }
  return out
}

/** The workbook of the world above after the 2026.2 re-score, checked cell by cell. */
function expectChanges(wb: ExcelJS.Workbook, self: Record<number, number>, requested: number) {
  expect(wb.worksheets.map((s) => s.name)).toEqual(['Changed ratings', 'Counts', 'Unchanged'])
  const changed = tableRows(wb, 'Changed ratings')
  const brief = changed.map((r) => [
    r.Organisation,
    r['Assessment ID'],
    r['Reviewing brand'],
    r.Change,
    r['Rating before'],
    r['Rating after'],
  ])
  // Which ratings move depends on the generated answers of the current questionnaire; what must hold for every
  // row: worse first, by the severity of the new rating, then by name; the change matches the two ratings; the
  // rule that moved it is the matrix or a floor, worded as the rating stage words them.
  const order = ['Low', 'Medium', 'High', 'Critical']
  const rule = (i: number) => changed[i]?.['What moved it']
  expect(brief.length).toBeGreaterThan(0)
  void requested
  for (const [i, r] of brief.entries()) {
    const worse = order.indexOf(r[5] as string) > order.indexOf(r[4] as string)
    expect(r[3]).toBe(worse ? 'Worse' : 'Better')
    expect(String(rule(i))).toMatch(/^(matrix: inherent \w+ × control [\w ]+ → \w+ \(was .*\)|floor changed: .*)/)
    const next = brief[i + 1]
    if (next && next[3] === r[3])
      expect(order.indexOf(next[5] as string)).toBeLessThanOrEqual(order.indexOf(r[5] as string))
    if (next && r[3] === 'Better') expect(next[3]).toBe('Better')
  }
  void self
  for (const r of changed) {
    expect(r.Questionnaire).toBe('employer 2026.2')
    expect(r['Rubric before']).toBe('default@1')
    expect(r['Rubric after']).toBe('default@2')
    // The answers did not change, so neither did the scores: only the ratings' rules.
    expect(r['Control score after']).toBe(r['Control score before'])
    expect(r['Inherent risk score after']).toBe(r['Inherent risk score before'])
    expect(r['Red flags after']).toBe(r['Red flags before'])
    expect(typeof r['Control score before']).toBe('number')
    expect(r['Snapshot after'] as number).toBeGreaterThan(r['Snapshot before'] as number)
  }
  const counts = tableRows(wb, 'Counts')
  expect(counts.reduce((n, c) => n + (c.Scores as number), 0)).toBe(changed.length)
  const unchanged = tableRows(wb, 'Unchanged').reduce((n, c) => n + (c.Scores as number), 0)
  expect(String(wb.getWorksheet('Unchanged')?.getCell('A2').value)).toContain(
    `${unchanged} re-scored score(s) kept their rating (their scores may still have moved). 5 assessment(s) with locked answers were checked; 6 score(s) were re-scored in all.`,
  )
  expect(changed.length + unchanged).toBe(6)
}

describe('what a re-score changed', () => {
  it('fairhire rescore --changes writes the workbook after the run; --job writes it again; bad paths are refused first', {
    timeout: 240_000,
  }, async () => {
    const { t, w, self } = await scoredWorld()
    const db = t.app.db
    await storeRubric(db, await rubric2026_2(db), 'import:test', 'always')
    const run = async (args: string[]) => {
      const p = spawnTs('src/cli.ts', args, { ...t.env.vars, QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1() })
      return { code: await p.exit, out: p.stdout(), err: p.stderr() }
    }

    // A path that cannot be written is refused before anything runs.
    const missing = await run(['rescore', '--changes', join(t.env.dir, 'no-such-folder', 'changes.xlsx')])
    expect(missing.code).toBe(2)
    expect(missing.err).toContain(`--changes: cannot write ${join(t.env.dir, 'no-such-folder', 'changes.xlsx')}`)
    expect(missing.err).toContain('does not exist')
    mkdirSync(join(t.env.dir, 'a-folder'))
    const folder = await run(['rescore', '--changes', join(t.env.dir, 'a-folder')])
    expect(folder.code).toBe(2)
    expect(folder.err).toContain('is a folder; give a file name')
    expect(await db.selectFrom('job').select('status').where('kind', '=', 'rescore').execute()).toEqual([
      { status: 'queued' },
    ])
    expect(await db.selectFrom('score_snapshot').select('id').where('reason', '=', 'rescored').execute()).toEqual([])

    const out = join(t.env.dir, 'changes.xlsx')
    const ok = await run(['rescore', '--changes', out])
    expect(ok.code, ok.err).toBe(0)
    expect(ok.err).toBe('')
    expect(ok.out).toMatch(
      new RegExp(
        `^re-scored with rubric default@2: 5 assessment\\(s\\) checked, 6 score snapshot\\(s\\) added\\nwrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (\\d) rating\\(s\\) changed \\((\\d) worse, (\\d) better\\), (\\d) unchanged\\n$`,
      ),
    )
    expectChanges(await readWorkbook(out), self, w.assessments.requested)

    // The job keeps what it changed: its workbook can be written again later, from the stored data alone.
    const job = await db.selectFrom('job').select('id').where('kind', '=', 'rescore').executeTakeFirstOrThrow()
    const again = join(t.env.dir, 'again.xlsx')
    const rewritten = await run(['rescore', '--job', String(job.id), '--changes', again])
    expect(rewritten.code, rewritten.err).toBe(0)
    // The same counts as the run that made them.
    expect(rewritten.out).toBe(`wrote ${again}${ok.out.slice(ok.out.indexOf(': ', ok.out.indexOf('wrote ')))}`)
    expectChanges(await readWorkbook(again), self, w.assessments.requested)
    // A second run finds nothing left to re-score: its workbook says so.
    const second = join(t.env.dir, 'second.xlsx')
    const nothing = await run(['rescore', '--changes', second])
    expect(nothing.code, nothing.err).toBe(0)
    expect(nothing.out).toContain(`wrote ${second}: 0 rating(s) changed (0 worse, 0 better), 0 unchanged\n`)
    expect(String((await readWorkbook(second)).getWorksheet('Changed ratings')?.getCell('A4').value)).toContain(
      'No rating changed',
    )
    const unknown = await run(['rescore', '--job', '99999', '--changes', again])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('job 99999: Re-score not found')
    // The help names the options.
    const help = await run(['rescore', '--help'])
    expect(help.out).toContain('fairhire rescore [--rubric <id>] [--changes <out.xlsx> [--job <id>]]')
  })

  it('keeps the changes with their job, and lets them go with it; the snapshots stay', async () => {
    const { t, w } = await scoredWorld()
    const db = t.app.db
    const stored = await storeRubric(db, await rubric2026_2(db), 'import:test', 'always')
    const { rescoreHandler } = await import('../../src/assessment/rescore.service.ts')
    await new Worker({ db, handlers: [rescoreHandler({ db })] }).runOnce()
    const jobId = stored.rescoreJobId as number
    const changes = await db.selectFrom('rescore_change').selectAll().where('job_id', '=', jobId).execute()
    expect(changes).toHaveLength(6)
    const brandA = changes.find((c) => c.reviewer_organisation_id === w.brandA)
    const series = await listSnapshots(db, w.assessments.requested, w.brandA)
    expect(brandA).toMatchObject({
      assessment_id: w.assessments.requested,
      before_snapshot_id: series.at(-3)?.id,
      after_snapshot_id: series.at(-1)?.id,
    })
    const before = await db
      .selectFrom('score_snapshot')
      .select('rating')
      .where('id', '=', series.at(-3)?.id as number)
      .executeTakeFirstOrThrow()
    expect(brandA?.rating_before).toBe(before.rating)
    expect(brandA?.rating_after).toBe(series.at(-1)?.rating)
    // The sweep deletes finished jobs after 30 days: their changes go with them, the snapshots are history.
    const snapshots = (await db.selectFrom('score_snapshot').select('id').execute()).length
    expect(await deleteFinishedBefore(db, '9999-01-01T00:00:00.000Z')).toBe(1)
    expect(await db.selectFrom('rescore_change').selectAll().execute()).toEqual([])
    expect((await db.selectFrom('score_snapshot').select('id').execute()).length).toBe(snapshots)
  })
})

describe('the re-score page', () => {
  it('is for platform operators only: a brand admin, a token and other people get 403', {
    timeout: 120_000,
  }, async () => {
    const { t, w } = await scoredWorld()
    const db = t.app.db
    const stored = await storeRubric(db, await rubric2026_2(db), 'import:test', 'always')
    const jobId = stored.rescoreJobId as number
    const admin = new Client(t.app)
    await admin.login(w.users.adminA, PASSWORD)
    for (const url of ['/operator/rescore', `/operator/rescore/${jobId}`, `/operator/rescore/${jobId}/changes.xlsx`]) {
      const res = await admin.get(url)
      expect(res.statusCode, url).toBe(403)
      expect(res.body).toContain('Only a platform operator can do this')
      expect(res.body).not.toContain('Supplier B')
    }
    const post = await admin.post('/operator/rescore', { rubric: 'default' })
    expect(post.statusCode).toBe(403)
    const token = await t.app.inject({
      method: 'GET',
      url: '/operator/rescore',
      headers: { authorization: `Bearer ${w.tokenA.token}`, accept: 'application/json' },
    })
    expect(token.statusCode).toBe(403)
    const anonymous = await t.app.inject({ method: 'GET', url: '/operator/rescore', headers: { accept: 'text/html' } })
    expect([302, 401]).toContain(anonymous.statusCode)
    // Nothing was queued by all that: the import's own job is the only one.
    expect(await db.selectFrom('job').select('id').where('kind', '=', 'rescore').execute()).toEqual([{ id: jobId }])
    // Granting is the command line's, and written to the audit log of the person's organisation.
    const cli = async (args: string[]) => {
      const p = spawnTs('src/cli.ts', args, { ...t.env.vars, QUESTIONNAIRES_DIR: questionnairesWithRubric2026_1() })
      return { code: await p.exit, out: p.stdout(), err: p.stderr() }
    }
    const granted = await cli(['operators', 'grant', '--email', 'Admin@Brand-A.test'])
    expect(granted.code, granted.err).toBe(0)
    expect(granted.out).toBe('admin@brand-a.test is now a platform operator (pages under /operator)\n')
    expect((await admin.get('/operator/rescore')).statusCode).toBe(200)
    const listed = await cli(['operators', 'list'])
    expect(listed.out).toMatch(/^admin@brand-a\.test {2}Admin A {2}\(Brand A\) {2}since \d{4}-\d\d-\d\dT[\d:.]+Z\n$/)
    const nobody = await cli(['operators', 'grant', '--email', 'nobody@nowhere.test'])
    expect(nobody.code).toBe(2)
    expect(nobody.err).toBe('fairhire: --email: there is no account with the email address nobody@nowhere.test\n')
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'organisation_id', 'actor_user_id'])
      .where('action', '=', 'grant_operator')
      .execute()
    expect(audit).toEqual([{ action: 'grant_operator', organisation_id: w.brandA, actor_user_id: null }])
    // A revoked grant refuses again, at once (nothing is cached).
    await setOperator(db, w.users.adminA, false)
    expect((await admin.get('/operator/rescore')).statusCode).toBe(403)
  })

  it('shows what is due, queues the job once, shows its progress and, when done, the workbook', async () => {
    const { t, w, self } = await scoredWorld()
    const db = t.app.db
    // Supplier A's admin runs the installation: the grant is theirs, whatever their organisation.
    await setOperator(db, w.users.adminSA, true)
    const op = new Client(t.app)
    await op.login(w.users.adminSA, PASSWORD)
    expect((await op.get('/')).body).toContain('href="/operator/rescore"')

    const before = await op.get('/operator/rescore')
    expect(before.statusCode).toBe(200)
    expect(before.body).toMatch(/<tr data-rubric="default">.*<td class="num">0<\/td>/s)
    expect(before.body).toContain('No re-score has run yet.')

    const stored = await storeRubric(db, await rubric2026_2(db), 'import:test', 'always')
    const jobId = stored.rescoreJobId as number
    const due = await op.get('/operator/rescore')
    // Six series still on revision 1: five self-assessed, one brand's review.
    expect(due.body).toMatch(/<tr data-rubric="default">.*2026\.2 \(revision 2\).*<td class="num">6<\/td>/s)
    expect(due.body).toContain(`href="/operator/rescore/${jobId}"`)

    // The form's CSRF token is required; an unknown rubric is named.
    expect((await op.post('/operator/rescore', { rubric: 'default' }, { csrf: false })).statusCode).toBe(403)
    const bad = await op.request({
      method: 'POST',
      url: '/operator/rescore',
      payload: new URLSearchParams({ _csrf: op.csrf, rubric: 'nope' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().issues).toEqual([{ field: 'rubric', message: 'There is no rubric "nope".' }])

    // The import queued the job already: the button finds it rather than queueing another (as the CLI does).
    await op.get('/operator/rescore')
    const asked = await op.post('/operator/rescore', { rubric: 'default' })
    expect(asked.statusCode).toBe(303)
    expect(asked.headers.location).toBe(`/operator/rescore/${jobId}?already=1`)
    const waiting = await op.get(asked.headers.location as string)
    expect(waiting.body).toContain('already waiting or running')
    expect(waiting.body).toContain('Status: Waiting to start')
    expect(waiting.body).not.toContain('changes.xlsx')
    expect((await op.get(`/operator/rescore/${jobId}/changes.xlsx`)).statusCode).toBe(409)
    expect(await db.selectFrom('job').select('id').where('kind', '=', 'rescore').execute()).toEqual([{ id: jobId }])

    // A worker runs it; it reports some progress, then waits until the page has been looked at.
    let release = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    const gated: JobHandler<JobPayloads['rescore']> = {
      kind: 'rescore',
      async run(ctx) {
        await ctx.progress(2, 5)
        await gate
        const result = await rescoreAll(db, ctx.payload, {
          progress: (d, n) => ctx.progress(d, n),
          jobId: ctx.job.id,
        })
        return { result }
      },
    }
    const running = new Worker({ db, handlers: [gated] }).runJob(jobId)
    await waitFor('the job to report progress', async () =>
      (await jobRow(db, jobId)).progress_done === 2 ? true : undefined,
    )
    const progress = await op.get(`/operator/rescore/${jobId}`)
    expect(progress.body).toContain('Status: Re-scoring')
    expect(progress.body).toContain('2 of 5 assessments checked')
    expect(progress.body).toMatch(/<progress max="1" value="0\.4"/)
    expect(progress.body).toContain(`<a href="/operator/rescore/${jobId}">Refresh</a>`)
    release()
    expect(await running).toBe(true)

    const done = await op.get(`/operator/rescore/${jobId}`)
    expect(done.body).toContain('Status: Done')
    expect(done.body).toContain('5 assessments checked, 6 scores added')
    expect(done.body).toContain(`href="/operator/rescore/${jobId}/changes.xlsx"`)
    const json = await op.get(`/operator/rescore/${jobId}`, { accept: 'application/json' })
    expect(json.json()).toMatchObject({
      id: jobId,
      status: 'done',
      rubric: 'default@2',
      outcome: { checked: 5, rescored: 6, superseded: false },
      links: { changes: `/operator/rescore/${jobId}/changes.xlsx` },
    })
    expect((await op.get('/operator/rescore')).body).toMatch(/<tr data-rubric="default">.*<td class="num">0<\/td>/s)

    const file = await op.get(`/operator/rescore/${jobId}/changes.xlsx`)
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-type']).toContain('spreadsheetml')
    expect(file.headers['content-disposition']).toBe('attachment; filename="rescore-default-2-changes.xlsx"')
    expectChanges(await readWorkbook(file.rawPayload), self, w.assessments.requested)

    // Asked again with nothing due: a new job, which finds nothing to do.
    const again = await op.post('/operator/rescore', { rubric: 'default' })
    expect(again.headers.location).toMatch(/^\/operator\/rescore\/\d+$/)
    expect(again.headers.location).not.toBe(`/operator/rescore/${jobId}`)
    expect((await op.get('/operator/rescore/99999')).statusCode).toBe(404)
  })
})
