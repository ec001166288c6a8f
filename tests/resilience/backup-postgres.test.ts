import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { saveAnswers } from '../../src/assessment/answers.service.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'
import { onPostgres } from '../helpers/engine.ts'
import { spawnTs } from '../helpers/process.ts'
import { buildWorld } from '../helpers/world.ts'

/**
 * `fairhire backup` and `restore` on PostgreSQL wrap pg_dump and pg_restore (src/cli/backup-postgres.ts).
 * SQLite's own archive format is tested in backup.test.ts.
 */
describe.skipIf(!onPostgres)('fairhire backup and restore on PostgreSQL', () => {
  let env: TestEnv | undefined
  afterEach(() => env?.cleanup())

  const cli = async (args: string[]) => {
    const p = spawnTs('src/cli.ts', args, (env as TestEnv).vars)
    return { code: await p.exit, out: p.stdout(), err: p.stderr() }
  }

  async function answerOf(id: number, question: string): Promise<unknown> {
    const app = await buildApp((env as TestEnv).config, { logger: false })
    try {
      const row = await app.db
        .selectFrom('answer')
        .select('value')
        .where('assessment_id', '=', id)
        .where('question_id', '=', question)
        .executeTakeFirst()
      return row?.value ? JSON.parse(row.value) : undefined
    } finally {
      await app.close()
    }
  }

  it('dumps while the app runs, refuses to overwrite without --force, and puts the data back all or nothing', {
    timeout: 120_000,
  }, async () => {
    env = freshEnv()
    const app = await buildApp(env.config, { logger: false })
    const w = await buildWorld(app)
    const id = w.assessments.selfA
    await saveAnswers(app.db, w.principals.respA, id, { answers: { 'A0.1b': 'Before the backup' } })
    const file = join(env.dir, 'fairhire.pgdump')
    // The app is still open (and holding connections) while the dump is taken.
    const backup = await cli(['backup', '--out', file])
    expect(backup.code, backup.err).toBe(0)
    expect(backup.out).toMatch(/backed up postgres:\/\/.+ with pg_dump: \d+ bytes/)
    expect(backup.out).toContain('evidence files are not in this backup')
    await saveAnswers(app.db, w.principals.respA, id, { answers: { 'A0.1b': 'After the backup' } })
    await app.close()
    expect(await answerOf(id, 'A0.1b')).toBe('After the backup')

    const refused = await cli(['restore', '--from', file])
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/already holds \d+ tables\. Stop every app process, then add --force/)
    expect(await answerOf(id, 'A0.1b')).toBe('After the backup')

    const notADump = join(env.dir, 'not-a-dump')
    writeFileSync(notADump, 'SQLite format 3\0 and then some')
    const wrong = await cli(['restore', '--from', notADump, '--force'])
    expect(wrong.code).toBe(1)
    expect(wrong.err).toContain('is not a PostgreSQL backup')
    expect(await answerOf(id, 'A0.1b')).toBe('After the backup')

    const restored = await cli(['restore', '--from', file, '--force'])
    expect(restored.code, restored.err).toBe(0)
    expect(restored.out).toMatch(/restored .+ with pg_restore; (\d+) of \1 migrations applied/)
    expect(await answerOf(id, 'A0.1b')).toBe('Before the backup')
  })

  it('fairhire migrate says it is up to date, naming the server without the password', {
    timeout: 60_000,
  }, async () => {
    env = freshEnv()
    const migrated = await cli(['migrate'])
    expect(migrated.code, migrated.err).toBe(0)
    expect(migrated.out).toMatch(/^database postgres:\/\/[^@\s]+\/\S+ is up to date\n$/)
  })
})
