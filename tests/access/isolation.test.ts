import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, revokeApiToken } from '../../src/access/api-token.service.ts'
import { createInvitation } from '../../src/access/invitation.service.ts'
import { setOperator } from '../../src/access/operator.service.ts'
import { syncActions } from '../../src/assessment/action-plan.service.ts'
import { scoreAssessment } from '../../src/assessment/assessment-score.service.ts'
import { addEvidence } from '../../src/assessment/evidence.service.ts'
import { queueRescore } from '../../src/assessment/rescore.service.ts'
import { decide, raiseSuspectedFlag } from '../../src/assessment/review.service.ts'
import { shareAssessment } from '../../src/assessment/sharing.service.ts'
import { getRubricVersion } from '../../src/scoring/rubric.service.ts'
import { storeSnapshot } from '../../src/scoring/score.service.ts'
import { listSnapshots } from '../../src/scoring/score-snapshot.repository.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { finished, finishedExport } from '../helpers/jobs.ts'
import { answerAndSubmit } from '../helpers/seed.ts'
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
  'POST /assessments/:id/evidence/:evidenceId/delete': {},
  'POST /assessments/:id/actions/:actionId': { owner: 'HACKED', status: 'done' },
  'POST /assessments/:id/review/decisions': { question: 'A6.1', decision: 'accepted' },
  'POST /assessments/:id/review/flags': { reason: 'HACKED' },
  'POST /assessments/:id/review/rule-flags': {
    rule: 'fees_denied_debt_reported',
    decision: 'cleared',
    comment: 'HACKED',
  },
  'POST /assessments/:id/review/finish': {},
  'POST /assessments/:id/action-plan.xlsx': {},
  'POST /assessments/:id/questionnaire.xlsx': {},
  'POST /assessments/:id/decline': { reason: 'HACKED' },
  'POST /api/v1/assessments/:id/decline': { reason: 'HACKED' },
}

/** Fills a route's parameters from the fixtures: `/assessments/:id` style keys first, then the parameter itself. */
function concreteUrl(url: string, fixtures: Record<string, string>): string {
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

/** A re-score of the current rubric, run to its end by the app's worker; its job id. */
async function finishedRescore(app: Awaited<ReturnType<typeof testApp>>['app']): Promise<number> {
  const { job } = await queueRescore(app.db, await getRubricVersion(app.db))
  app.jobs.wake()
  const row = await finished(app.db, job.id)
  if (row.status !== 'done') throw new Error(`the re-score failed: ${row.error}`)
  return job.id
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
      t.app.blobs,
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
      // A portfolio export of brand A, finished, so that its status and its file have data to protect.
      '/portfolio/exports/:id': String(await finishedExport(t.app, adminA)),
      // A finished re-score: its page and workbook are for platform operators only (brand A's admin is one here,
      // so that the owner's walk below reaches them), whatever organisation the caller is in.
      '/operator/rescore/:id': String(await finishedRescore(t.app)),
    }
    await setOperator(t.app.db, w.users.adminA, true)

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
    return concreteUrl(url, fixtures)
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

/**
 * The same walk with a brand the assessment is shared with as the caller (docs/sharing.md). Supplier A
 * submitted brand A's request; brand A has returned an answer with a comment, verified one and raised a
 * suspected flag; supplier A shared the assessment with brand B. Brand B calls every route that reads (every
 * GET) and every write that names something (parameterised routes; the writes without one sign in or out or
 * create the caller's own people, tokens and requests, and name no assessment). Brand B may review for
 * itself, but no response may show brand A's review or people, and after every write brand A's status,
 * decisions, flags and score must be as they were.
 */
describe('tenant isolation over every route: a brand the assessment is shared with', () => {
  const A_COMMENT = 'Brand A thinks the wage slips were rewritten'
  const A_FLAG = 'Brand A heard of recruitment fees in Dhaka'
  const SECRETS = [A_COMMENT, A_FLAG, 'analyst@brand-a.test', 'admin@brand-a.test', 'Analyst A', 'Admin A', 'Brand A']
  let t: Awaited<ReturnType<typeof testApp>>
  let w: Awaited<ReturnType<typeof buildWorld>>
  let id: number
  let fixtures: Record<string, string>
  const callers: Record<string, (method: string, url: string, body?: Record<string, unknown>) => Promise<Reply>> = {}
  type Reply = { statusCode: number; body: string; rawPayload: Buffer; headers: Record<string, unknown> }

  /** What brand A owns on the assessment: it must never change by brand B's hand. */
  async function brandAState() {
    const db = t.app.db
    const score = (await scoreAssessment(db, w.principals.analystA, id)).result
    return {
      status: await db
        .selectFrom('assessment')
        .select(['status', 'reviewed_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
      decisions: await db
        .selectFrom('review_decision')
        .selectAll()
        .where('organisation_id', '=', w.brandA)
        .orderBy('id')
        .execute(),
      flags: await db
        .selectFrom('suspected_flag')
        .selectAll()
        .where('organisation_id', '=', w.brandA)
        .orderBy('id')
        .execute(),
      snapshots: await listSnapshots(db, id, w.brandA),
      score: { rating: score.rating, control: score.control.overall, redFlags: score.redFlags.length },
      grants: await db
        .selectFrom('assessment_access')
        .selectAll()
        .where('assessment_id', '=', id)
        .where('organisation_id', '=', w.brandA)
        .execute(),
      actions: await db
        .selectFrom('action_item')
        .select(['id', 'status', 'notes', 'owner', 'verified_by'])
        .where('assessment_id', '=', id)
        .orderBy('id')
        .execute(),
    }
  }

  /** The text a reader gets: workbooks are unzipped and every cell read. */
  async function readable(res: Reply): Promise<string> {
    if (!String(res.headers['content-type'] ?? '').includes('spreadsheetml')) return res.body
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const cells: string[] = []
    wb.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((c) => cells.push(typeof c.value === 'object' ? JSON.stringify(c.value) : String(c.value))),
      ),
    )
    return cells.join('\n')
  }

  beforeAll(async () => {
    t = await testApp()
    w = await buildWorld(t.app)
    id = w.assessments.requested
    const evidenceId = await addEvidence(
      t.app.db,
      w.principals.respA,
      id,
      'A6.1',
      { name: 'passports.pdf', data: Buffer.from('%PDF-1.4 shared evidence') },
      t.app.blobs,
    )
    await answerAndSubmit(t.app, w.principals.respA, id, 7)
    const pA = w.principals.analystA
    await decide(t.app.db, pA, id, { question: 'A7.3', decision: 'returned', comment: A_COMMENT })
    await decide(t.app.db, pA, id, { question: 'A6.1', decision: 'verified', method: 'document' })
    await raiseSuspectedFlag(t.app.db, pA, id, { question: 'A3.1', reason: A_FLAG })
    await shareAssessment(t.app.db, w.principals.respA, id, w.brandB)
    const first = (_table: 'user_account') => t.app.db.selectFrom('user_account').select('id')
    const actionId = (
      await t.app.db.selectFrom('action_item').select('id').where('assessment_id', '=', id).executeTakeFirstOrThrow()
    ).id
    const analystAId = (await first('user_account').where('email', '=', w.users.analystA).executeTakeFirstOrThrow()).id
    const adminBId = (await first('user_account').where('email', '=', w.users.adminB).executeTakeFirstOrThrow()).id
    const invitation = await createInvitation(
      t.app.db,
      { ...w.principals.analystA, role: 'admin' },
      { email: 'new@supplier.test', kind: 'supplier', organisationName: 'Another supplier' },
    )
    fixtures = {
      '/assessments/:id': String(id),
      '/api/v1/assessments/:id': String(id),
      '/invitations/:id': String(invitation.id),
      '/people/:id': String(analystAId),
      '/tokens/:id': String(w.tokenA.id),
      '/suppliers/:id': String(w.supplierA),
      // The requesting brand: brand B tries to share the assessment with it, or to revoke its access.
      ':orgId': String(w.brandA),
      ':sid': 'A7',
      ':actionId': String(actionId),
      ':evidenceId': String(evidenceId),
      '/portfolio/exports/:id': String(await finishedExport(t.app, w.principals.analystA)),
      '/operator/rescore/:id': String(await finishedRescore(t.app)),
    }
    const session = new Client(t.app)
    await session.login(w.users.adminB, PASSWORD)
    const analyst = new Client(t.app)
    await analyst.login(w.users.analystB, PASSWORD)
    const token = await createApiToken(
      t.app.db,
      principal(adminBId, w.brandB, 'brand', 'admin', 'Brand B'),
      'b',
      'analyst',
    )
    const viaClient = (c: Client) => async (method: string, url: string, body?: Record<string, unknown>) => {
      if (method === 'GET') return c.get(url, { accept: 'text/html' })
      if (url.startsWith('/api/')) return c.api(method as 'PUT', url, method === 'DELETE' ? undefined : body)
      return c.post(url, Object.fromEntries(Object.entries(body ?? {}).map(([k, v]) => [k, String(v)])))
    }
    callers['shared brand (admin, session)'] = viaClient(session)
    callers['shared brand (analyst, session)'] = viaClient(analyst)
    callers['shared brand (analyst token)'] = (method, url, body) =>
      t.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${token.token}` },
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: body ?? {} }),
      })
  })
  afterAll(async () => {
    await t.close()
  })

  it('reads none of the requesting brand review and changes none of it, over every route', async () => {
    const routes = t.app.routeTable.filter(
      (r) =>
        r.method !== 'HEAD' &&
        !SKIP_PREFIXES.some((p) => r.url.startsWith(p)) &&
        !PUBLIC_BY_DESIGN[r.url] &&
        (r.method === 'GET' || r.url.includes(':')),
    )
    const before = await brandAState()
    expect(before.decisions.length).toBe(2)
    expect(before.status.status).toBe('submitted')
    let calls = 0
    let leaks = 0
    let changes = 0
    let answered = 0
    for (const r of routes) {
      const url = concreteUrl(r.url, fixtures)
      let body: Record<string, unknown> | undefined
      if (r.method !== 'GET') {
        const sample = BODIES[`${r.method} ${r.url}`]
        if (!sample) throw new Error(`no sample body for ${r.method} ${r.url}: add one to BODIES in isolation.test.ts`)
        body = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, v === 'BRAND_B' ? w.brandA : v]))
      }
      for (const [who, call] of Object.entries(callers)) {
        const res = await call(r.method, url, body)
        calls++
        if (res.statusCode < 400) answered++
        expect(res.statusCode, `${who}: ${r.method} ${url} answered ${res.statusCode}`).toBeLessThan(500)
        const text = await readable(res)
        for (const secret of SECRETS) {
          if (text.includes(secret)) leaks++
          expect(text.includes(secret), `${who}: ${r.method} ${url} shows "${secret}"`).toBe(false)
        }
        if (r.method !== 'GET') {
          const now = await brandAState()
          if (JSON.stringify(now) !== JSON.stringify(before)) changes++
          expect(now, `${who}: ${r.method} ${url} changed brand A's status, review or score`).toEqual(before)
        }
      }
    }
    console.log(
      `shared-brand walk: ${routes.length} routes, ${calls} calls (${answered} answered 2xx/3xx), ${leaks} reads of brand A's review, ${changes} writes changing it`,
    )
    // Not vacuous: brand B did get in, and reviewed for itself.
    expect(answered).toBeGreaterThan(20)
    const own = await t.app.db
      .selectFrom('review_decision')
      .select('decision')
      .where('organisation_id', '=', w.brandB)
      .execute()
    expect(own.length).toBeGreaterThan(0)
    expect(
      await t.app.db
        .selectFrom('score_snapshot')
        .select('id')
        .where('reviewer_organisation_id', '=', w.brandB)
        .execute(),
    ).not.toEqual([])
  })
})
