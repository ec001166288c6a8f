import { afterEach, describe, expect, it } from 'vitest'
import { createApiToken } from '../../src/access/api-token.service.ts'
import { buildApp } from '../../src/app.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'
import { freePort, type Spawned, spawnTs, waitForHttp } from '../helpers/process.ts'
import { buildWorld } from '../helpers/world.ts'
import { checkDatabase, httpSaver, LOAD_QUESTIONS, SaveLoad } from './load.ts'

/**
 * The server process is killed with SIGKILL while eight clients save answers. Nothing may be lost that
 * was acknowledged, and nothing may be half-written: WAL with synchronous=NORMAL makes every commit
 * durable against a process crash, and each save is committed whole (alone or grouped with concurrent ones).
 */
describe('a server killed mid-load', () => {
  let env: TestEnv | undefined
  const servers: Spawned[] = []
  afterEach(() => {
    for (const s of servers.splice(0)) s.child.kill('SIGKILL')
    env?.cleanup()
  })

  async function start(): Promise<{ server: Spawned; base: string }> {
    const port = freePort()
    const server = spawnTs('src/server.ts', [], {
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(env as TestEnv).vars,
      NODE_ENV: 'test',
    })
    servers.push(server)
    const base = `http://127.0.0.1:${port}`
    await waitForHttp(`${base}/readyz`, 45_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${server.stderr()}`)
    })
    return { server, base }
  }

  it('keeps every acknowledged save after a restart, and nothing half-written', { timeout: 120_000 }, async () => {
    env = freshEnv()
    // Prepared in this process: migrated, questionnaires stored, one supplier with a draft and a token.
    const app = await buildApp(env.config, { logger: false })
    const w = await buildWorld(app)
    const { token } = await createApiToken(app.db, w.principals.adminSA, 'load test', 'respondent')
    await app.close()
    const id = w.assessments.selfA

    const first = await start()
    const load = new SaveLoad(httpSaver(first.base, token, id))
    load.start()
    // A few seconds at most: enough saves to make the kill land in the middle of many transactions.
    await load.waitFor(120, 4_000)
    first.server.child.kill('SIGKILL')
    expect(await first.server.exit).toBe(null)
    await load.ended()

    expect(load.refused).toEqual([])
    expect(load.total).toBeGreaterThanOrEqual(LOAD_QUESTIONS.length)
    // Every loop had a save in flight when the process died.
    expect(load.connectionErrors).toHaveLength(LOAD_QUESTIONS.length)
    for (const q of LOAD_QUESTIONS) expect(load.sent[q], q).toBe((load.acked[q] as number) + 1)

    // The data as the crash left it (on SQLite the file, WAL and all), before any server has recovered it.
    const crashed = await checkDatabase(env.config.database, id)
    for (const q of LOAD_QUESTIONS) {
      const acked = load.acked[q] as number
      const got = (crashed.values[q] as number | undefined) ?? 0
      // The acknowledged value, or the one in flight if its commit reached the WAL before the kill.
      expect([acked, acked + 1], `${q}: acknowledged ${acked}, stored ${got}`).toContain(got)
    }

    const second = await start()
    const auth = { authorization: `Bearer ${token}` }
    const res = await fetch(`${second.base}/api/v1/assessments/${id}/answers`, { headers: auth })
    expect(res.status).toBe(200)
    const stored = (await res.json()) as Record<string, { value: number; version: number }>
    // The restarted server serves exactly what the file held.
    for (const q of LOAD_QUESTIONS) {
      expect(stored[q]?.value ?? 0, q).toBe(crashed.values[q] ?? 0)
      expect(stored[q]?.version ?? 0, q).toBe(crashed.versions[q] ?? 0)
    }

    // The restarted server goes on from where the data is.
    const q0 = LOAD_QUESTIONS[0]
    const next = (stored[q0]?.value ?? 0) + 1
    const again = await fetch(`${second.base}/api/v1/assessments/${id}/answers`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { [q0]: next }, versions: { [q0]: stored[q0]?.version ?? 0 } }),
    })
    expect(again.status, await again.text()).toBe(200)

    second.server.child.kill('SIGTERM')
    expect(await second.server.exit).toBe(0)
    const state = await checkDatabase(env.config.database, id)
    expect(state.values[q0]).toBe(next)
    for (const q of LOAD_QUESTIONS.slice(1)) expect(state.values[q] ?? 0).toBe(stored[q]?.value ?? 0)
  })
})
