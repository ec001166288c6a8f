import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { buildWorld, PASSWORD } from '../helpers/world.ts'

/**
 * Ids beyond what the id columns hold (2^31 − 1 on PostgreSQL) are refused as bad input naming the field,
 * the same on both engines, rather than reaching a query that PostgreSQL would fail with a 500.
 */
describe('ids out of range', () => {
  it('are a 400 naming the id, in paths, API bodies and forms', { timeout: 60_000 }, async () => {
    const t = await testApp()
    try {
      const w = await buildWorld(t.app)
      const auth = { authorization: `Bearer ${w.tokenA.token}` }
      for (const url of ['/api/v1/assessments/2147483648', '/api/v1/assessments/99999999999999999999']) {
        const res = await t.app.inject({ method: 'GET', url, headers: auth })
        expect(res.statusCode, url).toBe(400)
        expect(res.body, url).toContain('expected an id: a whole number from 1 to 2,147,483,647')
      }
      // The largest id that fits is simply not found.
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/assessments/2147483647', headers: auth })).statusCode,
      ).toBe(404)
      const body = await t.app.inject({
        method: 'POST',
        url: '/api/v1/requests',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: { organisationId: 2 ** 40, questionnaire: 'employer' },
      })
      expect(body.statusCode).toBe(400)
      expect(body.body).toContain('organisationId')
      const c = new Client(t.app)
      await c.login(w.users.analystA, PASSWORD)
      const page = await c.get('/suppliers/3000000000/overview')
      expect(page.statusCode).toBe(400)
    } finally {
      await t.close()
    }
  })
})
