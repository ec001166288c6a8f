import { describe, expect, it } from 'vitest'
import type { Principal } from '../../src/access/principal.ts'
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts'
import { type PortfolioEntry, portfolioPage, portfolioStream } from '../../src/portfolio/portfolio.service.ts'
import { summarise } from '../../src/scoring/score-summary.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { principal } from '../helpers/world.ts'

type App = Awaited<ReturnType<typeof testApp>>['app']

async function analystOf(app: App, email = 'analyst@northwind.example'): Promise<Principal> {
  const brand = await app.db
    .selectFrom('user_account as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'o.id as org', 'o.name'])
    .where('u.email', '=', email)
    .executeTakeFirstOrThrow()
  return principal(brand.id, brand.org, 'brand', 'analyst', brand.name)
}

async function everything(app: App, p: Principal): Promise<PortfolioEntry[]> {
  const all: PortfolioEntry[] = []
  for await (const e of portfolioStream(app.db, p)) all.push(e)
  return all
}

/** The suppliers a portfolio page lists, in order (each row links to the supplier's overview). */
const listed = (html: string) =>
  [...html.matchAll(/<th scope="row"><a href="\/suppliers\/(\d+)\/overview">/g)].map((m) => Number(m[1]))

/** Code-point order, as byName sorts on both engines. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 }

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
      expect(page.body).toContain('Showing 1–14 of 14.')
      // One page only: no page links.
      expect(page.body).not.toContain('class="pagination"')
      expect(page.body).toContain('href="/portfolio.zip"')
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
      // Section titles come from the questionnaire, not from each stored summary.
      expect(page.body).toContain('<abbr title="Governance, policy and accountability">A1</abbr>')
      const th = await c.get('/portfolio?country=TH')
      expect(th.body).toContain('Siam Seafood Processing')
      expect(th.body).not.toContain('Penang Circuits')
      expect(th.body).toContain('1 of 14 suppliers and recruiters')
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
      const p = await analystOf(t.app)
      const full = await everything(t.app, p)
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
            sections: e.result.control.sections.map((s) => ({ id: s.id, score: s.score })),
          },
          inherent: { score: e.result.inherent.score },
          confidence: { level: e.result.confidence.level },
          activeRedFlags: e.result.redFlags.filter((f) => f.status !== 'cleared').length,
          gapCount: e.result.gaps.length,
        })
        expect(summary).toEqual(summarise(e.result))
        expect(page[i]?.openActions).toBe(e.openActions)
        expect(page[i]?.overdueActions).toBe(e.overdueActions)
      })
    } finally {
      await t.close()
    }
  })

  it('pages, filters and sorts in SQL, in the same order as sorting every row, and keeps the filters in its links', async () => {
    const t = await testApp()
    try {
      // 14 demo organisations and 106 generated suppliers: three pages of 50.
      await seedDemo(t.app.db, undefined, { suppliers: 120 })
      const p = await analystOf(t.app)
      const all = await everything(t.app, p)
      expect(all).toHaveLength(120)
      const c = new Client(t.app)
      await c.login('analyst@northwind.example', DEMO_PASSWORD)

      const nameOrder = (a: PortfolioEntry, b: PortfolioEntry) =>
        byCodePoint(a.supplier.name, b.supplier.name) || a.supplier.id - b.supplier.id
      // What each sort means, written out over every row (the page used to do this in JavaScript).
      const keys: Record<string, (e: PortfolioEntry) => number> = {
        rating: (e) => (e.result ? (RANK[e.result.rating] ?? 9) : 9),
        control: (e) => e.result?.control.overall ?? 999,
        inherent: (e) => -(e.result?.inherent.score ?? -1),
        redflags: (e) => -(e.result ? e.result.redFlags.filter((f) => f.status !== 'cleared').length : 0),
        overdue: (e) => -e.overdueActions,
        name: () => 0,
      }
      const expected = (sort: string, keep: (e: PortfolioEntry) => boolean = () => true) =>
        all
          .filter(keep)
          .sort(
            (a, b) =>
              (keys[sort] as (e: PortfolioEntry) => number)(a) - (keys[sort] as (e: PortfolioEntry) => number)(b) ||
              nameOrder(a, b),
          )
          .map((e) => e.supplier.id)
      const walk = async (query: string) => {
        const ids: number[] = []
        for (let n = 1; ; n++) {
          const res = await c.get(`/portfolio?${query}${query ? '&' : ''}page=${n}`)
          expect(res.statusCode, res.body.slice(0, 300)).toBe(200)
          const rows = listed(res.body)
          expect(rows.length).toBeLessThanOrEqual(50)
          ids.push(...rows)
          if (!res.body.includes('rel="next"')) return { ids, last: res.body }
        }
      }

      for (const sort of Object.keys(keys)) {
        const { ids } = await walk(`sort=${sort}`)
        expect(ids, sort).toEqual(expected(sort))
      }

      const first = await c.get('/portfolio?sort=name')
      expect(first.body).toContain('120 of 120 suppliers and recruiters')
      expect(first.body).toContain('Showing 1–50 of 120.')
      expect(first.body).toContain('<a href="/portfolio?sort=name&amp;page=2" rel="next">')
      expect(first.body).toMatch(/<a href="\/portfolio\?sort=name&amp;page=3" aria-label="Page 3">3<\/a>/)
      const third = await c.get('/portfolio?sort=name&page=3')
      expect(third.body).toContain('Showing 101–120 of 120.')
      expect(third.body).toContain('aria-current="page"')
      expect(listed(third.body)).toHaveLength(20)
      // Past the last page: the last page, not an empty one.
      const beyond = await c.get('/portfolio?sort=name&page=99')
      expect(listed(beyond.body)).toEqual(listed(third.body))

      // Filters, alone and together, each checked against every row filtered by hand.
      const country = all.find((e) => e.supplier.country && e.supplier.country !== 'TH')?.supplier.country as string
      const sector = all.find((e) => e.supplier.country === country && e.supplier.sector)?.supplier.sector as string
      const cases: [string, (e: PortfolioEntry) => boolean][] = [
        [`country=${country}`, (e) => e.supplier.country === country],
        [`sector=${sector}`, (e) => e.supplier.sector === sector],
        [`country=${country}&sector=${sector}`, (e) => e.supplier.country === country && e.supplier.sector === sector],
        ['rating=critical', (e) => e.result?.rating === 'critical'],
        ['rating=low', (e) => e.result?.rating === 'low'],
        ['status=none', (e) => e.assessment === null],
        ['status=reviewed', (e) => e.assessment?.status === 'reviewed'],
        ['status=declined', (e) => e.assessment?.status === 'declined'],
        ['status=draft&rating=high', (e) => e.assessment?.status === 'draft' && e.result?.rating === 'high'],
      ]
      for (const [query, keep] of cases) {
        const want = expected('rating', keep)
        const { ids, last } = await walk(`${query}&sort=rating`)
        expect(ids, query).toEqual(want)
        if (want.length > 0) expect(last, query).toContain(`${want.length} of 120 suppliers and recruiters`)
        else expect(last, query).toContain('No supplier matches these filters.')
      }
      // The links of a filtered page keep its filters.
      const filtered = await c.get(`/portfolio?rating=critical&sort=control`)
      if (expected('control', (e) => e.result?.rating === 'critical').length > 50)
        expect(filtered.body).toContain('href="/portfolio?rating=critical&amp;sort=control&amp;page=2"')

      // Bad values are refused naming the field, not silently ignored.
      for (const [query, field] of [
        ['status=archived', 'status'],
        ['rating=terrible', 'rating'],
        ['sort=random', 'sort'],
        ['page=0', 'page'],
        ['page=two', 'page'],
      ]) {
        const res = await c.get(`/portfolio?${query}`, { accept: 'application/json' })
        expect(res.statusCode, query).toBe(400)
        expect(res.body, query).toContain(field)
      }
    } finally {
      await t.close()
    }
  }, 120_000)
})
