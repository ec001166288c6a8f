import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { onPostgres } from '../helpers/engine.ts'
import { freePort, type Spawned, spawnTs, waitForHttp } from '../helpers/process.ts'
import { remoteApp } from '../helpers/remote.ts'
import { buildWorld, PASSWORD, type World } from '../helpers/world.ts'

/**
 * Several app processes on one PostgreSQL, as behind a reverse proxy that sends each request to any of them:
 * what one process commits, the other serves at once, and what ends a session through one is honoured by
 * the other on the next request, not after a cache lifetime.
 *
 * SQLite is one process's file (its session cache and group commit rely on that; docs/deploy.md): several
 * processes are a PostgreSQL layout only.
 */
const NEW_PASSWORD = 'another long passphrase 42'

describe.skipIf(!onPostgres)('two app processes on one PostgreSQL', () => {
  let env: TestEnv
  let w: World
  const servers: Spawned[] = []
  const bases: string[] = []

  beforeAll(async () => {
    env = freshEnv()
    const app = await buildApp(env.config, { logger: false })
    w = await buildWorld(app)
    await app.close()
    for (let i = 0; i < 2; i++) {
      const port = freePort()
      const server = spawnTs('src/server.ts', [], { ...env.vars, PORT: String(port), NODE_ENV: 'test' })
      servers.push(server)
      bases.push(`http://127.0.0.1:${port}`)
    }
    for (const [i, base] of bases.entries())
      await waitForHttp(`${base}/readyz`, 45_000).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n${servers[i]?.stderr()}`)
      })
  }, 90_000)

  afterAll(async () => {
    for (const s of servers) s.child.kill('SIGTERM')
    await Promise.all(servers.map((s) => s.exit))
    env?.cleanup()
  })

  /** One browser (its cookies) talking to process `i`. */
  function through(i: number, from?: Client): Client {
    const c = new Client(remoteApp(bases[i] as string))
    if (from) {
      c.cookies = from.cookies
      c.csrf = from.csrf
    }
    return c
  }

  it('a save through one process is read at once through the other; a stale save is refused with 409', async () => {
    const one = through(0)
    await one.login(w.users.respA, PASSWORD)
    const two = through(1, one)
    const id = w.assessments.selfA
    const url = `/api/v1/assessments/${id}/answers`

    for (let n = 1; n <= 5; n++) {
      const writer = n % 2 ? one : two
      const reader = n % 2 ? two : one
      const before = (await reader.get(url)).json() as Record<string, { version: number }>
      const version = before['A0.1b']?.version ?? 0
      const put = await writer.api('PUT', url, { answers: { 'A0.1b': `Town ${n}` }, versions: { 'A0.1b': version } })
      expect(put.statusCode, put.body).toBe(200)
      const after = (await reader.get(url)).json() as Record<string, { value: unknown; version: number }>
      expect(after['A0.1b']).toMatchObject({ value: `Town ${n}`, version: version + 1 })
    }
    // A copy read before the last save is stale through either process.
    const stale = await one.api('PUT', url, { answers: { 'A0.1b': 'Stale' }, versions: { 'A0.1b': 4 } })
    expect(stale.statusCode).toBe(409)
    const kept = (await two.get(url)).json() as Record<string, { value: unknown }>
    expect(kept['A0.1b']?.value).toBe('Town 5')
  })

  it('concurrent saves of one answer through both processes: exactly one wins, nothing is lost', async () => {
    const one = through(0)
    await one.login(w.users.respB, PASSWORD)
    const two = through(1, one)
    const id = w.assessments.selfB
    const url = `/api/v1/assessments/${id}/answers`
    const base = ((await one.get(url)).json() as Record<string, { version: number }>)['A0.1b']?.version ?? 0
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? one : two).api('PUT', url, { answers: { 'A0.1b': `Writer ${i}` }, versions: { 'A0.1b': base } }),
      ),
    )
    const codes = results.map((r) => r.statusCode).sort()
    expect(codes.filter((c) => c === 200)).toHaveLength(1)
    expect(codes.filter((c) => c === 409)).toHaveLength(9)
    const winner = results.findIndex((r) => r.statusCode === 200)
    const stored = (await two.get(url)).json() as Record<string, { value: unknown; version: number }>
    expect(stored['A0.1b']).toEqual(expect.objectContaining({ value: `Writer ${winner}`, version: base + 1 }))
  })

  it('a sign-out through one process ends the session on the other at once', async () => {
    const one = through(0)
    await one.login(w.users.analystA, PASSWORD)
    const two = through(1, one)
    expect((await two.get('/assessments')).statusCode).toBe(200)
    // A copy of the cookie (another tab, or someone who took it) goes on using process 1.
    const copy = through(1)
    copy.cookies = new Map(one.cookies)
    expect((await one.post('/logout', {})).statusCode).toBe(303)
    expect(await signedOut(copy)).toBe(true)
  })

  it('a changed password and a disabled account are honoured by the other process at once', async () => {
    const onOne = through(1)
    await onOne.login(w.users.adminSA, PASSWORD)
    expect((await onOne.get('/assessments')).statusCode).toBe(200)

    // The person changes their password through process 0: every session of theirs ends, on both processes.
    const onZero = through(0, onOne)
    await onZero.get('/account/password')
    const changed = await onZero.post('/account/password', { current: PASSWORD, password: NEW_PASSWORD })
    expect(changed.statusCode, changed.body.slice(0, 300)).toBe(303)
    expect(await signedOut(onOne)).toBe(true)

    // A respondent signed in through process 1 is disabled by the supplier's admin through process 0.
    const resp = through(1)
    await resp.login(w.users.respA, PASSWORD)
    expect((await resp.get('/assessments')).statusCode).toBe(200)
    const admin = through(0)
    await admin.login(w.users.adminSA, NEW_PASSWORD)
    expect((await admin.get('/people')).statusCode).toBe(200)
    const disabled = await admin.post(`/people/${await idOf(w.users.respA)}/disable`, {})
    expect(disabled.statusCode).toBe(303)
    expect(await signedOut(resp)).toBe(true)
  })

  /** Whether the page sends this browser to sign in. */
  async function signedOut(c: Client): Promise<boolean> {
    const page = await c.get('/assessments')
    return page.statusCode === 302 && String(page.headers.location).startsWith('/login')
  }

  async function idOf(email: string): Promise<number> {
    const app = await buildApp(env.config, { logger: false })
    try {
      const row = await app.db
        .selectFrom('user_account')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
      return row.id
    } finally {
      await app.close()
    }
  }
})
