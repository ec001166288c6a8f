import { beforeEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { Client } from '../helpers/client.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

/**
 * The answer pages keep recently read answers in memory, per answers revision, and saves write through.
 * Whatever the path of a change, a page must show what is stored.
 */
describe('answers shown on the section page', () => {
  let t: TestApp
  let w: World
  let c: Client
  worldPerTest((app, world) => {
    t = app
    w = world
  })
  beforeEach(async () => {
    c = new Client(t.app)
    await c.login(w.users.respA, PASSWORD)
  })

  const page = () => `/assessments/${w.assessments.selfA}/sections/A0`
  const api = () => `/api/v1/assessments/${w.assessments.selfA}/answers`
  const shown = async () => (await c.get(page())).body

  it('follow saves through the API, refused saves, cleared answers and saves made by another process', async () => {
    expect(await shown()).not.toContain('Rayong first')
    expect((await c.api('PUT', api(), { answers: { 'A0.1b': 'Rayong first' } })).statusCode).toBe(200)
    expect(await shown()).toContain('Rayong first')

    // A refused save (one bad answer among good ones) changes nothing, on the page either.
    const refused = await c.api('PUT', api(), { answers: { 'A0.1b': 'Never stored', 'A1.4': 'perhaps' } })
    expect(refused.statusCode).toBe(400)
    const afterRefusal = await shown()
    expect(afterRefusal).toContain('Rayong first')
    expect(afterRefusal).not.toContain('Never stored')

    // Another process on the same database file (the command line, a second server) saves: this server's
    // page must not keep showing its own copy.
    const other = await buildApp(t.env.config, { logger: false })
    try {
      const o = new Client(other)
      await o.login(w.users.respA, PASSWORD)
      expect((await o.api('PUT', api(), { answers: { 'A0.1b': 'Chonburi second' } })).statusCode).toBe(200)
    } finally {
      await other.close()
    }
    const afterOther = await shown()
    expect(afterOther).toContain('Chonburi second')
    expect(afterOther).not.toContain('Rayong first')

    expect((await c.api('PUT', api(), { answers: { 'A0.1b': null } })).statusCode).toBe(200)
    expect(await shown()).not.toContain('Chonburi second')
    // The page's versions match the stored ones, so a save from it is not taken for a stale one.
    const stored = (await c.api('GET', api())).json()
    expect(stored['A0.1b']).toBeUndefined()
  })
})
