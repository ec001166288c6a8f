import { describe, expect, it } from 'vitest'
import { Client } from '../helpers/client.ts'
import { bestAnswers, compiled, PROFILE } from '../helpers/scoring.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

describe('review: accept, verify, return, fix, re-score', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  it('verification raises credit, a returned answer reopens alone, and the snapshot history is kept', async () => {
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    const { cq } = compiled('employer')
    const answers: Record<string, unknown> = { ...bestAnswers(cq, PROFILE), 'A7.3': 'yes' }
    const id = w.assessments.requested
    expect((await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, { answers })).statusCode).toBe(200)
    expect((await supplier.api('POST', `/api/v1/assessments/${id}/submit`)).json()).toMatchObject({
      status: 'submitted',
    })
    const results = await supplier.get(`/assessments/${id}/results`)
    expect(results.statusCode).toBe(200)
    expect(results.body).toContain('Withholding of wages')
    expect(results.body).toMatch(/class="rating rating-(high|critical)"/)
    // Every gap became an action with a due date from its timeframe.
    const actions = await t.app.db.selectFrom('action_item').selectAll().where('assessment_id', '=', id).execute()
    expect(actions.map((a) => a.question_id)).toContain('A7.3')
    expect(actions.every((a) => a.due_date !== null && a.status === 'open')).toBe(true)

    const reviewer = new Client(t.app)
    await reviewer.login(w.users.analystA, PASSWORD)
    expect((await reviewer.get('/reviews')).body).toContain(`/assessments/${id}/review`)
    const page = await reviewer.get(`/assessments/${id}/review`)
    expect(page.statusCode).toBe(200)
    const before = (await reviewer.get(`/api/v1/assessments/${id}/score`)).json()
    const a61Before = before.control.sections
      .flatMap((s: { questions: { question: string; credit: number }[] }) => s.questions)
      .find((q: { question: string }) => q.question === 'A6.1')
    expect(
      (await reviewer.post(`/assessments/${id}/review/decisions`, { question: 'A1.1', decision: 'accepted' }))
        .statusCode,
    ).toBe(303)
    expect(
      (
        await reviewer.post(`/assessments/${id}/review/decisions`, {
          question: 'A6.1',
          decision: 'verified',
          method: 'worker_interview',
        })
      ).statusCode,
    ).toBe(303)
    const noComment = await reviewer.post(`/assessments/${id}/review/decisions`, {
      question: 'A7.3',
      decision: 'returned',
      comment: '',
    })
    expect(noComment.statusCode).toBe(400)
    expect(noComment.body).toContain('a comment is required to return an answer')
    expect(
      (
        await reviewer.post(`/assessments/${id}/review/decisions`, {
          question: 'A7.3',
          decision: 'returned',
          comment: 'Workers say the agent keeps their bank cards. Please check.',
        })
      ).statusCode,
    ).toBe(303)
    const after = (await reviewer.get(`/api/v1/assessments/${id}/score`)).json()
    const a61After = after.control.sections
      .flatMap((s: { questions: { question: string; credit: number }[] }) => s.questions)
      .find((q: { question: string }) => q.question === 'A6.1')
    expect(a61After.credit).toBeGreaterThanOrEqual(a61Before.credit)
    expect(a61After.verified).toBe('worker_interview')
    expect((await reviewer.post(`/assessments/${id}/review/finish`, {})).statusCode).toBe(303)
    expect((await reviewer.get(`/api/v1/assessments/${id}`)).json().status).toBe('returned')

    // The respondent can change only the returned answer.
    const locked = await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, {
      answers: { 'A1.1': answers['A1.1'] === 'none' ? 'approved_internal' : 'none' },
    })
    expect(locked.statusCode).toBe(409)
    expect(locked.json().issues[0]).toEqual({ field: 'answers.A1.1', message: 'locked: not returned by the reviewer' })
    const section = await supplier.get(`/assessments/${id}/sections/A7`)
    expect(section.body).toContain('Workers say the agent keeps their bank cards.')
    expect(
      (await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, { answers: { 'A7.3': 'no_checked' } }))
        .statusCode,
    ).toBe(200)
    expect((await supplier.api('POST', `/api/v1/assessments/${id}/submit`)).statusCode).toBe(200)
    await reviewer.get(`/assessments/${id}/review`)
    expect((await reviewer.post(`/assessments/${id}/review/finish`, {})).statusCode).toBe(303)
    const final = (await reviewer.get(`/api/v1/assessments/${id}`)).json()
    expect(final.status).toBe('reviewed')
    const snaps = (await reviewer.get(`/api/v1/assessments/${id}/snapshots`)).json()
    expect(snaps.map((s: { reason: string }) => s.reason)).toEqual([
      'submitted',
      'returned for changes',
      'resubmitted',
      'reviewed',
    ])
    expect(snaps[0].redFlags).toBeGreaterThan(snaps[3].redFlags)
    // The fixed answer is a claim that nothing proves yet on a critical question (2026.2): its action stays open
    // as a verification gap until evidence is attached or the reviewer verifies it.
    const fixed = await t.app.db
      .selectFrom('action_item')
      .select(['status', 'notes'])
      .where('assessment_id', '=', id)
      .where('question_id', '=', 'A7.3')
      .executeTakeFirstOrThrow()
    expect(fixed.status).toBe('open')
    // The brand portfolio page shows the same rating as the results page.
    const resultsPage = await reviewer.get(`/assessments/${id}/results`)
    const rating = /class="rating rating-(\w+)"/.exec(resultsPage.body)?.[1]
    expect(rating).toBe(snaps[3].rating)
  })

  it('a suspected red flag holds the rating at High at least; a reviewer verifies a done action', async () => {
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    const { cq } = compiled('employer')
    const id = w.assessments.requested
    const lowRisk = {
      ...bestAnswers(cq, PROFILE),
      'A0.1': 'DE',
      'A0.2': 'services_other',
      'A0.3b': 10,
      'A0.5': ['direct'],
      'A0.7': 'no',
      'A0.8': 'no',
      'A1.4': 'partly',
    }
    await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, { answers: lowRisk })
    await supplier.api('POST', `/api/v1/assessments/${id}/submit`)
    const reviewer = new Client(t.app)
    await reviewer.login(w.users.analystA, PASSWORD)
    await reviewer.get(`/assessments/${id}/review`)
    const before = (await reviewer.get(`/api/v1/assessments/${id}/score`)).json().rating
    expect(['low', 'medium']).toContain(before)
    expect(
      (
        await reviewer.post(`/assessments/${id}/review/flags`, {
          question: 'A3.1',
          reason: 'Workers interviewed said they paid a broker in Nepal.',
        })
      ).statusCode,
    ).toBe(303)
    expect((await reviewer.get(`/api/v1/assessments/${id}/score`)).json().rating).toBe('high')

    const action = await t.app.db
      .selectFrom('action_item')
      .selectAll()
      .where('assessment_id', '=', id)
      .where('question_id', '=', 'A1.4')
      .executeTakeFirstOrThrow()
    await supplier.get(`/assessments/${id}/results`)
    expect(
      (
        await supplier.post(`/assessments/${id}/actions/${action.id}`, {
          owner: 'HR manager',
          dueDate: '2027-01-31',
          status: 'done',
          notes: 'Policy sent to all recruiters',
          version: String(action.version),
        })
      ).statusCode,
    ).toBe(303)
    const stale = await supplier.post(`/assessments/${id}/actions/${action.id}`, {
      owner: 'Someone else',
      version: String(action.version),
    })
    expect(stale.statusCode).toBe(409)
    await reviewer.get(`/assessments/${id}/results`)
    const verified = await reviewer.post(`/assessments/${id}/actions/${action.id}`, {
      status: 'verified',
      notes: 'Seen the letters',
    })
    expect(verified.statusCode).toBe(303)
    const row = await t.app.db
      .selectFrom('action_item')
      .selectAll()
      .where('id', '=', action.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      owner: 'HR manager',
      due_date: '2027-01-31',
      status: 'verified',
      notes: 'Seen the letters',
    })
  })
})
