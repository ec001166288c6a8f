// Profiles the answer-save path in one process: node --cpu-prof --import tsx bench/profile-save.ts
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { BENCH_PASSWORD, prepareDatabase } from './fixture.ts'

const fx = await prepareDatabase()
const app = await buildApp(
  loadConfig({ ...process.env, DATABASE_PATH: fx.dbPath, LOG_LEVEL: 'silent', NODE_ENV: 'test' }),
  { logger: false },
)
const login = await app.inject({ method: 'GET', url: '/login' })
const csrfCookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
const token = /name="_csrf" value="([^"]+)"/.exec(login.body)?.[1] ?? ''
const res = await app.inject({
  method: 'POST',
  url: '/login',
  headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams({ _csrf: token, email: fx.email, password: BENCH_PASSWORD }).toString(),
})
const cookie = [csrfCookie, ...res.cookies.map((c) => `${c.name}=${c.value}`)].join('; ')
const t0 = performance.now()
const n = Number(process.env.N ?? 2000)
for (let i = 0; i < n; i++) {
  const r = await app.inject({
    method: 'PUT',
    url: `/api/v1/assessments/${fx.assessmentId}/answers`,
    headers: { cookie, 'x-csrf-token': token, 'content-type': 'application/json' },
    payload: { answers: { 'A1.4': i % 2 ? 'yes' : 'no' } },
  })
  if (r.statusCode !== 200) throw new Error(r.body)
}
console.log(`${Math.round(n / ((performance.now() - t0) / 1000))} saves/s through inject`)
await app.close()
