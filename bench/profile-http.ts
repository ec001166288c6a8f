// Profiles the real server under load (what `npm run bench` measures), in one process:
//   npm run build && node --cpu-prof dist/bench/profile-http.js [save|section]
// Load comes from autocannon in a child process, so the profile holds only the server's work.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { BENCH_PASSWORD, prepareDatabase } from './fixture.ts'

const mode = process.argv[2] === 'section' ? 'section' : 'save'
const fx = await prepareDatabase()
const app = await buildApp(
  loadConfig({
    ...process.env,
    DATABASE_PATH: fx.dbPath,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    SESSION_SECRET: 's'.repeat(40),
  }),
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
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0
const section = process.env.SECTION ?? 'A3'
const args =
  mode === 'save'
    ? [
        '-m',
        'PUT',
        '-H',
        'content-type=application/json',
        '-H',
        `x-csrf-token=${token}`,
        // A new text each time (autocannon fills [<id>]), so every save writes, as the benchmark's saves do.
        '-I',
        '-b',
        JSON.stringify({ answers: { 'A0.1b': 'Town [<id>]', 'A1.5': 'partly' } }),
      ]
    : []
const url =
  mode === 'save'
    ? `http://127.0.0.1:${port}/api/v1/assessments/${fx.assessmentId}/answers`
    : `http://127.0.0.1:${port}/assessments/${fx.assessmentId}/sections/${section}`
const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
const child = spawn(
  process.execPath,
  [
    bin,
    '-c',
    process.env.CONNECTIONS ?? (mode === 'save' ? '50' : '10'),
    '-d',
    process.env.SECONDS ?? '8',
    '-H',
    `cookie=${cookie}`,
    ...args,
    url,
  ],
  { stdio: 'inherit' },
)
await new Promise((r) => child.on('exit', r))
await app.close()
