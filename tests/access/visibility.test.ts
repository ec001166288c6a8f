import { describe, expect, it } from 'vitest'
import { Client } from '../helpers/client.ts'
import { bestAnswers, compiled, PROFILE } from '../helpers/scoring.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

describe('who sees an assessment', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  it('a brand sees a supplier assessment only after requesting it or being shared it; revoking a share removes access', async () => {
    const brandA = new Client(t.app)
    const brandB = new Client(t.app)
    const supplier = new Client(t.app)
    await brandA.login(w.users.analystA, PASSWORD)
    await brandB.login(w.users.analystB, PASSWORD)
    await supplier.login(w.users.respA, PASSWORD)

    // Requested by brand A: A sees it, B does not; the self-check is seen by neither.
    expect((await brandA.get(`/api/v1/assessments/${w.assessments.requested}`)).statusCode).toBe(200)
    expect((await brandB.get(`/api/v1/assessments/${w.assessments.requested}`)).statusCode).toBe(404)
    expect((await brandA.get(`/api/v1/assessments/${w.assessments.selfA}`)).statusCode).toBe(404)
    expect((await brandB.get('/api/v1/assessments')).json().map((a: { id: number }) => a.id)).toEqual([])
    expect(
      (await supplier.get('/api/v1/assessments'))
        .json()
        .map((a: { id: number }) => a.id)
        .sort(),
    ).toEqual([w.assessments.requested, w.assessments.selfA].sort())

    // Sharing needs a submitted assessment.
    const draftShare = await supplier.api('PUT', `/api/v1/assessments/${w.assessments.selfA}/shares/${w.brandB}`)
    expect(draftShare.statusCode).toBe(409)
    const { cq } = compiled('employer')
    const answers = bestAnswers(cq, PROFILE)
    expect(
      (await supplier.api('PUT', `/api/v1/assessments/${w.assessments.selfA}/answers`, { answers })).statusCode,
    ).toBe(200)
    const submitted = await supplier.api('POST', `/api/v1/assessments/${w.assessments.selfA}/submit`)
    expect(submitted.statusCode, submitted.body).toBe(200)

    expect(
      (await supplier.api('PUT', `/api/v1/assessments/${w.assessments.selfA}/shares/${w.brandB}`)).statusCode,
    ).toBe(204)
    expect((await brandB.get(`/api/v1/assessments/${w.assessments.selfA}`)).statusCode).toBe(200)
    expect((await brandB.get(`/api/v1/assessments/${w.assessments.selfA}/answers`)).json()['A6.1'].value).toBe(
      answers['A6.1'],
    )
    expect((await brandA.get(`/api/v1/assessments/${w.assessments.selfA}`)).statusCode).toBe(404)
    // The brand can read the audit log of an assessment shared with it, but cannot change answers or shares.
    expect((await brandB.get(`/api/v1/assessments/${w.assessments.selfA}/audit`)).statusCode).toBe(200)
    expect(
      (
        await brandB.api('PUT', `/api/v1/assessments/${w.assessments.selfA}/answers`, {
          answers: { 'A6.1': 'workers_hold' },
        })
      ).statusCode,
    ).toBe(403)
    expect([403, 404]).toContain(
      (await brandB.api('DELETE', `/api/v1/assessments/${w.assessments.selfA}/shares/${w.brandB}`)).statusCode,
    )

    expect(
      (await supplier.api('DELETE', `/api/v1/assessments/${w.assessments.selfA}/shares/${w.brandB}`)).statusCode,
    ).toBe(204)
    expect((await brandB.get(`/api/v1/assessments/${w.assessments.selfA}`)).statusCode).toBe(404)
    expect((await brandB.get(`/api/v1/assessments/${w.assessments.selfA}/answers`)).statusCode).toBe(404)
    expect((await brandB.get('/api/v1/assessments')).json()).toEqual([])
    const log = (await supplier.get(`/api/v1/assessments/${w.assessments.selfA}/audit`)).statusCode
    expect(log).toBe(403) // respondents are not admins
  })

  it('a brand requests only from its own suppliers, and pins the current questionnaire version', async () => {
    const brandA = new Client(t.app)
    await brandA.login(w.users.analystA, PASSWORD)
    const other = await brandA.api('POST', '/api/v1/requests', {
      organisationId: w.supplierB,
      questionnaire: 'employer',
      dueDate: null,
    })
    expect(other.statusCode).toBe(400)
    expect(other.json().issues[0].field).toBe('organisationId')
    const wrongQ = await brandA.api('POST', '/api/v1/requests', {
      organisationId: w.supplierA,
      questionnaire: 'recruiter',
      dueDate: null,
    })
    expect(wrongQ.statusCode).toBe(400)
    expect(wrongQ.json().message).toContain('answered by a recruiter')
    const ok = await brandA.api('POST', '/api/v1/requests', {
      organisationId: w.supplierA,
      questionnaire: 'employer',
      dueDate: '2099-01-31',
    })
    expect(ok.statusCode).toBe(201)
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    const inbox = await supplier.get('/assessments')
    expect(inbox.body).toContain('2099-01-31')
    expect(inbox.body).toContain('Brand A')
  })

  it('saves answers all or nothing, refuses stale copies with both values, and locks them on submit', async () => {
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    const url = `/api/v1/assessments/${w.assessments.requested}/answers`
    const bad = await supplier.api('PUT', url, { answers: { 'A1.4': 'yes', 'A6.1': 'nope' } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().issues).toEqual([
      { field: 'answers.A6.1', message: expect.stringContaining('"nope" is not a choice of A6.1') },
    ])
    const current = (await supplier.get(url)).json()
    expect(current['A1.4']).toBeUndefined()
    expect(current['A6.1'].value).toBe('held_restricted')

    const v = current['A6.1'].version
    expect(
      (await supplier.api('PUT', url, { answers: { 'A6.1': 'workers_hold' }, versions: { 'A6.1': v } })).statusCode,
    ).toBe(200)
    const stale = await supplier.api('PUT', url, {
      answers: { 'A6.1': 'held_released_on_request' },
      versions: { 'A6.1': v },
    })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().details).toEqual([
      { question: 'A6.1', yours: 'held_released_on_request', theirs: 'workers_hold', theirVersion: v + 1 },
    ])
    expect((await supplier.get(url)).json()['A6.1'].value).toBe('workers_hold')

    const missing = await supplier.api('POST', `/api/v1/assessments/${w.assessments.requested}/submit`)
    expect(missing.statusCode).toBe(400)
    expect(missing.json().issues.length).toBeGreaterThan(10)
  })
})
