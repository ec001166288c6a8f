import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, createInvitation, revokeApiToken } from '../../src/access/access.service.ts'
import { scoreAssessment } from '../../src/assessment/assessment.service.ts'
import { addEvidence, syncActions } from '../../src/assessment/workflow.service.ts'
import { storeSnapshot } from '../../src/scoring/score.service.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { buildWorld, PASSWORD, principal } from '../helpers/world.ts'

/**
 * Walks the whole route table. Every route with a parameter must either be public by design (listed
 * below with the reason) or refuse callers from another organisation, anonymous callers and revoked
 * tokens, without showing any of the data. A new route with a parameter this test does not know makes
 * it fail until its tenant scope is described here.
 */
const PUBLIC_BY_DESIGN: Record<string, string> = {
  '/questionnaires/:id': 'questionnaire content is published guidance, not tenant data',
  '/api/v1/questionnaires/:id': 'questionnaire content is published guidance, not tenant data',
  '/api/v1/rubrics/:spec': 'the scoring method is public so that every score can be explained',
  '/invite/:token': 'the 256-bit single-use token is the credential; tested in invitations.test.ts',
}
const SKIP_PREFIXES = ['/assets/', '/docs']

/** A valid body for each write, so that the request reaches the scope check rather than validation. */
const BODIES: Record<string, Record<string, unknown>> = {
  'POST /people/:id/role': { role: 'viewer' },
  'POST /people/:id/disable': {},
  'POST /tokens/:id/revoke': {},
  'POST /invitations/:id/revoke': {},
  'POST /suppliers/:id': { internalCode: 'HACKED', tier: '1' },
  'POST /assessments/:id/shares': { brandId: 'BRAND_B' },
  'POST /assessments/:id/shares/:orgId/revoke': {},
  'PUT /api/v1/assessments/:id/answers': { answers: { 'A6.1': 'workers_hold' } },
  'POST /api/v1/assessments/:id/submit': {},
  'PUT /api/v1/assessments/:id/shares/:orgId': {},
  'DELETE /api/v1/assessments/:id/shares/:orgId': {},
  'POST /assessments/:id/sections/:sid': { 'present[A6.1]': '1', 'a[A6.1]': 'workers_hold' },
  'POST /assessments/:id/submit': {},
  'POST /assessments/:id/actions/:actionId': { owner: 'HACKED', status: 'done' },
  'POST /assessments/:id/review/decisions': { question: 'A6.1', decision: 'accepted' },
  'POST /assessments/:id/review/flags': { reason: 'HACKED' },
  'POST /assessments/:id/review/finish': {},
  'POST /assessments/:id/action-plan.xlsx': {},
  'POST /assessments/:id/questionnaire.xlsx': {},
}

describe('tenant isolation over every route', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let w: Awaited<ReturnType<typeof buildWorld>>
  let fixtures: Record<string, string>
  const callers: Record<
    string,
    (
      method: string,
      url: string,
      body?: Record<string, unknown>,
    ) => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>
  > = {}

  beforeAll(async () => {
    t = await testApp()
    w = await buildWorld(t.app)
    const adminA = principal(
      (
        await t.app.db
          .selectFrom('user_account')
          .select('id')
          .where('email', '=', w.users.adminA)
          .executeTakeFirstOrThrow()
      ).id,
      w.brandA,
      'brand',
      'admin',
      'Brand A',
    )
    const invitation = await createInvitation(t.app.db, adminA, {
      email: 'someone@new.test',
      kind: 'supplier',
      organisationName: 'Secret Supplier Name',
    })
    const evidenceId = await addEvidence(
      t.app.db,
      w.principals.respA,
      w.assessments.requested,
      'A6.1',
      { name: 'Supplier A passports.pdf', data: Buffer.from('%PDF-1.4 held_restricted') },
      t.app.config.evidenceDir,
    )
    // A score and an action plan, as after a submission, so that results and actions have data to protect.
    const scored = await scoreAssessment(t.app.db, w.principals.respA, w.assessments.requested)
    await storeSnapshot(
      t.app.db,
      w.assessments.requested,
      scored.questionnaireVersionId,
      scored.rubricVersionId,
      'submitted',
      scored.result,
    )
    await syncActions(t.app.db, w.assessments.requested, scored.result)
    const actionId = (
      await t.app.db
        .selectFrom('action_item')
        .select('id')
        .where('assessment_id', '=', w.assessments.requested)
        .executeTakeFirstOrThrow()
    ).id
    const peopleId = (
      await t.app.db
        .selectFrom('user_account')
        .select('id')
        .where('email', '=', w.users.analystA)
        .executeTakeFirstOrThrow()
    ).id
    fixtures = {
      '/assessments/:id': String(w.assessments.requested),
      '/api/v1/assessments/:id': String(w.assessments.requested),
      '/invitations/:id': String(invitation.id),
      '/people/:id': String(peopleId),
      '/tokens/:id': String(w.tokenA.id),
      '/suppliers/:id': String(w.supplierA),
      ':orgId': String(w.brandA),
      ':sid': 'A6',
      ':actionId': String(actionId),
      ':evidenceId': String(evidenceId),
    }

    const adminBId = (
      await t.app.db
        .selectFrom('user_account')
        .select('id')
        .where('email', '=', w.users.adminB)
        .executeTakeFirstOrThrow()
    ).id
    const pAdminB = principal(adminBId, w.brandB, 'brand', 'admin', 'Brand B')
    const revoked = await createApiToken(t.app.db, pAdminB, 'old', 'analyst')
    await revokeApiToken(t.app.db, pAdminB, revoked.id)
    const liveB = await createApiToken(t.app.db, pAdminB, 'live', 'analyst')

    const brandB = new Client(t.app)
    await brandB.login(w.users.adminB, PASSWORD)
    const supplierB = new Client(t.app)
    await supplierB.login(w.users.respB, PASSWORD)
    const anonymous = new Client(t.app)
    await anonymous.get('/login')

    const viaClient = (c: Client) => async (method: string, url: string, body?: Record<string, unknown>) => {
      if (method === 'GET') return c.get(url, { accept: 'text/html' })
      if (url.startsWith('/api/')) return c.api(method as 'PUT', url, method === 'DELETE' ? undefined : body)
      return c.post(url, Object.fromEntries(Object.entries(body ?? {}).map(([k, v]) => [k, String(v)])))
    }
    const viaToken = (token: string) => (method: string, url: string, body?: Record<string, unknown>) =>
      t.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: body ?? {} }),
      })
    callers['another brand (admin, session)'] = viaClient(brandB)
    callers['another supplier (session)'] = viaClient(supplierB)
    callers.anonymous = viaClient(anonymous)
    callers['revoked token'] = viaToken(revoked.token)
    callers['another brand (live token)'] = viaToken(liveB.token)
  })
  afterAll(async () => {
    await t.close()
  })

  function concrete(url: string): string {
    const base = url.replace(/\/:[A-Za-z]+.*$/, '/:id')
    let out = url
    for (const param of url.match(/:[A-Za-z]+/g) ?? []) {
      const key = param === ':id' ? base.replace(/(\/:id).*$/, '$1') : param
      const value = fixtures[key] ?? fixtures[url.slice(0, url.indexOf(param) + param.length)]
      if (!value)
        throw new Error(
          `no isolation fixture for ${param} in ${url}: describe this route's tenant scope in isolation.test.ts`,
        )
      out = out.replace(param, value)
    }
    return out
  }

  it('every route with a parameter refuses other organisations, anonymous callers and revoked tokens', async () => {
    const routes = t.app.routeTable.filter(
      (r) => r.url.includes(':') && r.method !== 'HEAD' && !SKIP_PREFIXES.some((p) => r.url.startsWith(p)),
    )
    expect(routes.length).toBeGreaterThan(15)
    const checked: string[] = []
    for (const r of routes) {
      if (PUBLIC_BY_DESIGN[r.url]) continue
      const url = concrete(r.url)
      let body: Record<string, unknown> | undefined
      if (r.method !== 'GET') {
        const sample = BODIES[`${r.method} ${r.url}`]
        if (!sample) throw new Error(`no sample body for ${r.method} ${r.url}: add one to BODIES in isolation.test.ts`)
        body = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, v === 'BRAND_B' ? w.brandB : v]))
      }
      for (const [who, call] of Object.entries(callers)) {
        const res = await call(r.method, url, body)
        const ok =
          [401, 403, 404].includes(res.statusCode) ||
          (res.statusCode === 302 && String(res.headers.location).startsWith('/login'))
        expect(ok, `${who}: ${r.method} ${url} answered ${res.statusCode}`).toBe(true)
        for (const secret of ['Supplier A', 'held_restricted', 'Secret Supplier Name', 'Analyst A', 'integration']) {
          expect(res.body.includes(secret), `${who}: ${r.method} ${url} shows "${secret}"`).toBe(false)
        }
      }
      checked.push(`${r.method} ${r.url}`)
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        'GET /api/v1/assessments/:id/answers',
        'PUT /api/v1/assessments/:id/answers',
        'POST /tokens/:id/revoke',
        'POST /people/:id/role',
      ]),
    )
  })

  it('the same routes do answer the organisation that may see the data (the test is not vacuous)', async () => {
    const owner = new Client(t.app)
    await owner.login(w.users.adminA, PASSWORD)
    const gets = t.app.routeTable.filter(
      (r) =>
        r.method === 'GET' &&
        r.url.includes(':') &&
        !PUBLIC_BY_DESIGN[r.url] &&
        !SKIP_PREFIXES.some((p) => r.url.startsWith(p)),
    )
    for (const r of gets) {
      const res = await owner.get(concrete(r.url), { accept: 'text/html' })
      const redirectsInside = res.statusCode === 302 && String(res.headers.location).startsWith('/assessments/')
      expect(res.statusCode === 200 || redirectsInside, `${r.url} for its owner answered ${res.statusCode}`).toBe(true)
    }
    expect((await owner.get(`/api/v1/assessments/${w.assessments.requested}/answers`)).body).toContain(
      'held_restricted',
    )
  })

  it('the data is unchanged after all those attempts', async () => {
    const answers = await t.app.db
      .selectFrom('answer')
      .select(['question_id', 'value'])
      .where('assessment_id', '=', w.assessments.requested)
      .where('question_id', '=', 'A6.1')
      .executeTakeFirstOrThrow()
    expect(answers.value).toBe('"held_restricted"')
    const tokens = await t.app.db
      .selectFrom('api_token')
      .select(['name', 'revoked_at'])
      .where('organisation_id', '=', w.brandA)
      .execute()
    expect(tokens).toEqual([{ name: 'integration', revoked_at: null }])
    const roles = await t.app.db
      .selectFrom('user_account')
      .select(['email', 'role', 'disabled_at'])
      .where('organisation_id', '=', w.brandA)
      .orderBy('email')
      .execute()
    expect(roles).toEqual([
      { email: w.users.adminA, role: 'admin', disabled_at: null },
      { email: w.users.analystA, role: 'analyst', disabled_at: null },
    ])
    const inv = await t.app.db.selectFrom('invitation').select(['revoked_at']).executeTakeFirstOrThrow()
    expect(inv.revoked_at).toBeNull()
  })
})
