import { describe, expect, it } from 'vitest'
import { Client } from '../helpers/client.ts'
import { run } from '../helpers/scoring.ts'
import { answerAndSubmit } from '../helpers/seed.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

/**
 * Several brands on one assessment (docs/sharing.md): supplier A answers brand A's request and shares it with
 * brand B. The answers are shared; each brand's review is its own; only brand A moves the status.
 */
describe('one assessment, several brands', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  const A_COMMENT = 'Workers told us the broker keeps their bank cards'
  const A_FLAG = 'Interviewed workers paid a broker in Kathmandu'
  const B_COMMENT = 'Please send the housing inspection report'

  type Q = { question: string; unverified: boolean; credit: number }
  const questions = (score: { control: { sections: { questions: Q[] }[] } }) =>
    score.control.sections.flatMap((s) => s.questions)

  /** Submitted by supplier A, reviewed in part by brand A, shared with brand B. */
  async function sharedAssessment() {
    const id = w.assessments.requested
    await answerAndSubmit(t.app, w.principals.respA, id, 7)
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    const brandA = new Client(t.app)
    await brandA.login(w.users.analystA, PASSWORD)
    const brandB = new Client(t.app)
    await brandB.login(w.users.analystB, PASSWORD)
    await brandA.get(`/assessments/${id}/review`)
    const decide = (c: Client, form: Record<string, string>) => c.post(`/assessments/${id}/review/decisions`, form)
    expect((await decide(brandA, { question: 'A6.1', decision: 'verified', method: 'document' })).statusCode).toBe(303)
    expect((await decide(brandA, { question: 'A7.3', decision: 'returned', comment: A_COMMENT })).statusCode).toBe(303)
    expect(
      (await brandA.post(`/assessments/${id}/review/flags`, { question: 'A3.1', reason: A_FLAG })).statusCode,
    ).toBe(303)
    expect((await supplier.api('PUT', `/api/v1/assessments/${id}/shares/${w.brandB}`)).statusCode).toBe(204)
    await brandB.get(`/assessments/${id}/review`)
    return { id, supplier, brandA, brandB, decide }
  }

  it("a shared brand reads none of the requesting brand's review, its reviewers or its audit entries, and no other customer", async () => {
    const { id, supplier, brandA, brandB } = await sharedAssessment()
    // A title from before the rules named the requesting brand.
    await t.app.db
      .updateTable('assessment')
      .set({ title: 'Employer check (requested by Brand A)' })
      .where('id', '=', id)
      .execute()
    const secrets = [A_COMMENT, A_FLAG, 'analyst@brand-a.test', 'Analyst A', 'Brand A']
    const pages = [
      `/api/v1/assessments/${id}/audit`,
      `/assessments/${id}/audit`,
      `/assessments/${id}/review`,
      `/assessments/${id}/results`,
      `/assessments/${id}`,
      `/assessments/${id}/sections/A7`,
      `/api/v1/assessments/${id}`,
      `/api/v1/assessments/${id}/shares`,
      `/api/v1/assessments/${id}/snapshots`,
      `/api/v1/assessments/${id}/score`,
      '/api/v1/assessments',
      '/assessments',
      '/reviews',
    ]
    for (const url of pages) {
      const res = await brandB.get(url, { accept: 'text/html' })
      expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200)
      for (const s of secrets) expect(res.body.includes(s), `brand B reads "${s}" on ${url}`).toBe(false)
    }
    // The shared brand's own score knows nothing of brand A's suspected flag or verification.
    const scoreB = (await brandB.get(`/api/v1/assessments/${id}/score`)).json()
    expect(scoreB.suspected ?? []).toEqual([])
    expect(questions(scoreB).find((q) => q.question === 'A6.1')).toMatchObject({ verified: null })

    // Grants: the supplier sees both brands; each brand only itself.
    const grants = async (c: Client) =>
      (await c.get(`/api/v1/assessments/${id}/shares`)).json().map((g: { organisationId: number }) => g.organisationId)
    expect((await grants(supplier)).sort()).toEqual([w.brandA, w.brandB].sort())
    expect(await grants(brandA)).toEqual([w.brandA])
    expect(await grants(brandB)).toEqual([w.brandB])
    expect((await brandA.get(`/assessments/${id}`)).body).not.toContain('Brand B')
    expect((await brandA.get(`/api/v1/assessments/${id}/audit`)).body).not.toContain('Brand B')

    // Brand A still reads its own review in full.
    const review = await brandA.get(`/assessments/${id}/review`)
    expect(review.body).toContain(A_COMMENT)
    expect(review.body).toContain(A_FLAG)
    expect((await brandA.get(`/api/v1/assessments/${id}/audit`)).body).toContain('analyst@brand-a.test')
  })

  it("a shared brand reviews for itself: never the status, brand A's decisions or brand A's score", async () => {
    const { id, supplier, brandA, brandB, decide } = await sharedAssessment()
    const before = {
      status: (await brandA.get(`/api/v1/assessments/${id}`)).json().status,
      score: (await brandA.get(`/api/v1/assessments/${id}/score`)).json(),
      snapshots: (await brandA.get(`/api/v1/assessments/${id}/snapshots`)).json(),
      decisions: await t.app.db
        .selectFrom('review_decision')
        .selectAll()
        .where('organisation_id', '=', w.brandA)
        .orderBy('id')
        .execute(),
    }
    expect(before.status).toBe('submitted')
    const selfAssessed = (await supplier.get(`/api/v1/assessments/${id}/score`)).json()

    // Brand B verifies every unverified answer by a site visit, asks about one and finishes its review.
    const unverified = questions(selfAssessed)
      .filter((q) => q.unverified)
      .map((q) => q.question)
    expect(unverified.length).toBeGreaterThan(5)
    for (const q of unverified)
      expect((await decide(brandB, { question: q, decision: 'verified', method: 'site_visit' })).statusCode).toBe(303)
    expect((await decide(brandB, { question: 'A6.1', decision: 'returned', comment: B_COMMENT })).statusCode).toBe(303)
    const finish = await brandB.post(`/assessments/${id}/review/finish`, {})
    expect(finish.statusCode).toBe(303)

    // Nothing of brand A's changed.
    expect((await brandA.get(`/api/v1/assessments/${id}`)).json().status).toBe('submitted')
    const afterA = (await brandA.get(`/api/v1/assessments/${id}/score`)).json()
    expect(afterA.control.overall).toBe(before.score.control.overall)
    expect(afterA.rating).toBe(before.score.rating)
    expect((await brandA.get(`/api/v1/assessments/${id}/snapshots`)).json()).toEqual(before.snapshots)
    expect(
      await t.app.db
        .selectFrom('review_decision')
        .selectAll()
        .where('organisation_id', '=', w.brandA)
        .orderBy('id')
        .execute(),
    ).toEqual(before.decisions)

    // Brand B's score is the same engine over the same answers with its own verifications only.
    const answers = (await brandB.get(`/api/v1/assessments/${id}/answers`)).json() as Record<string, { value: never }>
    const expected = run('employer', Object.fromEntries(Object.entries(answers).map(([q, a]) => [q, a.value])), {
      verified: Object.fromEntries(unverified.filter((q) => q !== 'A6.1').map((q) => [q, 'site_visit'])),
    })
    const scoreB = (await brandB.get(`/api/v1/assessments/${id}/score`)).json()
    expect(scoreB.control.overall).toBe(expected.control.overall)
    expect(scoreB.rating).toBe(expected.rating)
    expect(scoreB.control.overall).toBeGreaterThan(selfAssessed.control.overall)
    const snapsB = (await brandB.get(`/api/v1/assessments/${id}/snapshots`)).json()
    expect(snapsB.map((s: { reason: string }) => s.reason)).toEqual(['submitted', 'reviewed, questions asked'])
    expect(snapsB[1].controlScore).toBe(expected.control.overall)
    console.log(
      `control score: self-assessed ${selfAssessed.control.overall}, brand A ${before.score.control.overall} → ${afterA.control.overall}, brand B ${scoreB.control.overall}`,
    )

    // The supplier reads what brand B asked, addressed to it, without the answer reopening.
    const section = await supplier.get(`/assessments/${id}/sections/A6`)
    expect(section.body).toContain(`Brand B asks: ${B_COMMENT}`)
    expect(
      (await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, { answers: { 'A6.1': 'workers_hold' } }))
        .statusCode,
    ).toBe(409)
    // The supplier's own score is self-assessed: no brand's verifications or suspected flags.
    expect((await supplier.get(`/api/v1/assessments/${id}/score`)).json().control.overall).toBe(
      selfAssessed.control.overall,
    )
    expect((await supplier.get(`/assessments/${id}/results`)).body).not.toContain(A_FLAG)

    // Brand B cannot follow up the shared action plan, which brand A does.
    const action = await t.app.db
      .selectFrom('action_item')
      .select(['id', 'version', 'status', 'notes'])
      .where('assessment_id', '=', id)
      .executeTakeFirstOrThrow()
    await brandB.get(`/assessments/${id}/results`)
    expect((await brandB.post(`/assessments/${id}/actions/${action.id}`, { notes: 'B was here' })).statusCode).toBe(403)

    // Brand A's review alone moves the status, and reopens only what brand A returned.
    expect((await brandA.post(`/assessments/${id}/review/finish`, {})).statusCode).toBe(303)
    expect((await brandB.get(`/api/v1/assessments/${id}`)).json().status).toBe('returned')
    const locked = await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, {
      answers: { 'A6.1': 'workers_hold' },
    })
    expect(locked.statusCode).toBe(409)
    expect(
      (await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, { answers: { 'A7.3': 'no_checked' } }))
        .statusCode,
    ).toBe(200)
  })

  it('a request cannot be revoked; the supplier declines it with a reason the brand reads, and it stays', async () => {
    const id = w.assessments.requested
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    const brandA = new Client(t.app)
    await brandA.login(w.users.analystA, PASSWORD)

    const revoke = await supplier.api('DELETE', `/api/v1/assessments/${id}/shares/${w.brandA}`)
    expect(revoke.statusCode).toBe(409)
    expect(revoke.json().message).toContain('a request cannot be revoked')
    expect((await supplier.post(`/assessments/${id}/shares/${w.brandA}/revoke`, {})).statusCode).toBe(409)
    expect((await brandA.get(`/api/v1/assessments/${id}`)).statusCode).toBe(200)

    const why = 'We stopped supplying this brand in 2025'
    expect((await supplier.api('POST', `/api/v1/assessments/${id}/decline`, { reason: '' })).statusCode).toBe(400)
    expect((await brandA.api('POST', `/api/v1/assessments/${id}/decline`, { reason: 'x' })).statusCode).toBe(403)
    expect(
      (await supplier.api('POST', `/api/v1/assessments/${w.assessments.selfA}/decline`, { reason: 'x' })).statusCode,
    ).toBe(409)
    expect((await supplier.api('POST', `/api/v1/assessments/${id}/decline`, { reason: why })).statusCode).toBe(204)

    // The brand still has it, declined, with the reason: in its list, on the page and in its portfolio.
    const seen = (await brandA.get(`/api/v1/assessments/${id}`)).json()
    expect(seen).toMatchObject({ status: 'declined', declineReason: why })
    expect((await brandA.get(`/assessments/${id}`)).body).toContain(why)
    const portfolio = await brandA.get('/portfolio?status=declined')
    expect(portfolio.body).toContain('Supplier A')
    expect(portfolio.body).toContain(why)
    expect((await brandA.get('/reviews')).body).not.toContain(`/assessments/${id}/review`)

    // Nothing more happens to it: no answers, no submission, no second decline, no sharing.
    expect(
      (await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, { answers: { 'A6.1': 'workers_hold' } }))
        .statusCode,
    ).toBe(409)
    expect((await supplier.api('POST', `/api/v1/assessments/${id}/submit`)).statusCode).toBe(409)
    expect((await supplier.api('POST', `/api/v1/assessments/${id}/decline`, { reason: why })).statusCode).toBe(409)
    expect((await supplier.api('PUT', `/api/v1/assessments/${id}/shares/${w.brandB}`)).statusCode).toBe(409)
    // …and its page offers no share form that could only be refused.
    expect((await supplier.get(`/assessments/${id}`)).body).not.toContain(`action="/assessments/${id}/shares"`)
  })

  it('a share grant is still revoked by the supplier', async () => {
    const { id, supplier, brandB } = await sharedAssessment()
    // A submitted assessment's page offers sharing.
    expect((await supplier.get(`/assessments/${id}`)).body).toContain(`action="/assessments/${id}/shares"`)
    expect((await supplier.api('DELETE', `/api/v1/assessments/${id}/shares/${w.brandB}`)).statusCode).toBe(204)
    expect((await brandB.get(`/api/v1/assessments/${id}`)).statusCode).toBe(404)
  })
})
