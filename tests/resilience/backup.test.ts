import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import SQLite from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiToken } from '../../src/access/api-token.service.ts'
import { buildApp } from '../../src/app.ts'
import { addEvidence } from '../../src/assessment/evidence.service.ts'
import { readTar, TarWriter } from '../../src/cli/tar.ts'
import { loadConfig } from '../../src/config.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { onPostgres } from '../helpers/engine.ts'
import { spawnTs } from '../helpers/process.ts'
import { buildWorld, PASSWORD } from '../helpers/world.ts'
import { checkDatabase, LOAD_QUESTIONS, SaveLoad, type Saver } from './load.ts'

async function cli(args: string[], databasePath: string, env: Record<string, string> = {}) {
  const p = spawnTs('src/cli.ts', args, { DATABASE_PATH: databasePath, NODE_ENV: 'test', ...env })
  const code = await p.exit
  return { code, stdout: p.stdout(), stderr: p.stderr() }
}

/** The entries of a backup archive, read with the archive reader the restore uses. */
async function entries(archive: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>()
  for await (const e of readTar(archive)) {
    const chunks: Buffer[] = []
    for await (const c of e.chunks()) chunks.push(c)
    found.set(e.name, Buffer.concat(chunks))
  }
  return found
}

/** The database snapshot inside a backup archive, written out as a file of its own. */
async function databaseOf(archive: string, to: string): Promise<string> {
  writeFileSync(to, (await entries(archive)).get('database.sqlite') as Buffer)
  return to
}

type Outcome = Awaited<ReturnType<typeof cli>>

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)

// SQLite's backup: one archive of the database file and the evidence files. PostgreSQL's backup wraps
// pg_dump and pg_restore and is tested in backup-postgres.test.ts.
describe.skipIf(onPostgres)('fairhire backup and restore', () => {
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
    const out = join(env.dir, 'backups', 'fairhire-backup.tar')
    const backup = await cli(['backup', '--out', out], live)
    const savedDuring = load.total - Object.values(ackedBefore).reduce((a, b) => a + b, 0)
    await load.stop()

    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.stdout).toMatch(
      /^backed up .+ to .+: [\d.]+ (B|kB|MB) \(\d+ pages, 0 evidence files\) in \d+ ms; integrity check ok/,
    )
    expect(load.refused).toEqual([])
    expect(load.connectionErrors).toEqual([])
    expect(savedDuring, 'saves went on while the backup ran').toBeGreaterThan(0)

    // One self-contained file, no temporary or WAL file beside it, for this account only.
    expect(readdirSync(join(env.dir, 'backups'))).toEqual(['fairhire-backup.tar'])
    expect(mode(out)).toBe('600')
    const snapshot = await databaseOf(out, join(env.dir, 'snapshot.db'))
    const copy = await checkDatabase({ engine: 'sqlite', path: snapshot }, id)
    const file = new SQLite(snapshot, { readonly: true })
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
    copyFileSync(snapshot, existing)
    const corrupt = join(env.dir, 'corrupt.db')
    const bytes = readFileSync(snapshot)
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
    expect(fresh.stdout).toMatch(
      /^restored .+ into .+restored\/fairhire\.db \(\d+ pages, integrity check ok\) and 0 evidence files into .+restored\/evidence \(SHA-256 checked; 0 written, 0 already there\)\n$/,
    )
    expect(noForce.code).toBe(1)
    expect(noForce.stderr).toContain('already exists. Add --force to replace it')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('is not a usable backup; the database and evidence files were not touched')
    expect(existsSync(untouched)).toBe(false)
    // Restoring over a database that cannot even be opened is what restore is for.
    expect(overDamaged.code, overDamaged.stderr).toBe(0)
    expect(overDamaged.stdout).toContain('could not be opened (file is not a database); it was moved aside as is')
    const aside = readdirSync(dirname(damaged)).filter((f) => f.startsWith('fairhire.db.before-restore-'))
    expect(readFileSync(join(dirname(damaged), aside[0] as string), 'utf8')).toBe('not a database at all')
    expect((await checkDatabase({ engine: 'sqlite', path: damaged }, id)).values).toEqual(copy.values)

    // The refused restore left the running application alone.
    const after = await checkDatabase({ engine: 'sqlite', path: live }, id)
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
    expect((await checkDatabase({ engine: 'sqlite', path: join(env.dir, kept[0] as string) }, id)).values).toEqual(
      after.values,
    )
    expect((await checkDatabase({ engine: 'sqlite', path: live }, id)).values).toEqual(copy.values)

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

  it('holds the evidence files: restored onto an empty machine, the app serves the same bytes; a tampered archive is refused', {
    timeout: 180_000,
  }, async () => {
    env = freshEnv()
    const app = await buildApp(env.config, { logger: false })
    apps.push(app)
    const w = await buildWorld(app)
    const passport = Buffer.concat([Buffer.from('%PDF-1.4 passport register '), Buffer.alloc(70_000, 7)])
    const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('dorm')])
    const upload = (assessment: number, question: string, name: string, data: Buffer) =>
      addEvidence(app.db, w.principals.respA, assessment, question, { name, data }, app.blobs)
    const passportId = await upload(w.assessments.requested, 'A6.1', 'passports.pdf', passport)
    await upload(w.assessments.selfA, 'A6.1', 'dorm.png', photo)
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
    // A file on disk that no committed row names, as an upload in flight while the snapshot is taken.
    const inFlight = join(env.config.evidenceDir, 'org', String(w.supplierA), sha(Buffer.from('%PDF-1.4 late')))
    writeFileSync(inFlight, '%PDF-1.4 late')

    const out = join(env.dir, 'backups', 'with-evidence.tar')
    const backup = await cli(['backup', '--out', out], env.config.databasePath)
    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.stdout).toMatch(/\(\d+ pages, 2 evidence files\)/)
    expect(mode(out)).toBe('600')
    const inside = await entries(out)
    expect([...inside.keys()]).toEqual([
      'fairhire-backup.json',
      'database.sqlite',
      `evidence/${w.assessments.requested}/${sha(passport)}`,
      `evidence/${w.assessments.selfA}/${sha(photo)}`,
    ])
    const manifest = JSON.parse((inside.get('fairhire-backup.json') as Buffer).toString('utf8'))
    expect(manifest.evidence).toContainEqual({
      path: `evidence/${w.assessments.requested}/${sha(passport)}`,
      size: passport.length,
      sha256: sha(passport),
    })
    expect(manifest.database.sha256).toBe(sha(inside.get('database.sqlite') as Buffer))

    // A file the database refers to but the evidence folder lost fails the backup, naming it.
    const lostPath = join(env.config.evidenceDir, 'org', String(w.supplierA), sha(photo))
    const lost = readFileSync(lostPath)
    rmSync(lostPath)
    const refused = await cli(['backup', '--out', join(env.dir, 'backups', 'lacking.tar')], env.config.databasePath)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `missing from ${env.config.evidenceDir} (check EVIDENCE_DIR): evidence/${w.assessments.selfA}/${sha(photo)} (evidence #`,
    )
    expect(readdirSync(join(env.dir, 'backups'))).toEqual(['with-evidence.tar'])
    writeFileSync(lostPath, lost)
    await app.close()
    apps.splice(0)

    // An empty machine: new folders for the database and for the evidence, neither there yet.
    const machine = mkdtempSync(join(tmpdir(), 'fairhire-machine-'))
    const target = {
      DATABASE_PATH: join(machine, 'db', 'fairhire.db'),
      EVIDENCE_DIR: join(machine, 'files', 'evidence'),
    }
    try {
      const restored = await cli(['restore', '--from', out], target.DATABASE_PATH, target)
      expect(restored.code, restored.stderr).toBe(0)
      expect(restored.stdout).toContain(
        `and 2 evidence files into ${target.EVIDENCE_DIR} (SHA-256 checked; 2 written, 0 already there)`,
      )
      expect(restored.stderr).toBe('')
      // Each at its organisation's key, whatever assessment the archive names it by.
      const files = readdirSync(target.EVIDENCE_DIR, { recursive: true }).map(String).sort()
      const org = `org/${w.supplierA}`
      expect(files).toEqual(['org', org, `${org}/${sha(passport)}`, `${org}/${sha(photo)}`].sort())
      for (const f of files)
        expect(mode(join(target.EVIDENCE_DIR, f)), f).toBe(
          statSync(join(target.EVIDENCE_DIR, f)).isDirectory() ? '700' : '600',
        )
      expect(mode(target.DATABASE_PATH)).toBe('600')

      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...target })
      const restoredApp = await buildApp(config, { logger: false })
      apps.push(restoredApp)
      const supplier = new Client(restoredApp)
      await supplier.login(w.users.respA, PASSWORD)
      const res = await supplier.get(`/assessments/${w.assessments.requested}/evidence/${passportId}`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-disposition']).toContain('passports.pdf')
      expect(sha(res.rawPayload)).toBe(sha(passport))
      await restoredApp.close()
      apps.splice(0)

      // Tampered archives are refused before anything is replaced, each with the entry and the reason.
      const before = {
        db: sha(readFileSync(target.DATABASE_PATH)),
        files: readdirSync(target.EVIDENCE_DIR, { recursive: true }).map(String).sort(),
        machine: readdirSync(machine, { recursive: true }).map(String).sort(),
      }
      const bytes = readFileSync(out)
      const at = bytes.indexOf('%PDF-1.4 passport register')
      expect(at).toBeGreaterThan(0)
      bytes[at + 30] = (bytes[at + 30] as number) ^ 0xff
      const altered = join(env.dir, 'altered.tar')
      writeFileSync(altered, bytes)
      // The same archive without one evidence file, its manifest unchanged.
      const lacking = join(env.dir, 'lacking.tar')
      const tar = await TarWriter.create(lacking)
      for (const [name, data] of inside) if (!name.endsWith(sha(photo))) await tar.add(name, data.length, [data])
      await tar.finish()
      const truncated = join(env.dir, 'truncated.tar')
      writeFileSync(truncated, readFileSync(out).subarray(0, 50_000))
      const [a, l, tr] = (await Promise.all(
        [altered, lacking, truncated].map((f) =>
          cli(['restore', '--from', f, '--force'], target.DATABASE_PATH, target),
        ),
      )) as [Outcome, Outcome, Outcome]
      for (const r of [a, l, tr]) {
        expect(r.code, r.stdout).toBe(1)
        expect(r.stderr).toContain('is not a usable backup; the database and evidence files were not touched')
      }
      expect(a.stderr).toContain(
        `evidence/${w.assessments.requested}/${sha(passport)}: its content does not match its SHA-256 in fairhire-backup.json (altered or damaged)`,
      )
      expect(l.stderr).toContain(
        `evidence/${w.assessments.selfA}/${sha(photo)}: listed in fairhire-backup.json but missing from the archive`,
      )
      expect(tr.stderr).toContain('the archive ends early')
      expect({
        db: sha(readFileSync(target.DATABASE_PATH)),
        files: readdirSync(target.EVIDENCE_DIR, { recursive: true }).map(String).sort(),
        machine: readdirSync(machine, { recursive: true }).map(String).sort(),
      }).toEqual(before)

      // A database-only backup from an older version is still restored, with a warning naming what is missing.
      const legacy = await databaseOf(out, join(env.dir, 'legacy.db'))
      const elsewhere = join(machine, 'legacy', 'fairhire.db')
      const old = await cli(['restore', '--from', legacy], elsewhere, {
        EVIDENCE_DIR: join(machine, 'legacy', 'evidence'),
      })
      expect(old.code, old.stderr).toBe(0)
      expect(old.stderr).toContain(
        'is a database-only backup (made before backups held evidence files); it holds no evidence files. 2 of the 2 evidence files its database refers to are not in',
      )
    } finally {
      rmSync(machine, { recursive: true, force: true })
    }
  })
})
