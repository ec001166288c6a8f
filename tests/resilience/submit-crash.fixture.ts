// Submits an assessment in a process that kills itself with SIGKILL inside the submission transaction,
// just as the score snapshot is being stored: a real crash, not an error the code could catch.
// Usage: DATABASE_PATH=… (or DATABASE_URL=…) node --import tsx submit-crash.fixture.ts <assessment id> <api token>
import pg from 'pg'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'

const [id, token] = process.argv.slice(2)
const app = await buildApp(loadConfig(), { logger: false })
if (app.sqlite) {
  app.sqlite.function('crash_now', () => {
    process.kill(process.pid, 'SIGKILL')
    return null
  })
  // A temporary trigger lives in this connection only: the database file itself is not changed by it.
  app.sqlite.exec(
    'CREATE TEMP TRIGGER crash_in_submit BEFORE INSERT ON main.score_snapshot BEGIN SELECT crash_now(); END',
  )
} else {
  // PostgreSQL: the process dies as it is about to send the snapshot's INSERT, with the submission's
  // transaction open on the server (its earlier statements already run).
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text
    if (text?.startsWith('insert into "score_snapshot"')) process.kill(process.pid, 'SIGKILL')
    return (query as (...a: unknown[]) => unknown).apply(this, args)
  } as typeof query
}
const res = await app.inject({
  method: 'POST',
  url: `/api/v1/assessments/${id}/submit`,
  headers: { authorization: `Bearer ${token}` },
})
process.stdout.write(`survived: ${res.statusCode} ${res.body}\n`)
process.exit(1)
