import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireOrgKind } from '../../access/principal.ts'
import { AssessmentError } from '../../assessment/errors.ts'
import { ASSESSMENT_STATUSES } from '../../assessment/lifecycle.ts'
import { readApart } from '../../db/raw.ts'
import { type PortfolioPageEntry, portfolioSummaryStream } from '../../portfolio/portfolio.service.ts'
import { repoVisibleSupplier } from '../../portfolio/supplier.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import { RATINGS } from '../../scoring/rubric.schema.ts'
import { portfolioPage, supplierPage } from '../../web/view-models/portfolio.ts'
import { idText } from '../ids.ts'

const Filters = z.object({
  country: z.string().max(2).optional(),
  sector: z.string().max(40).optional(),
  rating: z.enum(RATINGS).or(z.literal('')).optional(),
  status: z.string().max(20).optional(),
  sort: z.enum(['name', 'rating', 'control', 'inherent', 'redflags', 'overdue']).default('rating'),
})

const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 }

/** The brand's portfolio with filters and a supplier × section heat map, and one supplier's page. */
const portfolioPages: FastifyPluginAsyncZod = async (app) => {
  app.get('/portfolio', { schema: { querystring: Filters } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireOrgKind(p, 'brand')
    const f = req.query
    const all: PortfolioPageEntry[] = []
    for await (const e of readApart(app.db, app.config.databasePath, (db) => portfolioSummaryStream(db, p))) all.push(e)
    const rows = all.filter(
      (e) =>
        (!f.country || e.supplier.country === f.country) &&
        (!f.sector || e.supplier.sector === f.sector) &&
        (!f.rating || e.result?.rating === f.rating) &&
        (!f.status || (e.assessment?.status ?? 'none') === f.status),
    )
    const key: Record<string, (e: PortfolioPageEntry) => number | string> = {
      name: (e) => e.supplier.name.toLowerCase(),
      rating: (e) => (e.result ? (RANK[e.result.rating] ?? 9) : 9),
      control: (e) => e.result?.control.overall ?? 999,
      inherent: (e) => -(e.result?.inherent.score ?? -1),
      redflags: (e) => -(e.result?.activeRedFlags ?? 0),
      overdue: (e) => -e.overdueActions,
    }
    const k = key[f.sort] ?? key.rating
    rows.sort((a, b) => {
      const x = (k as (e: PortfolioPageEntry) => number | string)(a)
      const y = (k as (e: PortfolioPageEntry) => number | string)(b)
      return x < y ? -1 : x > y ? 1 : a.supplier.name.localeCompare(b.supplier.name)
    })
    // Heat map columns: the sections of the employer questionnaire, as scored.
    const sectionIds: { id: string; title: string }[] = []
    for (const e of rows) {
      for (const s of e.result?.control.sections ?? [])
        if (!sectionIds.some((x) => x.id === s.id)) sectionIds.push({ id: s.id, title: s.title })
    }
    return reply.render(
      'pages/portfolio/index.eta',
      portfolioPage({
        title: 'Portfolio',
        rows,
        total: all.length,
        filters: f,
        countries: [...new Set(all.map((e) => e.supplier.country).filter((c): c is string => !!c))]
          .sort()
          .map((c) => ({ id: c, name: COUNTRIES[c] ?? c })),
        sectors: [...new Set(all.map((e) => e.supplier.sector).filter((s): s is string => !!s))].sort(),
        ratings: RATINGS,
        statuses: ASSESSMENT_STATUSES,
        sections: sectionIds,
      }),
    )
  })

  app.get('/suppliers/:id/overview', { schema: { params: z.object({ id: idText() }) } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireOrgKind(p, 'brand')
    const supplier = await repoVisibleSupplier(app.db, p, req.params.id)
    if (!supplier) throw new AssessmentError('Supplier not found.', 404)
    return reply.render('pages/portfolio/supplier.eta', supplierPage({ title: supplier.org.name, ...supplier }))
  })
}
export default portfolioPages
