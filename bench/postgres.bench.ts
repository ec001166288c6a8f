import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import autocannon from 'autocannon'
import { migrateData } from '../src/cli/migrate-data.ts'
import { prepareDatabase } from './fixture.ts'
import { combine, load, type Result, signIn, start, waitFor } from './http.bench.ts'
import type { BenchResult } from './report.ts'

/**
 * Answer saves on PostgreSQL: the app against a bare Fastify + `pg` prepared upsert on the same server, and
 * two app processes on one database against one. Runs when FAIRHIRE_BENCH_POSTGRES_URL names a server the
 * benchmark may create a database on (postgres://user@127.0.0.1:5432/postgres); the same fixture as the
 * SQLite benchmark is moved there with migrate-data.
 */
export async function postgresBench(quick: boolean): Promise<BenchResult[]> {
  const server = process.env.FAIRHIRE_BENCH_POSTGRES_URL
  if (!server)
    return [
      {
        name: 'pg-answer-save',
        description: 'not run: set FAIRHIRE_BENCH_POSTGRES_URL to a PostgreSQL server',
        value: 0,
        unit: '% of bare req/s',
        goal: '>= 50%, p99 <= 3x',
        pass: false,
      },
    ]
  const name = `fairhire_bench_${process.pid}`
  const admin = (statement: string) => execFileSync('psql', [server, '-v', 'ON_ERROR_STOP=1', '-qc', statement])
  const urlOf = (db: string) => {
    const u = new URL(server)
    u.pathname = `/${db}`
    return u.toString()
  }
  admin(`create database "${name}"`)
  admin(`create database "${name}_bare"`)
  const fx = await prepareDatabase()
  await migrateData({ engine: 'sqlite', path: fx.dbPath }, { engine: 'postgres', url: urlOf(name) }, () => {})
  const duration = quick ? 3 : 8
  const warmup = quick ? 1 : 3
  const basePort = 44_100 + (process.pid % 200)
  const ports = { app: basePort, app2: basePort + 1, bare: basePort + 2 }
  const children = [
    start('serve-app', { PORT: String(ports.app), DATABASE_URL: urlOf(name), DATABASE_PATH: '' }),
    start('serve-app', { PORT: String(ports.app2), DATABASE_URL: urlOf(name), DATABASE_PATH: '' }),
    start('serve-bare-pg', { PORT: String(ports.bare), DATABASE_URL: urlOf(`${name}_bare`) }),
  ]
  try {
    await waitFor(`http://127.0.0.1:${ports.app}/readyz`)
    await waitFor(`http://127.0.0.1:${ports.app2}/readyz`)
    await waitFor(`http://127.0.0.1:${ports.bare}/bare/ready`)
    const app = `http://127.0.0.1:${ports.app}`
    const { cookie, csrf } = await signIn(app, fx.email)
    let n = 0
    const body = () =>
      JSON.stringify({ answers: { 'A1.4': n++ % 2 === 0 ? 'yes' : 'no', 'A1.5': n % 3 === 0 ? 'partly' : 'yes' } })
    const saveOpts = (url: string, headers: Record<string, string>, connections = 50) => ({
      url,
      connections,
      duration,
      requests: [
        {
          method: 'PUT' as const,
          headers: { 'content-type': 'application/json', ...headers },
          setupRequest: (r: Record<string, unknown>) => ({ ...r, body: body() }),
        },
      ],
    })
    const appSave = (base: string, connections = 50) =>
      saveOpts(`${base}/api/v1/assessments/${fx.assessmentId}/answers`, { cookie, 'x-csrf-token': csrf }, connections)
    const bareSave = saveOpts(`http://127.0.0.1:${ports.bare}/bare/answers`, {})
    // Alternating app and bare runs, as in http.bench.ts.
    const rounds = quick ? 1 : 2
    const appRuns: Result[] = []
    const bareRuns: Result[] = []
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) {
        appRuns.push(await load(appSave(app), warmup))
        bareRuns.push(await load(bareSave, warmup))
      } else {
        bareRuns.push(await load(bareSave, warmup))
        appRuns.push(await load(appSave(app), warmup))
      }
    }
    const one = combine(appRuns)
    const bare = combine(bareRuns)
    // Two processes, 25 connections each, at once, against the same assessment's answers.
    const both = await Promise.all([
      autocannon(appSave(app, 25)),
      autocannon(appSave(`http://127.0.0.1:${ports.app2}`, 25)),
    ])
    const twoRps = both.reduce((s, r) => s + r.requests.average, 0)
    const twoErrors = both.reduce((s, r) => s + r.errors + r.timeouts + r.non2xx, 0)
    const ratio = one.requests.average / bare.requests.average
    const p99ratio = one.latency.p99 / Math.max(1, bare.latency.p99)
    const errors = one.errors + one.timeouts + one.non2xx
    return [
      {
        name: 'pg-answer-save',
        description: 'answer saves over HTTP on PostgreSQL vs a bare Fastify + pg prepared upsert on the same server',
        value: Math.round(ratio * 100),
        unit: '% of bare req/s',
        goal: '>= 50%, p99 <= 3x, 0 errors',
        pass: ratio >= 0.5 && p99ratio <= 3 && errors === 0,
        details: {
          app: { rps: one.requests.average, p50: one.latency.p50, p99: one.latency.p99, errors },
          bare: { rps: bare.requests.average, p50: bare.latency.p50, p99: bare.latency.p99 },
          p99ratio: Math.round(p99ratio * 100) / 100,
          rounds,
        },
      },
      {
        name: 'pg-two-processes',
        description:
          'answer saves through two app processes on one PostgreSQL (25 connections each), beside one process',
        value: Math.round(twoRps),
        unit: 'req/s',
        goal: `reported (one process: ${Math.round(one.requests.average)} req/s)`,
        pass: twoErrors === 0,
        details: { oneProcessRps: one.requests.average, twoProcessesRps: twoRps, errors: twoErrors },
      },
    ]
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
    rmSync(fx.dir, { recursive: true, force: true })
    admin(`drop database if exists "${name}" with (force)`)
    admin(`drop database if exists "${name}_bare" with (force)`)
  }
}
