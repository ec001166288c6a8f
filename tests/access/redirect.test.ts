import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { buildWorld, PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

// Each sign-in comes from its own address, so the per-address sign-in limit stays out of the way.
let lastOctet = 10

async function signInWithNext(t: TestApp, email: string, next: string) {
  const c = new Client(t.app)
  await c.get('/login')
  lastOctet++
  return c.request({
    method: 'POST',
    url: '/login',
    payload: new URLSearchParams({ _csrf: c.csrf, email, password: PASSWORD, next }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    remoteAddress: `10.0.0.${lastOctet}`,
  })
}

describe('where sign-in leads (no open redirect)', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  // Every one of these resolves, in a browser, to another site or to no web page at all.
  const hostile = [
    '/\\evil.example/',
    '/\\/evil.example/',
    '\\\\evil.example',
    '//evil.example',
    '///evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '\t//evil.example',
    ' //evil.example',
    '/.//evil.example',
    '/..//evil.example',
    '/x/..//evil.example/',
    'http://evil.example/',
    'https://evil.example/assessments',
    'https:evil.example',
    'HTTP://EVIL.EXAMPLE',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://fairhire.invalid@evil.example/',
  ]

  it('goes to the default page for every next that leaves the site', async () => {
    const wrong: string[] = []
    for (const next of hostile) {
      const res = await signInWithNext(t, w.users.respA, next)
      expect(res.statusCode, JSON.stringify(next)).toBe(303)
      if (res.headers.location !== '/assessments') wrong.push(`${JSON.stringify(next)} → ${res.headers.location}`)
    }
    expect(wrong).toEqual([])
  })

  it('keeps percent-encoded slashes and backslashes inside the path, where they name no host', async () => {
    for (const next of ['/%2F%2Fevil.example', '/%5Cevil.example', '/%5C%5Cevil.example', '/%09/evil.example']) {
      const res = await signInWithNext(t, w.users.respA, next)
      const location = res.headers.location as string
      // Still a path on this site: resolved as a browser would, it stays here.
      expect(new URL(location, 'https://fairhire.test').origin, next).toBe('https://fairhire.test')
      expect(location.startsWith('//'), next).toBe(false)
    }
  })

  it('follows a path on this site, with its query string and fragment', async () => {
    for (const next of [
      `/assessments/${w.assessments.selfA}`,
      `/assessments/${w.assessments.selfA}/sections/a0?saved=1`,
      `/assessments/${w.assessments.selfA}/results?imported=3#actions`,
      '/portfolio?risk=high&country=TH',
    ]) {
      const res = await signInWithNext(t, w.users.respA, next)
      expect(res.headers.location, next).toBe(next)
    }
    const none = await signInWithNext(t, w.users.respA, '')
    expect(none.headers.location).toBe('/assessments')
  })

  it('returns to the page that asked for sign-in', async () => {
    const c = new Client(t.app)
    const asked = await c.get(`/assessments/${w.assessments.selfA}?tab=answers`)
    expect(asked.headers.location).toBe(
      `/login?next=${encodeURIComponent(`/assessments/${w.assessments.selfA}?tab=answers`)}`,
    )
    const next = new URL(asked.headers.location as string, 'http://x').searchParams.get('next') as string
    const res = await signInWithNext(t, w.users.respA, next)
    expect(res.headers.location).toBe(`/assessments/${w.assessments.selfA}?tab=answers`)
  })

  it('with PUBLIC_URL set, follows a full address on that site as a path, and nothing on another', async () => {
    const pub = await testApp({ PUBLIC_URL: 'https://fairhire.example.org' })
    try {
      const pw = await buildWorld(pub.app)
      const own = await signInWithNext(pub, pw.users.respA, 'https://fairhire.example.org/portfolio?risk=high')
      expect(own.headers.location).toBe('/portfolio?risk=high')
      for (const next of [
        'http://fairhire.example.org/portfolio',
        'https://fairhire.example.org.evil.example/',
        '/\\evil.example',
      ])
        expect((await signInWithNext(pub, pw.users.respA, next)).headers.location, next).toBe('/assessments')
    } finally {
      await pub.close()
    }
  })
})
