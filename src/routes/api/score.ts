import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HttpError } from '../../plugins/app/errors.ts'
import { RawAnswer, VERIFICATION_METHODS } from '../../questionnaire/answers.ts'
import { VersionNotFound } from '../../questionnaire/questionnaire.service.ts'
import { ScoreResult } from '../../scoring/result.schema.ts'
import { getRubricVersion, listRubrics, RubricNotFound } from '../../scoring/rubric.service.ts'
import { AnswersInvalid, scoreRequest } from '../../scoring/score.service.ts'

// Strict, like every API body: an unknown key ("evidance") is refused by name, not silently ignored.
export const ScoreBody = z.strictObject({
  questionnaire: z.string().min(1).max(64).describe('questionnaire id, e.g. employer'),
  version: z
    .string()
    .max(64)
    .optional()
    .describe('revision number or content-hash prefix; the current version when left out'),
  rubric: z.string().max(80).optional().describe('rubric id or id@revision; the current default rubric when left out'),
  answers: z
    .record(z.string().max(64), RawAnswer)
    .describe('question id → choice id, list of choice ids, number, text or ISO date'),
  evidence: z.array(z.string().max(64)).max(1000).optional().describe('questions with evidence attached'),
  verified: z
    .record(z.string().max(64), z.enum(VERIFICATION_METHODS))
    .optional()
    .describe('questions verified by a reviewer, with the method'),
})

const Problem = z.object({
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })),
})

const scoreApi: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/score',
    {
      schema: {
        tags: ['scoring'],
        summary: 'Score a set of answers (nothing is stored)',
        body: ScoreBody,
        response: { 200: ScoreResult, 400: Problem, 404: Problem },
      },
    },
    async (req) => {
      try {
        return (await scoreRequest(app.db, req.body)).result
      } catch (err) {
        if (err instanceof AnswersInvalid) throw new HttpError(400, err.message, err.problems)
        if (err instanceof VersionNotFound || err instanceof RubricNotFound) throw new HttpError(404, err.message)
        throw err
      }
    },
  )

  app.get(
    '/api/v1/rubrics',
    {
      schema: {
        tags: ['scoring'],
        summary: 'Every stored rubric version',
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              revision: z.number(),
              version: z.string(),
              title: z.string(),
              hash: z.string(),
              origin: z.string(),
              createdAt: z.string(),
              current: z.boolean(),
            }),
          ),
        },
      },
    },
    async () =>
      (await listRubrics(app.db)).map((r) => ({
        id: r.rubric_id,
        revision: r.revision,
        version: r.declared_version,
        title: r.title,
        hash: r.content_hash,
        origin: r.origin,
        createdAt: r.created_at,
        current: r.current_of !== null,
      })),
  )

  app.get(
    '/api/v1/rubrics/:spec',
    {
      schema: {
        tags: ['scoring'],
        summary: 'A rubric version in full (id for the current one, or id@revision)',
        params: z.object({ spec: z.string().max(80) }),
        response: {
          200: z.object({
            id: z.string(),
            revision: z.number(),
            version: z.string(),
            hash: z.string(),
            origin: z.string(),
            createdAt: z.string(),
            rubric: z.record(z.string(), z.unknown()),
          }),
          404: Problem,
        },
      },
    },
    async (req) => {
      try {
        const v = await getRubricVersion(app.db, req.params.spec)
        return {
          id: v.id,
          revision: v.revision,
          version: v.version,
          hash: v.hash,
          origin: v.origin,
          createdAt: v.createdAt,
          rubric: v.rubric as unknown as Record<string, unknown>,
        }
      } catch (err) {
        if (err instanceof RubricNotFound) throw new HttpError(404, err.message)
        throw err
      }
    },
  )
}
export default scoreApi
