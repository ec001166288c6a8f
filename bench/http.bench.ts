import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { loadConfig } from '../src/config.ts'
import { createDb } from '../src/db/connection.ts'
import { PROJECT_ROOT } from '../src/paths.ts'
import { applicability } from '../src/questionnaire/model.ts'
import { compiledVersion, getQuestionnaireVersion } from '../src/questionnaire/questionnaire.service.ts'
import { buildSection, pageScriptValues, type Stored, sectionNav } from '../src/web/answer-page.ts'
import { BENCH_PASSWORD, prepareDatabase } from './fixture.ts'
import type { BenchResult } from './report.ts'

/**
 * Benchmarks run from the compiled dist/ (as `npm start` runs the server): tsx keeps function names by
 * wrapping closures, which costs a measurable share on hot paths. Sibling scripts follow this file's form.
 */
const here = dirname(fileURLToPath(import.meta.url))
const compiled = import.meta.url.endsWith('.js')
export function start(name: string, env: Record<string, string>): ChildProcess {
  const entry = join(here, `${name}.${compiled ? 'js' : 'ts'}`)
  return spawn(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), entry], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), ...env },
    stdio: 'inherit',
  })
}

export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not come up`)
}

/** Signs in like a browser: returns the session cookie and a CSRF token for the API calls. */
export async function signIn(base: string, email: string): Promise<{ cookie: string; csrf: string }> {
  const jar = new Map<string, string>()
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const [k, v] = (pair as string).split('=')
      jar.set(k as string, v as string)
    }
  }
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const page = await fetch(`${base}/login`)
  keep(page)
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ _csrf: csrf, email, password: BENCH_PASSWORD }),
  })
  keep(res)
  const inbox = await fetch(`${base}/assessments`, { headers: { cookie: cookie() } })
  keep(inbox)
  const token = /name="_csrf" value="([^"]+)"/.exec(await inbox.text())?.[1] ?? csrf
  return { cookie: cookie(), csrf: token }
}

export type Result = Awaited<ReturnType<typeof autocannon>>

/** Several runs as one: requests per second over all of them, the worst p50 and p99, every error. */
export function combine(runs: Result[]): Result {
  const first = runs[0] as Result
  const sum = (f: (r: Result) => number) => runs.reduce((n, r) => n + f(r), 0)
  return {
    ...first,
    requests: {
      ...first.requests,
      average: sum((r) => r.requests.average) / runs.length,
      total: sum((r) => r.requests.total),
    },
    latency: {
      ...first.latency,
      p50: Math.max(...runs.map((r) => r.latency.p50)),
      p99: Math.max(...runs.map((r) => r.latency.p99)),
    },
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
  }
}

export async function load(opts: Parameters<typeof autocannon>[0], warmup: number) {
  await autocannon({ ...opts, duration: warmup })
  return autocannon(opts)
}

export async function httpBench(quick: boolean): Promise<BenchResult[]> {
  const fx = await prepareDatabase()
  const duration = quick ? 3 : 8
  const warmup = quick ? 1 : 3
  // The section page nearest 15 questions, with its answers, as the view model the real page renders.
  const config = loadConfig({ ...process.env, DATABASE_PATH: fx.dbPath, LOG_LEVEL: 'silent' })
  const { db } = createDb(config.databasePath)
  const cq = compiledVersion(await getQuestionnaireVersion(db, 'employer'))
  const section = [...cq.def.sections].sort(
    (a, b) => Math.abs(a.questions.length - 15) - Math.abs(b.questions.length - 15),
  )[0]
  const rows = await db.selectFrom('answer').selectAll().where('assessment_id', '=', fx.assessmentId).execute()
  await db.destroy()
  const stored = new Map<string, Stored>(
    rows.map((r) => [
      r.question_id,
      { value: r.value ? JSON.parse(r.value) : null, comment: r.comment, version: r.version },
    ]),
  )
  const values = new Map([...stored].filter(([, v]) => v.value !== null).map(([k, v]) => [k, v.value as never]))
  const modelFile = join(fx.dir, 'section-model.json')
  writeFileSync(
    modelFile,
    JSON.stringify({
      title: section?.id,
      a: { id: fx.assessmentId, title: 'Bench', status: 'draft' },
      section: { id: section?.id, title: 'Section', description: '', applies: true, profile: false },
      nav: sectionNav(cq, values, section?.id ?? ''),
      questions: buildSection({
        cq,
        sectionId: section?.id ?? '',
        stored,
        editable: 'all',
        returned: new Map(),
        evidence: new Map(),
      }),
      next: null,
      savedValues: pageScriptValues(cq, section?.id ?? '', values, applicability(cq, values)),
      maxEvidence: 10485760,
      anyEditable: true,
      notice: null,
      alert: null,
      principal: { name: 'HR', organisationName: 'Bench Supplier', role: 'respondent', organisationKind: 'supplier' },
      csrfToken: 'x',
    }),
  )

  const appPort = 43_100 + (process.pid % 200)
  const barePort = appPort + 300
  const children = [
    start('serve-app', { PORT: String(appPort), DATABASE_PATH: fx.dbPath }),
    start('serve-bare', {
      PORT: String(barePort),
      DATABASE_PATH: join(fx.dir, 'bare.db'),
      SECTION_MODEL: modelFile,
    }),
  ]
  try {
    await waitFor(`http://127.0.0.1:${appPort}/readyz`)
    await waitFor(`http://127.0.0.1:${barePort}/bare/section`)
    const base = `http://127.0.0.1:${appPort}`
    const { cookie, csrf } = await signIn(base, fx.email)
    let n = 0
    const body = () =>
      JSON.stringify({ answers: { 'A1.4': n++ % 2 === 0 ? 'yes' : 'no', 'A1.5': n % 3 === 0 ? 'partly' : 'yes' } })
    const saveOpts = (url: string, headers: Record<string, string>) => ({
      url,
      connections: 50,
      duration,
      requests: [
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json', ...headers },
          setupRequest: (r: Record<string, unknown>) => ({ ...r, body: body() }),
        },
      ],
    })
    // App and bare runs alternate (app, bare, bare, app, …): this machine is shared, and its speed drifts
    // within a run; alternating cancels most of that drift out of the ratio.
    const rounds = quick ? 1 : 2
    const abba = async (appOpts: Parameters<typeof autocannon>[0], bareOpts: Parameters<typeof autocannon>[0]) => {
      const appRuns: Result[] = []
      const bareRuns: Result[] = []
      for (let i = 0; i < rounds; i++) {
        if (i % 2 === 0) {
          appRuns.push(await load(appOpts, warmup))
          bareRuns.push(await load(bareOpts, warmup))
        } else {
          bareRuns.push(await load(bareOpts, warmup))
          appRuns.push(await load(appOpts, warmup))
        }
      }
      return { app: combine(appRuns), bare: combine(bareRuns) }
    }
    const saves = await abba(
      saveOpts(`${base}/api/v1/assessments/${fx.assessmentId}/answers`, { cookie, 'x-csrf-token': csrf }),
      saveOpts(`http://127.0.0.1:${barePort}/bare/answers`, {}),
    )
    const app = saves.app
    const bare = saves.bare
    const pages = await abba(
      {
        url: `${base}/assessments/${fx.assessmentId}/sections/${section?.id}`,
        connections: 10,
        duration,
        headers: { cookie },
      },
      { url: `http://127.0.0.1:${barePort}/bare/section`, connections: 10, duration },
    )
    const pageApp = pages.app
    const pageBare = pages.bare
    const ratio = app.requests.average / bare.requests.average
    const p99ratio = app.latency.p99 / Math.max(1, bare.latency.p99)
    const errors = app.errors + app.timeouts + app.non2xx
    const pageRatio = pageApp.requests.average / pageBare.requests.average
    return [
      {
        name: 'answer-save',
        description: 'answer saves over HTTP (session, CSRF, scoping, validation, audit log) vs a bare prepared upsert',
        value: Math.round(ratio * 100),
        unit: '% of bare req/s',
        goal: '>= 50%, p99 <= 3x, 0 errors',
        pass: ratio >= 0.5 && p99ratio <= 3 && errors === 0,
        details: {
          app: {
            rps: app.requests.average,
            p50: app.latency.p50,
            p99: app.latency.p99,
            errors,
            total: app.requests.total,
          },
          bare: { rps: bare.requests.average, p50: bare.latency.p50, p99: bare.latency.p99 },
          p99ratio: Math.round(p99ratio * 100) / 100,
          connections: 50,
          seconds: duration,
          rounds,
        },
      },
      {
        name: 'section-render',
        description: `section page with answers (${section?.id}, ${section?.questions.length} questions) vs a bare eta render of the same data`,
        value: Math.round(pageRatio * 100),
        unit: '% of bare req/s',
        goal: '>= 60%',
        pass: pageRatio >= 0.6 && pageApp.non2xx === 0,
        details: {
          app: { rps: pageApp.requests.average, p99: pageApp.latency.p99, non2xx: pageApp.non2xx },
          bare: { rps: pageBare.requests.average, p99: pageBare.latency.p99 },
        },
      },
    ]
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 300))
    rmSync(fx.dir, { recursive: true, force: true })
  }
}
