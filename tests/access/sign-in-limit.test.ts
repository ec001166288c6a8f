import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { Client } from '../helpers/client.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

/**
 * Attempts come from a new address each time, as from a botnet: the per-address limit of the route never
 * applies, so what is seen is the per-account limit alone. The clock is simulated (Date only).
 */
let address = 0
const nextAddress = () => {
  address++
  return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`
}

type Attempt = { status: number; retryAfter: number | null; message: string | undefined }

async function attempt(app: TestApp['app'], email: string, password: string): Promise<Attempt> {
  const c = new Client(app)
  await c.get('/login')
  const res = await c.request({
    method: 'POST',
    url: '/login',
    payload: new URLSearchParams({ _csrf: c.csrf, email, password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    remoteAddress: nextAddress(),
  })
  const retry = res.headers['retry-after']
  return {
    status: res.statusCode,
    retryAfter: retry === undefined ? null : Number(retry),
    message: /<p class="alert" role="alert">([^<]*)<\/p>/.exec(res.body)?.[1],
  }
}

const WRONG = 'not the password at all'
const HOUR = 3_600_000

describe('sign-in attempts per account', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** Tries at once, then (when refused) again after the wait it was told, `n` times; the whole story. */
  async function story(email: string, n: number): Promise<string[]> {
    const out: string[] = []
    for (let i = 0; i < n; i++) {
      const a = await attempt(t.app, email, WRONG)
      out.push(`${a.status} ${a.retryAfter ?? '-'} ${a.message}`)
      if (a.status === 429) vi.advanceTimersByTime((a.retryAfter as number) * 1000)
    }
    return out
  }

  it('slows down failures on one account from any address, exactly alike for an unknown email', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
    const known = await story(w.users.respA, 16)
    const unknown = await story('nobody@nowhere.test', 16)
    expect(unknown).toEqual(known)
    const wrong = '401 - The email address or password is not right.'
    const wait = (s: number) =>
      `429 ${s} Too many attempts to sign in with this email address. Wait ${s} second${s === 1 ? '' : 's'} and try again.`
    expect(known).toEqual([
      ...[wrong, wrong, wrong, wrong, wrong],
      ...[wait(1), wrong, wait(2), wrong, wait(4), wrong, wait(8), wrong, wait(16), wrong, wait(30)],
    ])
    // Differently typed, the same address: the same count.
    expect((await attempt(t.app, w.users.respA, WRONG)).status).toBe(401)
    expect((await attempt(t.app, ` ${w.users.respA.toUpperCase()} `, WRONG)).status).toBe(429)
  })

  it('refuses even the right password while the account must wait, and lets it in afterwards', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
    for (let i = 0; i < 6; i++) await attempt(t.app, w.users.respA, WRONG)
    const during = await attempt(t.app, w.users.respA, PASSWORD)
    expect(during.status).toBe(429)
    vi.advanceTimersByTime((during.retryAfter as number) * 1000)
    expect((await attempt(t.app, w.users.respA, PASSWORD)).status).toBe(303)
    // A success clears the count: five free attempts again.
    const after: number[] = []
    for (let i = 0; i < 6; i++) after.push((await attempt(t.app, w.users.respA, WRONG)).status)
    expect(after).toEqual([401, 401, 401, 401, 401, 429])
  })

  it('hears at most 100 failures on one account in any hour, however patient the attacker', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
    const start = Date.now()
    const failures: number[] = []
    let longestWaitBefore100 = 0
    // The attacker tries again the moment it may, for two hours (or until far more than 100 were heard).
    while (Date.now() - start < 2 * HOUR && failures.length <= 150) {
      const a = await attempt(t.app, w.users.respA, WRONG)
      if (a.status === 401) failures.push(Date.now())
      else {
        expect(a.status).toBe(429)
        const ms = (a.retryAfter as number) * 1000
        if (failures.length < 100) longestWaitBefore100 = Math.max(longestWaitBefore100, ms)
        vi.advanceTimersByTime(ms)
      }
    }
    let most = 0
    for (const from of failures) most = Math.max(most, failures.filter((x) => x >= from && x < from + HOUR).length)
    console.log(
      `per-account limit: ${failures.length} failures heard in 2 h, at most ${most} in any hour; the 100th after ` +
        `${Math.round(((failures[99] ?? 0) - start) / 60_000)} min; longest wait before it ${longestWaitBefore100 / 1000} s`,
    )
    expect(most).toBe(100)
    expect(longestWaitBefore100).toBeLessThanOrEqual(30_000)
    // After the hundredth the account waits an hour, then starts again.
    expect((failures[100] as number) - (failures[99] as number)).toBeGreaterThanOrEqual(HOUR)
  }, 300_000)

  it('keeps the count across a restart', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
    for (let i = 0; i < 6; i++) await attempt(t.app, w.users.respA, WRONG)
    expect((await attempt(t.app, w.users.respA, WRONG)).status).toBe(429)
    await t.app.close()
    const again = await buildApp(t.env.config, { logger: false })
    try {
      const a = await attempt(again, w.users.respA, PASSWORD)
      expect(a.status).toBe(429)
      expect(a.retryAfter).toBeGreaterThan(0)
    } finally {
      await again.close()
    }
  })
})
