import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { addEvidence } from '../../src/assessment/evidence.service.ts'
import { loadConfig } from '../../src/config.ts'
import { Client } from '../helpers/client.ts'
import { onPostgres } from '../helpers/engine.ts'
import { buildWorld, PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

/**
 * Every fsync and rename the evidence store makes, with the number of evidence rows another connection could
 * see at that moment: what was on disk before the row that refers to it was committed.
 */
const events = vi.hoisted(() => ({
  log: [] as { op: 'fsync' | 'rename'; path: string; rowsCommitted: number }[],
  rows: (): number => 0,
}))

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>()
  const open: typeof real.open = async (...args) => {
    const fh = await real.open(...args)
    const sync = fh.sync.bind(fh)
    fh.sync = async () => {
      events.log.push({ op: 'fsync', path: String(args[0]), rowsCommitted: events.rows() })
      return sync()
    }
    return fh
  }
  const rename: typeof real.rename = async (from, to) => {
    events.log.push({ op: 'rename', path: String(to), rowsCommitted: events.rows() })
    return real.rename(from, to)
  }
  return { ...real, default: { ...real, open, rename }, open, rename }
})

const PDF = Buffer.from('%PDF-1.4 signed recruitment fee policy\n')

describe('evidence files on disk', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  it('are fsynced, file and folder, before the row that refers to them is committed', async () => {
    // Another connection's view, read synchronously from inside the mocked fs calls.
    const reader = onPostgres ? undefined : new SQLite(t.env.config.databasePath, { readonly: true })
    const count = 'select count(*) as n from evidence'
    events.rows = reader
      ? () => (reader.prepare(count).get() as { n: number }).n
      : () => Number(execFileSync('psql', [t.env.vars.DATABASE_URL as string, '-qtAc', count], { encoding: 'utf8' }))
    events.log.length = 0
    try {
      const id = w.assessments.requested
      await addEvidence(t.app.db, w.principals.respA, id, 'A6.1', { name: 'policy.pdf', data: PDF }, t.app.blobs)
      expect(events.rows()).toBe(1)
    } finally {
      events.rows = () => 0
      reader?.close()
    }
    // Stored under the owning organisation's key: org/<organisation>/<sha256>.
    const dir = join(t.env.config.evidenceDir, 'org', String(w.supplierA))
    const ops = events.log.map(
      (e) => `${e.op} ${e.path.startsWith(dir) ? e.path.slice(dir.length) || '<folder>' : e.path}`,
    )
    const file = events.log.findIndex(
      (e) => e.op === 'fsync' && e.path.startsWith(`${dir}/`) && e.path.endsWith('.tmp'),
    )
    const renamed = events.log.findIndex((e) => e.op === 'rename' && e.path.startsWith(`${dir}/`))
    const folder = events.log.findIndex((e, i) => i > renamed && e.op === 'fsync' && e.path === dir)
    expect(file, ops.join('\n')).toBeGreaterThanOrEqual(0)
    expect(renamed, ops.join('\n')).toBeGreaterThan(file)
    expect(folder, ops.join('\n')).toBeGreaterThan(renamed)
    // The organisation's folders were new: their names in the folders above are flushed too.
    for (const parent of [join(t.env.config.evidenceDir, 'org'), t.env.config.evidenceDir])
      expect(
        events.log.some((e, i) => i > renamed && e.op === 'fsync' && e.path === parent),
        parent,
      ).toBe(true)
    expect(events.log.every((e) => e.rowsCommitted === 0)).toBe(true)
  })
})

// The database file, its WAL and the session secret file are SQLite's; on PostgreSQL the server keeps the
// data and evidence modes are covered by the test above.
describe.skipIf(onPostgres)('file modes', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('creates the data folder 0700, and the database, its WAL, the session secret and evidence 0600', {
    timeout: 60_000,
  }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'fairhire-modes-'))
    dirs.push(root)
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_PATH: join(root, 'data', 'fairhire.db'),
    })
    const app = await buildApp(config, { logger: false })
    try {
      const world = await buildWorld(app)
      await addEvidence(
        app.db,
        world.principals.respA,
        world.assessments.requested,
        'A6.1',
        { name: 'policy.pdf', data: PDF },
        app.blobs,
      )
      // The file is served from where it was stored.
      const supplier = new Client(app)
      await supplier.login(world.users.respA, PASSWORD)
      const evidenceId = (await app.db.selectFrom('evidence').select('id').executeTakeFirstOrThrow()).id
      const res = await supplier.get(`/assessments/${world.assessments.requested}/evidence/${evidenceId}`)
      expect(res.statusCode).toBe(200)
      expect(res.rawPayload.equals(PDF)).toBe(true)

      const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)
      const data = dirname(config.databasePath)
      const modes: Record<string, string> = {}
      const walk = (path: string, name: string) => {
        modes[name] = mode(path)
        if (statSync(path).isDirectory()) for (const f of readdirSync(path)) walk(join(path, f), `${name}/${f}`)
      }
      walk(data, 'data')
      expect(Object.keys(modes)).toEqual(
        expect.arrayContaining([
          'data',
          'data/fairhire.db',
          'data/fairhire.db-wal',
          'data/fairhire.db-shm',
          'data/.session-secret',
          'data/evidence',
          'data/evidence/org',
          `data/evidence/org/${world.supplierA}`,
        ]),
      )
      const wrong = Object.entries(modes).filter(([, m]) => m !== '700' && m !== '600')
      expect(wrong, JSON.stringify(modes)).toEqual([])
      for (const [name, m] of Object.entries(modes))
        expect(m, name).toBe(statSync(join(root, name)).isDirectory() ? '700' : '600')
    } finally {
      await app.close()
    }
  })
})
