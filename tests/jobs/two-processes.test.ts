import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/connection.ts'
import { enqueue } from '../../src/jobs/job.service.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'
import { waitFor } from '../helpers/jobs.ts'
import { spawnTs } from '../helpers/process.ts'

/**
 * Two separate processes polling one database (one SQLite file; one PostgreSQL database through two pools in
 * two processes), as two app servers would: every job runs exactly once.
 */
describe('two worker processes on one database', () => {
  let env: TestEnv
  afterEach(() => env.cleanup())

  it('run every job exactly once between them', { timeout: 120_000 }, async () => {
    env = freshEnv({ JOBS: 'off' })
    const n = 200
    const { db, destroy } = openDatabase(env.config.database)
    try {
      for (let i = 0; i < n; i++) await enqueue(db, 'test.mark', {})
    } finally {
      await destroy()
    }
    const marks = join(env.dir, 'marks.txt')
    writeFileSync(marks, '')
    const go = join(env.dir, 'go')
    const procs = [1, 2].map((i) =>
      spawnTs('tests/fixtures/job-worker.ts', [], {
        ...env.vars,
        MARK_FILE: marks,
        READY_FILE: join(env.dir, `ready-${i}`),
        GO_FILE: go,
      }),
    )
    await waitFor(
      'both worker processes to be ready',
      async () => ([1, 2].every((i) => existsSync(join(env.dir, `ready-${i}`))) ? true : undefined),
      60_000,
    )
    writeFileSync(go, '')
    const codes = await Promise.all(procs.map((p) => p.exit))
    expect(codes, procs.map((p) => p.stderr()).join('\n')).toEqual([0, 0])
    const lines = readFileSync(marks, 'utf8').trim().split('\n')
    const ids = lines.map((l) => Number(l.split(' ')[0]))
    expect(ids).toHaveLength(n)
    expect(new Set(ids).size).toBe(n)
    const pids = new Set(lines.map((l) => l.split(' ')[1]))
    expect(pids.size).toBe(2)
  })
})
