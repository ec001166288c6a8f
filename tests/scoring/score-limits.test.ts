import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApiToken } from '../../src/access/api-token.service.ts'
import { SCORE_LIMITS } from '../../src/routes/api/score.ts'
import { testApp } from '../helpers/app.ts'
import { bestAnswers, compiled, PROFILE } from '../helpers/scoring.ts'
import { principal } from '../helpers/world.ts'

describe('POST /api/v1/score is limited', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  beforeEach(async () => {
    t = await testApp()
  })
  afterEach(async () => {
    await t.close()
  })

  const small = { questionnaire: 'employer', answers: { ...PROFILE, 'A6.1': 'held_restricted' } }
  const score = (remoteAddress: string, headers: Record<string, string> = {}, payload: unknown = small) =>
    t.app.inject({ method: 'POST', url: '/api/v1/score', payload: payload as object, headers, remoteAddress })

  it('per address when anonymous: 429 with Retry-After and the limit in words, other callers unaffected', async () => {
    const codes: number[] = []
    for (let i = 0; i < SCORE_LIMITS.anonymousPerMinute; i++) codes.push((await score('192.0.2.1')).statusCode)
    expect(codes.every((c) => c === 200)).toBe(true)
    const over = await score('192.0.2.1')
    expect(over.statusCode).toBe(429)
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0)
    expect(over.json()).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/^Too many scoring requests: at most 60 a minute from one address\. Try again in/),
    })
    // Another address, and an organisation calling with its API token from the same address, still get served.
    expect((await score('192.0.2.2')).statusCode).toBe(200)
    const org = await t.app.db
      .insertInto('organisation')
      .values({ kind: 'brand', name: 'Brand', created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow()
    const user = await t.app.db
      .insertInto('user_account')
      .values({
        organisation_id: org.id,
        email: 'a@brand.test',
        name: 'A',
        password_hash: 'x',
        role: 'admin',
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const token = await createApiToken(t.app.db, principal(user.id, org.id, 'brand', 'admin'), 'erp', 'analyst')
    expect((await score('192.0.2.1', { authorization: `Bearer ${token.token}` })).statusCode).toBe(200)
  })

  it('refuses a body over the limit with 413 naming it, and takes the largest full answer set', async () => {
    const big = { ...small, answers: { ...small.answers, 'A0.1b': 'x'.repeat(SCORE_LIMITS.bodyBytes) } }
    const res = await score('192.0.2.3', {}, big)
    expect(res.statusCode).toBe(413)
    expect(res.json().message).toMatch(
      /^The body is \d+ KB; this address reads at most 512 KB \(one set of answers\)\.$/,
    )

    // Every question of the questionnaire with the most text questions answered, each text at its maximum
    // length in Thai script written as \u escapes, with evidence on every question: well inside the limit.
    const { cq } = compiled('recruiter')
    const answers: Record<string, unknown> = bestAnswers(cq, {})
    for (const e of cq.entries) if (e.question.type === 'text') answers[e.question.id] = 'ก'.repeat(10_000)
    const body = JSON.stringify({
      questionnaire: 'recruiter',
      answers,
      evidence: cq.entries.map((e) => e.question.id),
    }).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    console.log(`largest full answer set: ${Math.round(body.length / 1024)} KB of ${SCORE_LIMITS.bodyBytes / 1024} KB`)
    expect(body.length).toBeLessThan(SCORE_LIMITS.bodyBytes)
    const full = await t.app.inject({
      method: 'POST',
      url: '/api/v1/score',
      payload: body,
      headers: { 'content-type': 'application/json' },
      remoteAddress: '192.0.2.4',
    })
    expect(full.statusCode, full.body.slice(0, 300)).toBe(200)
  })
})
