import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HttpError } from '../../plugins/app/errors.ts'
import {
  getQuestionnaireVersion,
  listQuestionnaires,
  listQuestionnaireVersions,
  VersionNotFound,
} from '../../questionnaire/questionnaire.service.ts'

const Summary = z.object({
  id: z.string(),
  title: z.unknown(),
  respondent: z.string(),
  version: z.string(),
  revision: z.number().int(),
  contentHash: z.string(),
  sections: z.number().int(),
  questions: z.number().int(),
})

const Full = z.object({
  id: z.string(),
  version: z.string(),
  revision: z.number().int(),
  contentHash: z.string(),
  createdAt: z.string(),
  versions: z.array(
    z.object({ revision: z.number().int(), version: z.string(), contentHash: z.string(), createdAt: z.string() }),
  ),
  definition: z.record(z.string(), z.unknown()),
})

const ErrorBody = z.object({
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  issues: z.array(z.unknown()),
})

const questionnaireApi: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/questionnaires',
    {
      schema: {
        tags: ['questionnaires'],
        summary: 'The current version of every questionnaire',
        response: { 200: z.array(Summary) },
      },
    },
    async () => {
      const all = await listQuestionnaires(app.db)
      return all.map((v) => ({
        id: v.id,
        title: v.def.title,
        respondent: v.def.respondent,
        version: v.version,
        revision: v.revision,
        contentHash: v.contentHash,
        sections: v.def.sections.length,
        questions: v.def.sections.reduce((n, s) => n + s.questions.length, 0),
      }))
    },
  )

  app.get(
    '/api/v1/questionnaires/:id',
    {
      schema: {
        tags: ['questionnaires'],
        summary: 'A questionnaire definition with its scoring data',
        description:
          'The current version, or `?version=` with a revision number or a content-hash prefix (8+ characters).',
        params: z.object({ id: z.string().max(64) }),
        querystring: z.object({ version: z.string().max(64).optional() }),
        response: { 200: Full, 404: ErrorBody },
      },
    },
    async (req) => {
      try {
        const v = await getQuestionnaireVersion(app.db, req.params.id, req.query.version)
        const versions = await listQuestionnaireVersions(app.db, v.id)
        return {
          id: v.id,
          version: v.version,
          revision: v.revision,
          contentHash: v.contentHash,
          createdAt: v.createdAt,
          versions: versions.map((x) => ({
            revision: x.revision,
            version: x.declared_version,
            contentHash: x.content_hash,
            createdAt: x.created_at,
          })),
          definition: v.def as unknown as Record<string, unknown>,
        }
      } catch (err) {
        if (err instanceof VersionNotFound) throw new HttpError(404, err.message)
        throw err
      }
    },
  )
}
export default questionnaireApi
