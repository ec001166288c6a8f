import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import SQLite from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiToken } from '../../src/access/access.service.ts'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'
import { spawnTs } from '../helpers/process.ts'
import { buildWorld } from '../helpers/world.ts'
import { checkDatabase, LOAD_QUESTIONS, SaveLoad, type Saver } from './load.ts'

async function cli(args: string[], databasePath: string) {
  const p = spawnTs('src/cli.ts', args, { DATABASE_PATH: databasePath, NODE_ENV: 'test' })
  const code = await p.exit
  return { code, stdout: p.stdout(), stderr: p.stderr() }
}

describe('fairhire backup and restore', () => {
  let env: TestEnv | undefined
  const apps: FastifyInstance[] = []
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close()
    env?.cleanup()
  })

  it('backs up while answers are being saved; the copy is sound, consistent and restorable', {
    timeout: 180_000,
  }, async () => {
    env = freshEnv()
    const live = env.config.databasePath
    const app = await buildApp(env.config, { logger: false })
    apps.push(app)
    const w = await buildWorld(app)
    const { token } = await createApiToken(app.db, w.principals.adminSA, 'backup test', 'respondent')
    const id = w.assessments.selfA
    const save: Saver = async (question, value) => {
      // Let the event loop see the child process between saves; inject alone never waits for I/O.
      await new Promise((r) => setImmediate(r))
      const res = await app.inject({
        method: 'PUT',
        url: `/api/v1/assessments/${id}/answers`,
        headers: { authorization: `Bearer ${token}` },
        payload: { answers: { [question]: value } },
      })
      return { status: res.statusCode, body: res.body }
    }

    const load = new SaveLoad(save)
    load.start()
    await load.waitFor(40, 3_000)
    const ackedBefore = { ...load.acked }
    const out = join(env.dir, 'backups', 'fairhire-backup.db')
    const backup = await cli(['backup', '--out', out], live)
    const savedDuring = load.total - Object.values(ackedBefore).reduce((a, b) => a + b, 0)
    await load.stop()

    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.stdout).toMatch(/^backed up .+ to .+: [\d.]+ (B|kB|MB) \(\d+ pages\) in \d+ ms; integrity check ok/)
    expect(load.refused).toEqual([])
    expect(load.connectionErrors).toEqual([])
    expect(savedDuring, 'saves went on while the backup ran').toBeGreaterThan(0)

    // One self-contained file, no temporary or WAL file beside it.
    expect(readdirSync(join(env.dir, 'backups'))).toEqual(['fairhire-backup.db'])
    const copy = checkDatabase(out, id)
    const file = new SQLite(out, { readonly: true })
    const tables = (
      file.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]
    ).map((t) => t.name)
    expect(file.pragma('journal_mode', { simple: true })).toBe('delete')
    file.close()
    expect(tables).toEqual(
      expect.arrayContaining([
        'kysely_migration',
        'organisation',
        'assessment',
        'answer',
        'audit_log',
        'score_snapshot',
      ]),
    )
    // A snapshot of one moment: everything acknowledged before the backup started, nothing not yet sent.
    for (const q of LOAD_QUESTIONS) {
      const got = (copy.values[q] as number | undefined) ?? 0
      expect(got, q).toBeGreaterThanOrEqual(ackedBefore[q] as number)
      expect(got, q).toBeLessThanOrEqual(load.sent[q] as number)
    }

    const restoredPath = join(env.dir, 'restored', 'fairhire.db')
    const existing = join(env.dir, 'existing.db')
    copyFileSync(out, existing)
    const corrupt = join(env.dir, 'corrupt.db')
    const bytes = readFileSync(out)
    bytes.fill(0x5a, 4096, 3 * 4096)
    writeFileSync(corrupt, bytes)
    const untouched = join(env.dir, 'untouched', 'fairhire.db')
    const damaged = join(env.dir, 'damaged', 'fairhire.db')
    mkdirSync(dirname(damaged))
    writeFileSync(damaged, 'not a database at all')
    const [inUse, fresh, noForce, bad, overDamaged] = await Promise.all([
      cli(['restore', '--from', out, '--force'], live),
      cli(['restore', '--from', out], restoredPath),
      cli(['restore', '--from', out], existing),
      cli(['restore', '--from', corrupt, '--force'], untouched),
      cli(['restore', '--from', out, '--force'], damaged),
    ])
    expect(inUse.code).toBe(1)
    expect(inUse.stderr).toContain('is in use, probably by a running server. Stop the server, then restore.')
    expect(fresh.code, fresh.stderr).toBe(0)
    expect(fresh.stdout).toMatch(/^restored .+ into .+restored\/fairhire\.db \(\d+ pages, integrity check ok\)\n$/)
    expect(noForce.code).toBe(1)
    expect(noForce.stderr).toContain('already exists. Add --force to replace it')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('is not a usable backup; the database was not touched')
    expect(existsSync(untouched)).toBe(false)
    // Restoring over a database that cannot even be opened is what restore is for.
    expect(overDamaged.code, overDamaged.stderr).toBe(0)
    expect(overDamaged.stdout).toContain('could not be opened (file is not a database); it was moved aside as is')
    const aside = readdirSync(dirname(damaged)).filter((f) => f.startsWith('fairhire.db.before-restore-'))
    expect(readFileSync(join(dirname(damaged), aside[0] as string), 'utf8')).toBe('not a database at all')
    expect(checkDatabase(damaged, id).values).toEqual(copy.values)

    // The refused restore left the running application alone.
    const after = checkDatabase(live, id)
    for (const q of LOAD_QUESTIONS) expect(after.values[q], q).toBe(load.acked[q])

    // With the application stopped, --force replaces the database and keeps the old one beside it.
    await app.close()
    apps.splice(0)
    const forced = await cli(['restore', '--from', out, '--force'], live)
    expect(forced.code, forced.stderr).toBe(0)
    const kept = readdirSync(env.dir).filter((f) => f.startsWith('test.db.before-restore-'))
    expect(kept).toHaveLength(1)
    expect(forced.stdout).toContain(`the replaced database is kept as ${join(env.dir, kept[0] as string)}`)
    expect(existsSync(`${live}-wal`)).toBe(false)
    expect(checkDatabase(join(env.dir, kept[0] as string), id).values).toEqual(after.values)
    expect(checkDatabase(live, id).values).toEqual(copy.values)

    // The application starts on both restored files and serves the backed-up answers.
    for (const path of [live, restoredPath]) {
      const restored = await buildApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_PATH: path }), {
        logger: false,
      })
      apps.push(restored)
      expect((await restored.inject({ url: '/readyz' })).statusCode).toBe(200)
      const res = await restored.inject({
        url: `/api/v1/assessments/${id}/answers`,
        headers: { authorization: `Bearer ${token}` },
      })
      expect(res.statusCode).toBe(200)
      const values = Object.fromEntries(
        Object.entries(res.json()).map(([q, a]) => [q, (a as { value: unknown }).value]),
      )
      expect(values).toEqual(copy.values)
    }
  })
})
