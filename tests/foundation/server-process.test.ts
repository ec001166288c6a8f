import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { freshEnv } from '../helpers/app.ts'
import { onPostgres } from '../helpers/engine.ts'
import { freePort, spawnTs, waitForHttp } from '../helpers/process.ts'

describe('server process', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('refuses a bad PORT with a message naming it, and creates nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fairhire-proc-'))
    const dbPath = join(dir, 'sub', 'x.db')
    const p = spawnTs('src/server.ts', [], { PORT: 'abc', DATABASE_PATH: dbPath })
    const code = await p.exit
    expect(code).not.toBe(0)
    expect(p.stderr()).toContain('PORT: expected a number from 1 to 65535')
    expect(existsSync(join(dir, 'sub'))).toBe(false)
  })

  it('listens on PORT, creates its database (at DATABASE_PATH on SQLite), and on SIGTERM finishes in-flight requests then exits 0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fairhire-proc-'))
    const dbPath = join(dir, 'nested', 'app.db')
    const port = freePort()
    // On PostgreSQL the database is a fresh copy of the test template on the test server.
    const pg = onPostgres ? freshEnv() : undefined
    const vars = pg ? pg.vars : { DATABASE_PATH: dbPath }
    const p = spawnTs('tests/fixtures/slow-server.ts', [], { PORT: String(port), ...vars })
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`)
      if (!pg) expect(existsSync(dbPath)).toBe(true)
      const slow = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }))
      await new Promise((r) => setTimeout(r, 300))
      p.child.kill('SIGTERM')
      const res = await slow
      expect(res).toEqual({ status: 200, body: { finished: true } })
      expect(await p.exit).toBe(0)
    } finally {
      p.child.kill('SIGKILL')
      await p.exit
      pg?.cleanup()
    }
  })
})
