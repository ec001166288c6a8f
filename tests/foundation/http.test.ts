import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/app.ts'

describe('HTTP surface', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  beforeAll(async () => {
    t = await testApp()
  })
  afterAll(async () => {
    await t.close()
  })

  it('serves the start page as HTML inside the base layout', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.body).toContain('<main id="main"')
    expect(res.body).toContain('<link rel="stylesheet" href="/assets/app.css')
  })

  it('answers liveness and readiness', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' })
    const ready = await t.app.inject('/readyz')
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ok' })
  })

  it('serves the stylesheet locally with cache headers', async () => {
    const res = await t.app.inject('/assets/app.css')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/css/)
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/)
  })

  it('sends the security headers on pages, API answers, assets and errors; no inline script is allowed', async () => {
    for (const url of ['/', '/api/v1/questionnaires', '/assets/app.css', '/no-such-page']) {
      const res = await t.app.inject(url)
      const csp = String(res.headers['content-security-policy'])
      expect(csp, url).toContain("default-src 'self'")
      expect(csp, url).toMatch(/script-src 'self'(;|$)/)
      expect(csp, url).toContain("frame-ancestors 'none'")
      expect(res.headers['x-content-type-options'], url).toBe('nosniff')
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN')
      expect(res.headers['referrer-policy'], url).toBe('no-referrer')
      // HTTPS is not assumed outside production.
      expect(res.headers['strict-transport-security'], url).toBeUndefined()
      expect(csp, url).not.toContain('upgrade-insecure-requests')
    }
  })

  it('in production adds HSTS and upgrades insecure requests', async () => {
    const prod = await testApp({ NODE_ENV: 'production', SESSION_SECRET: 'p'.repeat(48) })
    try {
      const res = await prod.app.inject('/')
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/)
      expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests')
    } finally {
      await prod.close()
    }
  })

  it('lets the API docs page bring its own policy, which still allows no inline script', async () => {
    const res = await t.app.inject('/docs')
    expect(res.statusCode).toBe(200)
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain('validator.swagger.io')
    expect(csp).toMatch(/script-src 'self'[^;]*;/)
    expect(/script-src ([^;]*);/.exec(csp)?.[1]).not.toContain('unsafe-inline')
  })

  it('renders an HTML 404 page for an unknown page', async () => {
    const res = await t.app.inject({ url: '/no-such-page', headers: { accept: 'text/html' } })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.body).toContain('Page not found')
    expect(res.body).toContain('/no-such-page')
  })

  it('answers JSON 404 under /api', async () => {
    const res = await t.app.inject({ url: '/api/v1/nope', headers: { accept: 'text/html' } })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/application\/json/)
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Page not found' })
  })

  it('escapes the requested path on the 404 page', async () => {
    const res = await t.app.inject({ url: '/%3Cscript%3Ealert(1)%3C/script%3E', headers: { accept: 'text/html' } })
    expect(res.statusCode).toBe(404)
    expect(res.body).not.toContain('<script>alert(1)')
  })

  it('serves OpenAPI at /docs', async () => {
    const json = await t.app.inject('/docs/json')
    expect(json.statusCode).toBe(200)
    expect(json.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./), info: { title: 'Fairhire API' } })
    const ui = await t.app.inject('/docs/')
    expect(ui.statusCode).toBe(200)
  })
})

describe('error handler', () => {
  it('hides internal details of a 500 and gives a reference', async () => {
    const t = await testApp(
      {},
      {
        extraRoutes: async (app) => {
          app.get('/api/v1/boom', async () => {
            throw new Error('secret internal detail')
          })
          app.get('/boom', async () => {
            throw new Error('secret internal detail')
          })
        },
      },
    )
    try {
      const api = await t.app.inject('/api/v1/boom')
      expect(api.statusCode).toBe(500)
      expect(api.body).not.toContain('secret')
      expect(api.json().message).toMatch(/reference [0-9a-f-]{36}/)
      const page = await t.app.inject({ url: '/boom', headers: { accept: 'text/html' } })
      expect(page.statusCode).toBe(500)
      expect(page.headers['content-type']).toMatch(/text\/html/)
      expect(page.body).not.toContain('secret')
    } finally {
      await t.close()
    }
  })
})
