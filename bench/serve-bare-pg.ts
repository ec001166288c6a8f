// The bare PostgreSQL baseline: a Fastify route doing one prepared upsert through `pg` on the same server
// the app uses, with the same pool size as the app's.
import Fastify from 'fastify'
import pg from 'pg'

const port = Number(process.env.PORT)
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
await pool.query(
  'create table if not exists bare_answer (assessment_id integer, question_id text, value text, primary key (assessment_id, question_id))',
)
const upsert = {
  name: 'bare-upsert',
  text: 'insert into bare_answer (assessment_id, question_id, value) values ($1, $2, $3) on conflict (assessment_id, question_id) do update set value = excluded.value',
}

const app = Fastify({ logger: false })
app.put('/bare/answers', async (req) => {
  const body = req.body as { answers: Record<string, string> }
  for (const [q, v] of Object.entries(body.answers)) await pool.query({ ...upsert, values: [1, q, JSON.stringify(v)] })
  return { saved: 1 }
})
app.get('/bare/ready', async () => ({ ok: true }))
await app.listen({ port, host: '127.0.0.1' })
