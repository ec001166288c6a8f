import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { buildWorld, PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

describe('first-run setup', () => {
  it('creates the first administrator on an empty database, and only then', async () => {
    const t = await testApp()
    try {
      const c = new Client(t.app)
      expect((await c.get('/login')).headers.location).toBe('/setup')
      const page = await c.get('/setup')
      expect(page.statusCode).toBe(200)
      const short = await c.post('/setup', {
        organisation: 'Acme Brand',
        kind: 'brand',
        name: 'Ana',
        email: 'ana@acme.test',
        password: 'short',
      })
      expect(short.statusCode).toBe(400)
      expect(short.body).toContain('Password must be at least 12 characters.')
      expect(short.body).toContain('value="Acme Brand"')
      const ok = await c.post('/setup', {
        organisation: 'Acme Brand',
        kind: 'brand',
        name: 'Ana',
        email: 'ana@acme.test',
        password: PASSWORD,
      })
      expect(ok.statusCode).toBe(303)
      expect((await c.get('/assessments')).body).toContain('Ana · Acme Brand (admin)')
      // A second visitor cannot take over through the setup page.
      const other = new Client(t.app)
      expect((await other.get('/setup')).headers.location).toBe('/login')
      const again = await other.post('/setup', {
        organisation: 'Evil',
        kind: 'brand',
        name: 'E',
        email: 'e@evil.test',
        password: PASSWORD,
      })
      expect(again.headers.location).toBe('/login')
      expect((await t.app.db.selectFrom('organisation').select('name').execute()).map((o) => o.name)).toEqual([
        'Acme Brand',
      ])
    } finally {
      await t.close()
    }
  })
})

describe('sessions, CSRF and tokens', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const c = new Client(t.app)
    await c.get('/login')
    const wrong = await c.post('/login', { email: w.users.respA, password: 'not the password at all' })
    const unknown = await c.post('/login', { email: 'nobody@nowhere.test', password: 'not the password at all' })
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    const msg = (b: string) => /<p class="alert" role="alert">([^<]*)<\/p>/.exec(b)?.[1]
    expect(msg(wrong.body)).toBe('The email address or password is not right.')
    expect(msg(unknown.body)).toBe(msg(wrong.body))
  })

  it('sets the session cookie HttpOnly and SameSite=Lax, and Secure in production', async () => {
    const c = new Client(t.app)
    const res = await c.login(w.users.respA, PASSWORD)
    const cookie = res.cookies.find((x) => x.name === 'fh_session')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(cookie?.secure).toBeFalsy()
    const prod = await testApp({ NODE_ENV: 'production', SESSION_SECRET: 'p'.repeat(48) })
    try {
      await buildWorld(prod.app)
      const pc = new Client(prod.app)
      const r = await pc.login(w.users.respA, PASSWORD)
      expect(r.cookies.find((x) => x.name === 'fh_session')).toMatchObject({
        httpOnly: true,
        sameSite: 'Lax',
        secure: true,
      })
    } finally {
      await prod.close()
    }
  })

  it('refuses a form post without a CSRF token, or with a wrong one', async () => {
    const c = new Client(t.app)
    await c.login(w.users.adminA, PASSWORD)
    const none = await c.post('/tokens', { name: 'x', role: 'viewer' }, { csrf: false })
    expect(none.statusCode).toBe(403)
    expect(none.body).toContain('This form has expired or did not come from Fairhire')
    const forged = await c.request({
      method: 'POST',
      url: '/tokens',
      payload: '_csrf=forged&name=x&role=viewer',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(forged.statusCode).toBe(403)
    expect((await t.app.db.selectFrom('api_token').select('name').execute()).map((x) => x.name)).toEqual([
      'integration',
    ])
    const ok = await c.post('/tokens', { name: 'erp', role: 'viewer' })
    expect(ok.statusCode).toBe(200)
    // A session-authenticated API write needs the CSRF header too.
    const api = await c.request({
      method: 'PUT',
      url: `/api/v1/assessments/${w.assessments.selfA}/answers`,
      payload: { answers: {} },
    })
    expect(api.statusCode).toBe(403)
  })

  it('logout revokes the session: the old cookie no longer works', async () => {
    const c = new Client(t.app)
    await c.login(w.users.respA, PASSWORD)
    const stolen = new Map(c.cookies)
    expect((await c.get('/api/v1/me')).statusCode).toBe(200)
    expect((await c.post('/logout', {})).statusCode).toBe(303)
    const replay = new Client(t.app)
    replay.cookies = stolen
    expect((await replay.get('/api/v1/me')).statusCode).toBe(401)
    expect((await replay.get('/assessments')).headers.location).toBe('/login?next=%2Fassessments')
  })

  it('a password change revokes every session of that person', async () => {
    const a = new Client(t.app)
    const b = new Client(t.app)
    await a.login(w.users.respA, PASSWORD)
    await b.login(w.users.respA, PASSWORD)
    await a.get('/account/password')
    const res = await a.post('/account/password', { current: PASSWORD, password: 'a brand new passphrase' })
    expect(res.statusCode).toBe(303)
    expect((await b.get('/api/v1/me')).statusCode).toBe(401)
    const fresh = new Client(t.app)
    await fresh.login(w.users.respA, 'a brand new passphrase')
    expect((await fresh.get('/api/v1/me')).json()).toMatchObject({ organisation: 'Supplier A' })
  })

  it('refuses a session cookie whose value or signature was altered, even right after the real one was used', async () => {
    const c = new Client(t.app)
    await c.login(w.users.respA, PASSWORD)
    expect((await c.get('/api/v1/me')).statusCode).toBe(200)
    const real = c.cookies.get('fh_session') as string
    const flip = (ch: string) => (ch === 'A' ? 'B' : 'A')
    const dot = real.lastIndexOf('.')
    for (const forged of [
      `${real.slice(0, -1)}${flip(real.slice(-1))}`,
      `${flip(real[0] as string)}${real.slice(1)}`,
      real.slice(0, dot),
    ]) {
      const f = new Client(t.app)
      f.cookies = new Map(c.cookies)
      f.cookies.set('fh_session', forged)
      expect((await f.get('/api/v1/me')).statusCode, forged).toBe(401)
    }
  })

  it('a role change or disabling takes effect on the very next request of a signed-in person', async () => {
    const resp = new Client(t.app)
    await resp.login(w.users.respA, PASSWORD)
    // Warm: the session has just been looked up, and would be remembered for a few seconds.
    expect((await resp.get('/api/v1/me')).json()).toMatchObject({ role: 'respondent' })
    const userId = w.principals.respA.userId
    const admin = new Client(t.app)
    await admin.login(w.users.adminSA, PASSWORD)
    await admin.get('/people')
    expect((await admin.post(`/people/${userId}/role`, { role: 'viewer' })).statusCode).toBe(303)
    expect((await resp.get('/api/v1/me')).json()).toMatchObject({ role: 'viewer' })
    const save = await resp.api('PUT', `/api/v1/assessments/${w.assessments.selfA}/answers`, {
      answers: { 'A0.1b': 'Ayutthaya' },
    })
    expect(save.statusCode).toBe(403)
    await admin.get('/people')
    expect((await admin.post(`/people/${userId}/disable`, {})).statusCode).toBe(303)
    expect((await resp.get('/api/v1/me')).statusCode).toBe(401)
  })

  it('API tokens are stored hashed, work as Bearer, and stop working when revoked', async () => {
    const rows = await t.app.db.selectFrom('api_token').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(w.tokenA.token)
    const auth = { authorization: `Bearer ${w.tokenA.token}` }
    const me = await t.app.inject({ url: '/api/v1/me', headers: auth })
    expect(me.json()).toMatchObject({ kind: 'token', organisation: 'Brand A', role: 'analyst' })
    // Token calls need no CSRF token: they carry no cookie.
    const list = await t.app.inject({ url: '/api/v1/assessments', headers: auth })
    expect(list.json().map((a: { id: number }) => a.id)).toEqual([w.assessments.requested])
    const admin = new Client(t.app)
    await admin.login(w.users.adminA, PASSWORD)
    await admin.get('/tokens')
    expect((await admin.post(`/tokens/${w.tokenA.id}/revoke`, {})).statusCode).toBe(303)
    const after = await t.app.inject({ url: '/api/v1/me', headers: auth })
    expect(after.statusCode).toBe(401)
    expect(after.json().message).toBe('The API token is not valid or has been revoked.')
  })

  it('rate-limits sign-in attempts from one address', async () => {
    const c = new Client(t.app)
    await c.get('/login')
    const codes: number[] = []
    // A different account each time, so that only the per-address limit applies (sign-in-limit.test.ts has the other).
    for (let i = 0; i < 12; i++)
      codes.push(
        (await c.post('/login', { email: `person${i}@brand-a.test`, password: 'wrong wrong wrong' })).statusCode,
      )
    expect(codes.slice(0, 10).every((x) => x === 401)).toBe(true)
    expect(codes.slice(10)).toEqual([429, 429])
  })

  it('records people, tokens and sharing in the append-only audit log', async () => {
    const entries = await t.app.db.selectFrom('audit_log').select(['action', 'entity']).execute()
    expect(entries).toEqual(
      expect.arrayContaining([
        { action: 'create', entity: 'user' },
        { action: 'create', entity: 'api_token' },
        { action: 'request', entity: 'assessment' },
        { action: 'answer', entity: 'answer' },
      ]),
    )
    await expect(t.app.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/)
    const admin = new Client(t.app)
    await admin.login(w.users.adminA, PASSWORD)
    const page = await admin.get('/audit')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('create api_token')
    const resp = new Client(t.app)
    await resp.login(w.users.respA, PASSWORD)
    expect((await resp.get('/audit', { accept: 'text/html' })).statusCode).toBe(403)
  })
})
