import { describe, expect, it } from 'vitest'
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'

describe('fairhire demo seed', () => {
  it('fills an empty database with a brand, twelve suppliers, two recruiters and assessments in every state', async () => {
    const t = await testApp()
    try {
      const r = await seedDemo(t.app.db)
      expect(r.assessments).toBe(15)
      const kinds = await t.app.db.selectFrom('organisation').select(['kind']).execute()
      expect(kinds.filter((k) => k.kind === 'brand')).toHaveLength(1)
      expect(kinds.filter((k) => k.kind === 'supplier')).toHaveLength(12)
      expect(kinds.filter((k) => k.kind === 'recruiter')).toHaveLength(2)
      const countries = await t.app.db
        .selectFrom('organisation')
        .select('country')
        .distinct()
        .where('kind', '=', 'supplier')
        .execute()
      expect(countries.length).toBeGreaterThanOrEqual(8)
      const states = new Set((await t.app.db.selectFrom('assessment').select('status').execute()).map((a) => a.status))
      expect([...states].sort()).toEqual(['draft', 'returned', 'reviewed', 'submitted'])
      const ratings = new Set(
        (await t.app.db.selectFrom('score_snapshot').select('rating').execute()).map((s) => s.rating),
      )
      expect(ratings.size).toBeGreaterThanOrEqual(2)
      for (const login of DEMO_LOGINS) {
        const c = new Client(t.app)
        await c.login(login.email, DEMO_PASSWORD)
        expect((await c.get('/api/v1/me')).statusCode).toBe(200)
      }
      const analyst = new Client(t.app)
      await analyst.login('analyst@northwind.example', DEMO_PASSWORD)
      // The brand sees what it requested (14) but not the supplier's private self-check.
      expect((await analyst.get('/api/v1/assessments')).json()).toHaveLength(14)
      await expect(seedDemo(t.app.db)).rejects.toThrow(/only an empty database/)
    } finally {
      await t.close()
    }
  })
})
