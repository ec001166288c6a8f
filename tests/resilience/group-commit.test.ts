import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../src/db/connection.ts'
import { groupWrite } from '../../src/db/raw.ts'
import { freshEnv, type TestEnv, testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { onPostgres } from '../helpers/engine.ts'
import { buildWorld, PASSWORD } from '../helpers/world.ts'

/**
 * Saves arriving together are committed in one transaction (group commit). Each must behave exactly as if
 * it had run alone: a failing one changes nothing and stops no other, and later ones see earlier ones.
 */
// Group commit is SQLite's way to many saves a second (db/raw.ts); on PostgreSQL each save is its own
// serializable transaction (answer.store.ts), and the HTTP test below holds them to the same promises.
describe.skipIf(onPostgres)('group commit', () => {
  let env: TestEnv
  let db: Db
  let sqlite: ReturnType<typeof createDb>['sqlite']
  beforeEach(() => {
    env = freshEnv()
    ;({ db, sqlite } = createDb(env.config.databasePath))
    sqlite.exec('create table parent (id integer primary key)')
    sqlite.exec(
      'create table item (id integer primary key, label text not null, parent_id integer references parent(id) deferrable initially deferred)',
    )
  })
  afterEach(async () => {
    await db.destroy()
    env.cleanup()
  })

  const insert = (label: string, parent: number | null = null) =>
    groupWrite(db, {
      check: () => label,
      write: (s, l) =>
        Number(s.prepare('insert into item (label, parent_id) values (?, ?)').run(l, parent).lastInsertRowid),
    })
  const labels = () => sqlite.prepare('select label from item order by id').pluck().all()

  it('a write refused by its check changes nothing and stops no other; each sees the ones before it', async () => {
    const results = await Promise.allSettled([
      insert('first'),
      groupWrite(db, {
        check: () => {
          throw new Error('refused')
        },
        write: (s) => s.prepare('insert into item (label) values (?)').run('never'),
      }),
      groupWrite(db, {
        check: (s) => s.prepare('select count(*) from item').pluck().get() as number,
        write: (_, n) => n,
      }),
      insert('third'),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused')
    // The third write saw the first: the group ran as if serially.
    expect((results[2] as PromiseFulfilledResult<number>).value).toBe(1)
    expect(labels()).toEqual(['first', 'third'])
  })

  it('when a write fails half-way, its group is run again one write at a time: only that one fails', async () => {
    const results = await Promise.allSettled([
      insert('fine'),
      groupWrite(db, {
        check: () => null,
        write: (s) => {
          s.prepare('insert into item (label) values (?)').run('half-done')
          throw new Error('disk trouble')
        },
      }),
      insert('also fine'),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/disk trouble/)
    expect(labels()).toEqual(['fine', 'also fine'])
  })

  it('when the COMMIT fails, the writes are run again one at a time: the one that breaks it fails alone', async () => {
    // A deferred foreign key is checked at COMMIT: the whole group's transaction fails there.
    const results = await Promise.allSettled([insert('fine'), insert('orphan', 99), insert('also fine')])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/)
    expect(labels()).toEqual(['fine', 'also fine'])
  })

  it('groups more writes than one transaction takes across several, losing none', async () => {
    const all = await Promise.all(Array.from({ length: 600 }, (_, i) => insert(`n${i}`)))
    expect(new Set(all).size).toBe(600)
    expect(labels()).toHaveLength(600)
  })
})

describe('concurrent answer saves over HTTP', () => {
  it('behave as if one after another: one stale-free save wins, the rest are refused and change nothing', async () => {
    const t = await testApp()
    try {
      const w = await buildWorld(t.app)
      const c = new Client(t.app)
      await c.login(w.users.respA, PASSWORD)
      const other = new Client(t.app)
      await other.login(w.users.respB, PASSWORD)
      const url = `/api/v1/assessments/${w.assessments.selfA}/answers`
      const before = (await c.api('GET', url)).json()
      // Every one of these started from the same empty answer (version 0).
      const values = ['yes', 'partly', 'no', 'yes', 'partly', 'no']
      const [invalid, foreign, ...rivals] = await Promise.all([
        c.api('PUT', url, { answers: { 'A1.4': 'perhaps' } }),
        other.api('PUT', url, { answers: { 'A1.4': 'no' } }),
        ...values.map((v) => c.api('PUT', url, { answers: { 'A1.4': v }, versions: { 'A1.4': 0 } })),
      ])
      expect(invalid?.statusCode).toBe(400)
      expect(invalid?.json().issues[0].field).toBe('answers.A1.4')
      expect(foreign?.statusCode).toBe(404)
      const codes = rivals.map((r) => r.statusCode)
      expect(codes.filter((s) => s === 200)).toHaveLength(1)
      expect(codes.filter((s) => s === 409)).toHaveLength(values.length - 1)
      const winner = values[codes.indexOf(200)]
      const after = (await c.api('GET', url)).json()
      expect(after['A1.4']).toMatchObject({ value: winner, version: 1 })
      expect(Object.keys(after).sort()).toEqual([...Object.keys(before), 'A1.4'].sort())
      const audit = await t.app.db
        .selectFrom('audit_log')
        .select(['entity_id', 'new_value'])
        .where('assessment_id', '=', w.assessments.selfA)
        .where('action', '=', 'answer')
        .where('entity_id', '=', 'A1.4')
        .execute()
      expect(audit).toEqual([{ entity_id: 'A1.4', new_value: JSON.stringify({ value: winner, comment: null }) }])
    } finally {
      await t.close()
    }
  })
})
