import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiToken } from '../../src/access/api-token.service.ts'
import { buildApp } from '../../src/app.ts'
import type { Db } from '../../src/db/connection.ts'
import { openDatabase } from '../../src/db/connection.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'
import { installFailure, removeFailure } from '../helpers/db-state.ts'
import { spawnTs } from '../helpers/process.ts'
import { bestAnswers, compiled, PROFILE } from '../helpers/scoring.ts'
import { buildWorld } from '../helpers/world.ts'

/**
 * Submitting locks the answers and stores the score snapshot in one transaction. Whatever fails inside
 * it, an error or the process dying, must leave the draft exactly as it was: never a locked assessment
 * without its score, nor a score for a draft.
 */
describe('submission is all or nothing', () => {
  let env: TestEnv | undefined
  let app: FastifyInstance | undefined
  afterEach(async () => {
    await app?.close()
    app = undefined
    env?.cleanup()
  })

  /** A supplier's self-check with every question answered, and a respondent token for it. */
  async function prepared() {
    env = freshEnv()
    app = await buildApp(env.config, { logger: false })
    const w = await buildWorld(app)
    const { token } = await createApiToken(app.db, w.principals.adminSA, 'submit test', 'respondent')
    const id = w.assessments.selfA
    const a = app
    const call = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
      a.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      })
    const answers = bestAnswers(compiled('employer').cq, PROFILE)
    const saved = await call('PUT', `/api/v1/assessments/${id}/answers`, { answers })
    expect(saved.statusCode, saved.body).toBe(200)
    return { id, token, call }
  }

  /** Everything a submission touches, read straight from the database. */
  async function state(db: Db, id: number) {
    const count = (table: 'score_snapshot' | 'audit_log') =>
      db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('assessment_id', '=', id)
        .executeTakeFirstOrThrow()
    return {
      assessment: await db
        .selectFrom('assessment')
        .select(['status', 'revision', 'submitted_at'])
        .where('id', '=', id)
        .executeTakeFirst(),
      snapshots: await count('score_snapshot'),
      answers: await db
        .selectFrom('answer')
        .select(['question_id', 'value', 'version'])
        .where('assessment_id', '=', id)
        .orderBy('question_id')
        .execute(),
      audit: await count('audit_log'),
    }
  }

  it.each([
    ['storing the score snapshot', { timing: 'before', table: 'score_snapshot' }],
    [
      'recording the submission in the audit log, after the snapshot',
      { timing: 'after', table: 'audit_log', when: "NEW.action = 'submit'" },
    ],
  ] as const)('a failure while %s leaves the draft with its answers unlocked', async (_what, failure) => {
    const { id, call } = await prepared()
    const db = (app as FastifyInstance).db
    const before = await state(db, id)
    expect(before.assessment).toMatchObject({ status: 'draft', submitted_at: null })

    await installFailure(db, failure)
    const failed = await call('POST', `/api/v1/assessments/${id}/submit`)
    expect(failed.statusCode).toBe(500)
    // The caller learns nothing internal, only a reference to the log line.
    expect(failed.json().message).toMatch(/^An internal error occurred \(reference [0-9a-f-]+\)\.$/)
    expect(await state(db, id)).toEqual(before)
    expect((await call('GET', `/api/v1/assessments/${id}`)).json().status).toBe('draft')
    expect((await call('GET', `/api/v1/assessments/${id}/snapshots`)).json()).toEqual([])
    const unlocked = await call('PUT', `/api/v1/assessments/${id}/answers`, { answers: { 'A0.1b': 'Samut Sakhon' } })
    expect(unlocked.statusCode, unlocked.body).toBe(200)

    await removeFailure(db, failure.table)
    const ok = await call('POST', `/api/v1/assessments/${id}/submit`)
    expect(ok.statusCode, ok.body).toBe(200)
    const snapshots = (await call('GET', `/api/v1/assessments/${id}/snapshots`)).json()
    expect(snapshots).toMatchObject([{ id: ok.json().snapshotId, reason: 'submitted', rating: ok.json().rating }])
    expect((await call('GET', `/api/v1/assessments/${id}`)).json().status).toBe('submitted')
    const locked = await call('PUT', `/api/v1/assessments/${id}/answers`, { answers: { 'A0.1b': 'Bangkok' } })
    expect(locked.statusCode).toBe(409)
  })

  it('a process killed inside the submission transaction leaves the draft', { timeout: 90_000 }, async () => {
    const { id, token } = await prepared()
    const before = await state((app as FastifyInstance).db, id)
    await (app as FastifyInstance).close()
    app = undefined

    const child = spawnTs('tests/resilience/submit-crash.fixture.ts', [String(id), token], {
      ...(env as TestEnv).vars,
      NODE_ENV: 'test',
    })
    const code = await child.exit
    expect(child.stdout(), child.stderr()).not.toContain('survived')
    expect(code).toBe(null)

    const reopened = openDatabase((env as TestEnv).config.database)
    try {
      if (reopened.sqlite) expect(reopened.sqlite.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(await state(reopened.db, id)).toEqual(before)
    } finally {
      await reopened.destroy()
    }

    // A restarted application sees a draft it can submit.
    app = await buildApp((env as TestEnv).config, { logger: false })
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/assessments/${id}/submit`,
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.statusCode, res.body).toBe(200)
  })
})
