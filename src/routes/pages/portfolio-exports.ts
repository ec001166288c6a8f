import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { can, requireOrgKind } from '../../access/principal.ts'
import { wantsJson } from '../../plugins/app/errors.ts'
import { exportFile, exportStatus, recentExports, requestExport } from '../../portfolio/portfolio-export.service.ts'
import { portfolioExportsPage } from '../../web/view-models/portfolio.ts'

const Id = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) })

/**
 * Portfolio spreadsheets made in the background (portfolio-export.service.ts): ask for one, follow its progress
 * (a page, or JSON with Accept: application/json), download it while it is kept. GET /portfolio.xlsx still
 * streams the same workbook in the request, for portfolios small enough.
 */
const portfolioExportRoutes: FastifyPluginAsyncZod = async (app) => {
  const retentionHours = app.config.exportRetentionHours

  app.post('/portfolio/exports', async (req, reply) => {
    const p = app.requirePrincipal(req)
    const { export: e, created } = await requestExport(app.db, p)
    app.jobs.wake()
    if (wantsJson(req))
      return reply
        .code(created ? 202 : 200)
        .header('location', e.links.self)
        .send({ ...e, created })
    return reply.redirect(e.links.self, 303)
  })

  app.get('/portfolio/exports', async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireOrgKind(p, 'brand')
    const exports = await recentExports(app.db, p)
    if (wantsJson(req)) return reply.send({ exports })
    return reply.render(
      'pages/portfolio/exports.eta',
      portfolioExportsPage({
        title: 'Exports',
        exports,
        current: null,
        canRequest: can(p, 'admin', 'analyst'),
        retentionHours,
      }),
    )
  })

  app.get('/portfolio/exports/:id', { schema: { params: Id } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    const e = await exportStatus(app.db, p, req.params.id)
    if (wantsJson(req)) return reply.send(e)
    return reply.render(
      'pages/portfolio/exports.eta',
      portfolioExportsPage({
        title: 'Export',
        exports: [],
        current: e,
        canRequest: can(p, 'admin', 'analyst'),
        retentionHours,
      }),
    )
  })

  app.get('/portfolio/exports/:id/download', { schema: { params: Id } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    const file = await exportFile(app.db, p, req.params.id, app.config.exportsDir)
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-length', String(file.bytes))
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'private, no-store')
      .send(file.stream)
  })
}
export default portfolioExportRoutes
