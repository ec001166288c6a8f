import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireOrgKind } from '../../access/principal.ts'
import { AssessmentError } from '../../assessment/errors.ts'
import { ASSESSMENT_STATUSES } from '../../assessment/lifecycle.ts'
import { portfolioPage } from '../../portfolio/portfolio.service.ts'
import { repoVisibleSupplier } from '../../portfolio/supplier.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import { RATINGS } from '../../scoring/rubric.schema.ts'
import { pageLinks, portfolioPage as portfolioPageModel, supplierPage } from '../../web/view-models/portfolio.ts'
import { idText } from '../ids.ts'

const STATUS_FILTERS = [...ASSESSMENT_STATUSES, 'none'] as const

const Filters = z.object({
  country: z.string().max(2).optional(),
  sector: z.string().max(40).optional(),
  rating: z.enum(RATINGS).or(z.literal('')).optional(),
  // 'none': suppliers with no assessment the brand may see.
  status: z.enum(STATUS_FILTERS).or(z.literal('')).optional(),
  sort: z.enum(['name', 'rating', 'control', 'inherent', 'redflags', 'overdue']).default('rating'),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
})

/** The brand's portfolio with filters and a supplier × section heat map, and one supplier's page. */
const portfolioPages: FastifyPluginAsyncZod = async (app) => {
  app.get('/portfolio', { schema: { querystring: Filters } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireOrgKind(p, 'brand')
    const { page, sort, ...filter } = req.query
    const data = await portfolioPage(app.db, p, { filter, sort, page })
    const filters = { ...filter, sort }
    return reply.render(
      'pages/portfolio/index.eta',
      portfolioPageModel({
        title: 'Portfolio',
        rows: data.rows,
        total: data.total,
        matching: data.matching,
        from: data.rows.length ? (data.page - 1) * data.pageSize + 1 : 0,
        to: (data.page - 1) * data.pageSize + data.rows.length,
        pagination: pageLinks(filters, data.page, data.pages),
        filters,
        countries: data.countries.map((c) => ({ id: c, name: COUNTRIES[c] ?? c })),
        sectors: data.sectors,
        ratings: RATINGS,
        statuses: ASSESSMENT_STATUSES,
        sections: data.sections,
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
