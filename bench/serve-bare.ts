// The bare baselines: a Fastify route doing one prepared better-sqlite3 upsert, and a bare eta render of
// the same section view model the real page renders. Same machine, same run, so ratios mean something.
import { readFileSync } from 'node:fs'
import view from '@fastify/view'
import SQLite from 'better-sqlite3'
import Fastify from 'fastify'
import { VIEWS_DIR } from '../src/paths.ts'
import { createEta } from '../src/web/eta.ts'
import { formatters, messages } from '../src/web/messages.ts'

const port = Number(process.env.PORT)
const db = new SQLite(process.env.DATABASE_PATH as string)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.exec(
  'create table if not exists bare_answer (assessment_id integer, question_id text, value text, primary key (assessment_id, question_id))',
)
const upsert = db.prepare(
  'insert into bare_answer (assessment_id, question_id, value) values (?, ?, ?) on conflict (assessment_id, question_id) do update set value = excluded.value',
)
// The same context the app's render decorator gives every page.
const model = {
  ...JSON.parse(readFileSync(process.env.SECTION_MODEL as string, 'utf8')),
  lang: 'en',
  m: messages('en'),
  fmt: formatters('en'),
}

const app = Fastify({ logger: false })
await app.register(view, {
  // The same engine settings as the app's view plugin.
  engine: { eta: createEta(VIEWS_DIR) },
  root: VIEWS_DIR,
  production: true,
})
app.put('/bare/answers', async (req) => {
  const body = req.body as { answers: Record<string, string> }
  for (const [q, v] of Object.entries(body.answers)) upsert.run(1, q, JSON.stringify(v))
  return { saved: 1 }
})
app.get('/bare/section', async (_req, reply) => reply.view('pages/answer/section.eta', model))
await app.listen({ port, host: '127.0.0.1' })
