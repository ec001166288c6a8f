import { PassThrough } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireOrgKind } from '../../access/principal.ts'
import { importActionPlan } from '../../assessment/action-plan.service.ts'
import { getAssessment } from '../../assessment/assessment.service.ts'
import { gapReportBuffer } from '../../assessment/report.service.ts'
import { importQuestionnaireWorkbook, questionnaireWorkbookBuffer } from '../../assessment/workbook.service.ts'
import { readApart } from '../../db/raw.ts'
import { HttpError } from '../../plugins/app/errors.ts'
import { uploadRoutes } from '../../plugins/external/multipart.ts'
import { employerSections, portfolioRows } from '../../portfolio/portfolio-export.ts'
import { getQuestionnaireVersion } from '../../questionnaire/questionnaire.service.ts'
import { writePortfolioCsvZip } from '../../reports/portfolio/csv-zip.ts'
import { writePortfolio } from '../../reports/portfolio/write.ts'
import { UploadRejected } from '../../reports/upload/limits.ts'
import { UploadBusy } from '../../reports/upload/pool.ts'
import { importErrorsPage } from '../../web/view-models/results.ts'
import { idText } from '../ids.ts'

const Id = z.object({ id: idText() })
export const MAX_WORKBOOK_BYTES = 5 * 1024 * 1024

type FilePart = { type?: string; filename?: string; toBuffer?: () => Promise<Buffer> }

/** Reads the one uploaded file of a multipart form. */
export async function uploadedFile(body: unknown, field = 'file'): Promise<Buffer> {
  const part = (body as Record<string, unknown> | undefined)?.[field] as FilePart | undefined
  if (part?.type !== 'file' || !part.toBuffer)
    throw new HttpError(400, 'Choose a file to upload.', [{ field, message: 'no file' }])
  const data = await part.toBuffer()
  if (data.length === 0) throw new HttpError(400, 'The file is empty.', [{ field, message: 'empty' }])
  if (data.length > MAX_WORKBOOK_BYTES)
    throw new HttpError(413, `The file is larger than ${MAX_WORKBOOK_BYTES / 1024 / 1024} MB.`, [
      { field, message: 'too large' },
    ])
  return data
}

/**
 * Runs an upload's import, answering for the file as a whole: 413 or 400 naming the limit it broke, or 503
 * with Retry-After when every worker reading workbooks is busy.
 */
async function importing<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof UploadBusy) {
      reply.header('retry-after', String(err.retryAfterSeconds))
      throw new HttpError(503, err.message, [{ field: 'file', message: 'busy' }])
    }
    if (err instanceof UploadRejected)
      throw new HttpError(err.reason === 'too_large' ? 413 : 400, err.message, [{ field: 'file', message: err.reason }])
    throw err
  }
}

/** Spreadsheet downloads and uploads: one assessment's gap report and offline questionnaire, a brand's portfolio. */
const exportRoutes: FastifyPluginAsyncZod = async (app) => {
  const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

  app.get('/assessments/:id/questionnaire.xlsx', { schema: { params: Id } }, async (req, reply) => {
    const { data, fileName } = await questionnaireWorkbookBuffer(app.db, app.requirePrincipal(req), req.params.id)
    return reply.type(xlsx).header('content-disposition', `attachment; filename="${fileName}"`).send(data)
  })

  /**
   * The portfolio, streamed straight into the response: memory stays flat whatever the number of
   * suppliers. As a workbook, or its lists as CSV files in a zip (no row limit, for other tools).
   */
  const portfolioDownload = (format: 'xlsx' | 'csv-zip') => async (req: FastifyRequest, reply: FastifyReply) => {
    const p = app.requirePrincipal(req)
    requireOrgKind(p, 'brand')
    const sections = employerSections(await getQuestionnaireVersion(app.db, 'employer'))
    const out = new PassThrough()
    const write = format === 'xlsx' ? writePortfolio : writePortfolioCsvZip
    write(
      out,
      readApart(app.db, app.config.databasePath, (db) => portfolioRows(db, p)),
      { brandName: p.organisationName, generatedAt: new Date(), sections },
    ).catch((err) => {
      req.log.error({ err }, 'portfolio export failed')
      out.destroy(err as Error)
    })
    const day = new Date().toISOString().slice(0, 10)
    return reply
      .type(format === 'xlsx' ? xlsx : 'application/zip')
      .header('content-disposition', `attachment; filename="portfolio-${day}.${format === 'xlsx' ? 'xlsx' : 'zip'}"`)
      .send(out)
  }
  app.get('/portfolio.xlsx', portfolioDownload('xlsx'))
  app.get('/portfolio.zip', portfolioDownload('csv-zip'))

  app.get('/assessments/:id/report.xlsx', { schema: { params: Id } }, async (req, reply) => {
    const { data, fileName } = await gapReportBuffer(app.db, app.requirePrincipal(req), req.params.id)
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${fileName}"`)
      .send(data)
  })

  // Workbook uploads are multipart forms.
  await uploadRoutes(app, (uploads) => {
    uploads.post('/assessments/:id/questionnaire.xlsx', { schema: { params: Id } }, async (req, reply) => {
      const p = app.requirePrincipal(req)
      await getAssessment(app.db, p, req.params.id)
      const data = await uploadedFile(req.body)
      const outcome = await importing(reply, () => importQuestionnaireWorkbook(app.db, p, req.params.id, data))
      if (outcome.errors.length > 0) {
        if ((req.headers.accept ?? '').includes('application/json')) {
          return reply.code(400).send({
            statusCode: 400,
            error: 'Bad request',
            message: `${outcome.errors.length} problem(s) in the workbook; nothing was saved.`,
            issues: outcome.errors.map((e) => ({ field: `${e.sheet}!${e.cell}`, message: e.reason })),
          })
        }
        return reply.code(400).render(
          'pages/results/import-errors.eta',
          importErrorsPage({
            title: 'The answers were not imported',
            a: { id: req.params.id },
            errors: outcome.errors,
            back: `/assessments/${req.params.id}`,
          }),
        )
      }
      if ((req.headers.accept ?? '').includes('application/json')) {
        return reply.send({
          saved: outcome.saved,
          ignored: outcome.ignored.map((r) => ({
            field: `Answers!${r.cell}`,
            question: r.question,
            message: r.reason,
          })),
        })
      }
      // The page after the upload says what was saved and which rows were not (question ids are short).
      const ignored = outcome.ignored.map((r) => r.question).join(',')
      return reply.redirect(
        `/assessments/${req.params.id}?imported=${outcome.saved}${ignored ? `&ignored=${encodeURIComponent(ignored)}` : ''}`,
        303,
      )
    })

    uploads.post('/assessments/:id/action-plan.xlsx', { schema: { params: Id } }, async (req, reply) => {
      const p = app.requirePrincipal(req)
      // Scope first: another organisation learns nothing, not even whether its file was acceptable.
      await getAssessment(app.db, p, req.params.id)
      const data = await uploadedFile(req.body)
      const { applied, errors } = await importing(reply, () => importActionPlan(app.db, p, req.params.id, data))
      if (errors.length > 0) {
        const wantsJson = (req.headers.accept ?? '').includes('application/json')
        if (wantsJson)
          return reply.code(400).send({
            statusCode: 400,
            error: 'Bad request',
            message: `${errors.length} problem(s) in the workbook; nothing was changed.`,
            issues: errors.map((e) => ({ field: `${e.sheet}!${e.cell}`, message: e.reason })),
          })
        return reply.code(400).render(
          'pages/results/import-errors.eta',
          importErrorsPage({
            title: 'The action plan was not updated',
            a: { id: req.params.id },
            errors,
          }),
        )
      }
      return reply.redirect(`/assessments/${req.params.id}/results?imported=${applied}#actions`, 303)
    })
  })
}
export default exportRoutes
