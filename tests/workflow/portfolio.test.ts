import { describe, expect, it } from 'vitest'
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts'
import { type PortfolioEntry, portfolioPage, portfolioStream } from '../../src/portfolio/portfolio.service.ts'
import { summarise } from '../../src/scoring/score-summary.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { principal } from '../helpers/world.ts'

describe('brand portfolio', () => {
  it('lists every supplier with the same rating as its results page, filters, sorts and shows a heat map', async () => {
    const t = await testApp()
    try {
      await seedDemo(t.app.db)
      const c = new Client(t.app)
      await c.login('analyst@northwind.example', DEMO_PASSWORD)
      const page = await c.get('/portfolio')
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('14 of 14 suppliers and recruiters')
      const rated = [...page.body.matchAll(/href="\/assessments\/(\d+)\/results" class="rating rating-(\w+)"/g)]
      expect(rated.length).toBeGreaterThanOrEqual(8)
      for (const [, id, rating] of rated.slice(0, 4)) {
        const results = await c.get(`/assessments/${id}/results`)
        expect(/class="rating rating-(\w+)"/.exec(results.body)?.[1]).toBe(rating)
      }
      // Sorted by rating: worst first.
      const order = ['critical', 'high', 'medium', 'low']
      const ranks = rated.map(([, , r]) => order.indexOf(r as string))
      expect([...ranks].sort((a, b) => a - b)).toEqual(ranks)
      expect(page.body).toContain('Heat map: control score by section')
      expect(page.body).toMatch(/<td class="heat heat-[a-z-]+">\d+<\/td>/)
      const th = await c.get('/portfolio?country=TH')
      expect(th.body).toContain('Siam Seafood Processing')
      expect(th.body).not.toContain('Penang Circuits')
      const supplierId = /href="\/suppliers\/(\d+)\/overview">Siam Seafood Processing/.exec(th.body)?.[1]
      const overview = await c.get(`/suppliers/${supplierId}/overview`)
      expect(overview.statusCode).toBe(200)
      expect(overview.body).toContain('Score over time')
      // A supplier sees no portfolio.
      const supplier = new Client(t.app)
      await supplier.login('hr@siam-seafood.example', DEMO_PASSWORD)
      expect((await supplier.get('/portfolio', { accept: 'text/html' })).statusCode).toBe(403)
    } finally {
      await t.close()
    }
  })

  it("the page's summary of each score is exactly what the full stored result says", async () => {
    const t = await testApp()
    try {
      await seedDemo(t.app.db)
      const brand = await t.app.db
        .selectFrom('user_account as u')
        .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
        .select(['u.id', 'o.id as org', 'o.name'])
        .where('u.email', '=', 'analyst@northwind.example')
        .executeTakeFirstOrThrow()
      const p = principal(brand.id, brand.org, 'brand', 'analyst', brand.name)
      const full: PortfolioEntry[] = []
      for await (const e of portfolioStream(t.app.db, p)) full.push(e)
      const page = (await portfolioPage(t.app.db, p, { filter: {}, sort: 'name', page: 1 })).rows
      expect(page.map((e) => e.supplier)).toEqual(full.map((e) => e.supplier))
      expect(full.filter((e) => e.result).length).toBeGreaterThanOrEqual(8)
      full.forEach((e, i) => {
        const summary = page[i]?.result
        if (!e.result) {
          expect(summary).toBeNull()
          return
        }
        expect(summary).toEqual({
          rating: e.result.rating,
          control: {
            overall: e.result.control.overall,
            sections: e.result.control.sections.map((s) => ({ id: s.id, title: s.title, score: s.score })),
          },
          inherent: { score: e.result.inherent.score },
          confidence: { level: e.result.confidence.level },
          activeRedFlags: e.result.redFlags.filter((f) => f.status !== 'cleared').length,
          gapCount: e.result.gaps.length,
        })
        expect(summary).toEqual(summarise(e.result))
      })
    } finally {
      await t.close()
    }
  })
})
