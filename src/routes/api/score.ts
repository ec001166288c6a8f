import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
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

/**
 * Scoring is open to anyone and costs the server real work per call, so callers are limited: per address
 * when anonymous, per organisation when calling with its API token or session (integrations scoring a
 * portfolio need more). The body limit is generous for a full answer set: the shipped questionnaire with
 * the most text questions, every one at its 10,000-character maximum in a non-Latin script written as
 * \u escapes, is under 400 KB; a typical full set is under 10 KB.
 */
export const SCORE_LIMITS = { anonymousPerMinute: 60, organisationPerMinute: 600, bodyBytes: 512 * 1024 }

const scoreCaller = (req: FastifyRequest) =>
  req.principal ? `org:${req.principal.organisationId}` : `ip:${normalizeIP(req.ip)}`

const SCORE_RATE_LIMIT = {
  timeWindow: '1 minute',
  keyGenerator: scoreCaller,
  max: (_req: FastifyRequest, key: string) =>
    key.startsWith('org:') ? SCORE_LIMITS.organisationPerMinute : SCORE_LIMITS.anonymousPerMinute,
  errorResponseBuilder: (req: FastifyRequest, ctx: { max: number; after: string }) =>
    new HttpError(
      429,
      `Too many scoring requests: at most ${ctx.max} a minute ${req.principal ? 'per organisation' : 'from one address'}. Try again in ${ctx.after}.`,
    ),
}

/** Refuses a body declared too large before reading it, with the limit in words (Fastify's own check stays for bodies sent without a length). */
async function refuseLargeBody(req: FastifyRequest) {
  const length = Number(req.headers['content-length'] ?? 0)
  if (length > SCORE_LIMITS.bodyBytes)
    throw new HttpError(
      413,
      `The body is ${Math.ceil(length / 1024)} KB; this address reads at most ${SCORE_LIMITS.bodyBytes / 1024} KB (one set of answers).`,
    )
}

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
      config: { rateLimit: SCORE_RATE_LIMIT },
      bodyLimit: SCORE_LIMITS.bodyBytes,
      onRequest: refuseLargeBody,
      schema: {
        tags: ['scoring'],
        summary: 'Score a set of answers (nothing is stored)',
        body: ScoreBody,
        response: { 200: ScoreResult, 400: Problem, 404: Problem, 413: Problem, 429: Problem },
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
