import { PassThrough } from 'node:stream'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  changedRows,
  changesFileName,
  changesInputFor,
  requestRescore,
  rescoreOverview,
  rescoreStatus,
} from '../../assessment/rescore-report.service.ts'
import { readApart } from '../../db/raw.ts'
import { wantsJson } from '../../plugins/app/errors.ts'
import { writeRescoreChanges } from '../../reports/rescore-changes/build.ts'
import { rescorePage } from '../../web/view-models/operator.ts'

const Id = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) })
const RescoreForm = z.object({ rubric: z.string().trim().min(1, 'Choose a rubric.').max(100) })
const Already = z.object({ already: z.literal('1').optional() })

/**
 * Pages for platform operators (access/operator.service.ts): re-scoring every tenant's stored scores under the
 * current rubric, its progress (refresh the page; no script needed) and the "what changed" workbook. Every route
 * answers 403 to anyone else, whatever their role in their own organisation: the workbook names every tenant.
 */
const operatorPages: FastifyPluginAsyncZod = async (app) => {
  app.get('/operator/rescore', async (req, reply) => {
    const p = app.requirePrincipal(req)
    const { rubrics, jobs } = await rescoreOverview(app.db, p)
    if (wantsJson(req)) return reply.send({ rubrics, jobs })
    return reply.render(
      'pages/operator/rescore.eta',
      rescorePage({ title: 'Re-scoring', rubrics, jobs, current: null, created: null }),
    )
  })

  app.post('/operator/rescore', { schema: { body: RescoreForm } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    const { job, created } = await requestRescore(app.db, p, req.body.rubric)
    app.jobs.wake()
    if (wantsJson(req))
      return reply
        .code(created ? 202 : 200)
        .header('location', job.links.self)
        .send({ ...job, created })
    return reply.redirect(created ? job.links.self : `${job.links.self}?already=1`, 303)
  })

  app.get('/operator/rescore/:id', { schema: { params: Id, querystring: Already } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    const job = await rescoreStatus(app.db, p, req.params.id)
    if (wantsJson(req)) return reply.send(job)
    return reply.render(
      'pages/operator/rescore.eta',
      rescorePage({
        title: 'Re-score',
        rubrics: [],
        jobs: [],
        current: job,
        created: req.query.already === '1' ? false : null,
      }),
    )
  })

  /** The workbook, built from what the job recorded and streamed into the response: memory stays flat. */
  app.get('/operator/rescore/:id/changes.xlsx', { schema: { params: Id } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    const input = await changesInputFor(app.db, p, req.params.id)
    const out = new PassThrough()
    writeRescoreChanges(out, {
      ...input,
      rows: readApart(app.db, app.config.databasePath, (db) => changedRows(db, input.job.id)),
      generatedAt: new Date(),
    }).catch((err) => {
      req.log.error({ err }, 'the re-score changes workbook failed')
      out.destroy(err as Error)
    })
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${changesFileName(input)}"`)
      .header('cache-control', 'private, no-store')
      .send(out)
  })
}
export default operatorPages
