import { afterEach, describe, expect, it, vi } from 'vitest'
import { Client } from '../helpers/client.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe('session expiry when the clock goes back', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  async function signedIn(): Promise<Client> {
    const c = new Client(t.app)
    await c.login(w.users.respA, PASSWORD)
    expect((await c.get('/api/v1/me')).statusCode).toBe(200)
    return c
  }

  it('ends a session last used "in the future" instead of putting off its idle expiry', async () => {
    const start = Date.now()
    vi.useFakeTimers({ toFake: ['Date'], now: start })
    const c = await signedIn()
    // The clock is set back a month: the session was last used, by this clock, a month from now.
    vi.setSystemTime(start - 30 * DAY)
    expect((await c.get('/api/v1/me')).statusCode).toBe(401)
    // And it stays ended: twelve idle hours later by the new clock, and after the clock is put right.
    vi.setSystemTime(start - 30 * DAY + 13 * HOUR)
    expect((await c.get('/api/v1/me')).statusCode).toBe(401)
    vi.setSystemTime(start + MINUTE)
    expect((await c.get('/api/v1/me')).statusCode).toBe(401)
    // Signing in again works on the new clock.
    vi.setSystemTime(start - 30 * DAY)
    const again = await signedIn()
    vi.setSystemTime(start - 30 * DAY + 2 * HOUR)
    expect((await again.get('/api/v1/me')).statusCode).toBe(200)
  })

  it('forgives a small step back, and still expires the session after twelve idle hours', async () => {
    const start = Date.now()
    vi.useFakeTimers({ toFake: ['Date'], now: start })
    const c = await signedIn()
    vi.setSystemTime(start - 2 * MINUTE)
    expect((await c.get('/api/v1/me')).statusCode).toBe(200)
    vi.setSystemTime(start + 11 * HOUR)
    expect((await c.get('/api/v1/me')).statusCode).toBe(200)
    vi.setSystemTime(start + 23.5 * HOUR)
    expect((await c.get('/api/v1/me')).statusCode).toBe(401)
  })

  it('ends a session whose times cannot be read, rather than never expiring it', async () => {
    const c = await signedIn()
    await t.app.db.updateTable('session').set({ last_seen_at: 'not a time' }).execute()
    const res = await c.get('/api/v1/me')
    expect(res.statusCode).toBe(401)
  })
})
