import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { getAnswers, saveAnswers } from '../../assessment/answers.service.ts'
import {
  assessmentAudit,
  getAssessment,
  listAssessments,
  requestAssessment,
  startSelfCheck,
} from '../../assessment/assessment.service.ts'
import { scoreAssessment } from '../../assessment/assessment-score.service.ts'
import { reviewerFor } from '../../assessment/sharing.policy.ts'
import { declineRequest, revokeShare, shareAssessment, sharesOf } from '../../assessment/sharing.service.ts'
import { submitAssessment } from '../../assessment/submission.service.ts'
import { RawAnswer } from '../../questionnaire/answers.ts'
import { ScoreResult } from '../../scoring/result.schema.ts'
import { listSnapshots } from '../../scoring/score-snapshot.repository.ts'
import { idNumber, idText } from '../ids.ts'

const Id = z.object({ id: idText() })
const Problem = z.object({
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })),
  details: z.unknown().optional(),
})
const Errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem }
const tags = ['assessments']
const security = [{ bearer: [] }]

const AssessmentSummary = z.object({
  id: z.number(),
  title: z.string(),
  status: z.string(),
  organisationId: z.number(),
  organisation: z.string(),
  questionnaire: z.string(),
  requestedBy: z.string().nullable(),
  dueDate: z.string().nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  declineReason: z.string().nullable().describe("the respondent's reason, when it declined the request"),
})

// Bodies are strict: a misspelt key ("answer", "comment") is refused with its name rather than
// dropped, which would otherwise answer 200 for a save that saved nothing.
const AnswersBody = z.strictObject({
  answers: z.record(z.string().max(64), RawAnswer).default({}),
  comments: z.record(z.string().max(64), z.string().max(5000).nullable()).optional(),
  versions: z
    .record(z.string().max(64), z.number().int().min(0))
    .optional()
    .describe('answer versions the client started from; a mismatch is a 409'),
})

/** The JSON API for integrations (Bearer tokens) and for the pages' scripts (session + CSRF header). */
const assessmentApi: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['access'],
        security,
        response: {
          200: z.object({
            kind: z.string(),
            name: z.string(),
            role: z.string(),
            organisationId: z.number(),
            organisation: z.string(),
            organisationKind: z.string(),
          }),
          401: Problem,
        },
      },
    },
    async (req) => {
      const p = app.requirePrincipal(req)
      return {
        kind: p.kind,
        name: p.name,
        role: p.role,
        organisationId: p.organisationId,
        organisation: p.organisationName,
        organisationKind: p.organisationKind,
      }
    },
  )

  app.get(
    '/api/v1/assessments',
    {
      schema: {
        tags,
        security,
        summary: 'Assessments your organisation answers, requested or was shared',
        response: { 200: z.array(AssessmentSummary), 401: Problem },
      },
    },
    async (req) => {
      const rows = await listAssessments(app.db, app.requirePrincipal(req))
      return rows.map((a) => ({
        id: a.id,
        title: a.title,
        status: a.status,
        organisationId: a.organisation_id,
        organisation: a.organisation_name,
        questionnaire: a.questionnaire_id,
        requestedBy: a.requested_by_name,
        dueDate: a.due_date,
        createdAt: a.created_at,
        submittedAt: a.submitted_at,
        declineReason: a.decline_reason,
      }))
    },
  )

  app.post(
    '/api/v1/assessments',
    {
      schema: {
        tags,
        security,
        summary: 'Start a self-check (supplier or recruiter)',
        body: z.strictObject({ questionnaire: z.string().max(64), title: z.string().max(200).optional() }),
        response: { 201: z.object({ id: z.number() }), ...Errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send({ id: await startSelfCheck(app.db, app.requirePrincipal(req), req.body) }),
  )

  app.post(
    '/api/v1/requests',
    {
      schema: {
        tags,
        security,
        summary: 'Request a questionnaire from a supplier or recruiter on your list (brand)',
        body: z.strictObject({
          organisationId: idNumber(),
          questionnaire: z.string().max(64),
          dueDate: z.string().max(10).nullable().default(null),
        }),
        response: { 201: z.object({ id: z.number() }), ...Errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send({ id: await requestAssessment(app.db, app.requirePrincipal(req), req.body) }),
  )

  app.get(
    '/api/v1/assessments/:id',
    {
      schema: {
        tags,
        security,
        params: Id,
        response: {
          200: AssessmentSummary.extend({ revision: z.number(), questionnaireRevision: z.number() }),
          ...Errors,
        },
      },
    },
    async (req) => {
      const a = await getAssessment(app.db, app.requirePrincipal(req), req.params.id)
      return {
        id: a.id,
        title: a.title,
        status: a.status,
        organisationId: a.organisation_id,
        organisation: a.organisation_name,
        questionnaire: a.questionnaire_id,
        requestedBy: a.requested_by_name,
        dueDate: a.due_date,
        createdAt: a.created_at,
        submittedAt: a.submitted_at,
        declineReason: a.decline_reason,
        revision: a.revision,
        questionnaireRevision: a.questionnaire_revision,
      }
    },
  )

  app.get(
    '/api/v1/assessments/:id/answers',
    {
      schema: {
        tags,
        security,
        params: Id,
        response: {
          200: z.record(
            z.string(),
            z.object({
              value: z.unknown(),
              comment: z.string().nullable(),
              version: z.number(),
              updatedAt: z.string(),
            }),
          ),
          ...Errors,
        },
      },
    },
    async (req) => Object.fromEntries(await getAnswers(app.db, app.requirePrincipal(req), req.params.id)),
  )

  app.put(
    '/api/v1/assessments/:id/answers',
    {
      schema: {
        tags,
        security,
        summary: 'Save answers (all or nothing; stale versions are refused with both values)',
        params: Id,
        body: AnswersBody,
        response: {
          200: z.object({ saved: z.number(), revision: z.number(), versions: z.record(z.string(), z.number()) }),
          ...Errors,
        },
      },
    },
    async (req) => saveAnswers(app.db, app.requirePrincipal(req), req.params.id, req.body),
  )

  app.post(
    '/api/v1/assessments/:id/submit',
    {
      schema: {
        tags,
        security,
        summary: 'Submit: locks the answers and stores the score',
        params: Id,
        response: { 200: z.object({ status: z.string(), rating: z.string(), snapshotId: z.number() }), ...Errors },
      },
    },
    async (req) => submitAssessment(app.db, app.requirePrincipal(req), req.params.id),
  )

  app.get(
    '/api/v1/assessments/:id/score',
    {
      schema: {
        tags,
        security,
        summary: 'The score of the current answers',
        params: Id,
        response: { 200: ScoreResult, ...Errors },
      },
    },
    async (req) => {
      return (await scoreAssessment(app.db, app.requirePrincipal(req), req.params.id)).result
    },
  )

  app.get(
    '/api/v1/assessments/:id/snapshots',
    {
      schema: {
        tags,
        security,
        params: Id,
        response: {
          200: z.array(
            z.object({
              id: z.number(),
              reason: z.string(),
              rating: z.string(),
              controlScore: z.number().nullable(),
              inherentScore: z.number(),
              redFlags: z.number(),
              createdAt: z.string(),
              rubric: z.string(),
            }),
          ),
          ...Errors,
        },
      },
    },
    async (req) => {
      const p = app.requirePrincipal(req)
      const a = await getAssessment(app.db, p, req.params.id)
      return (await listSnapshots(app.db, a.id, reviewerFor(a, p))).map((s) => ({
        id: s.id,
        reason: s.reason,
        rating: s.rating,
        controlScore: s.control_score,
        inherentScore: s.inherent_score,
        redFlags: s.red_flags,
        createdAt: s.created_at,
        rubric: `${s.rubric_id}@${s.rubric_revision}`,
      }))
    },
  )

  const ShareParams = z.object({ id: idText(), orgId: idText() })

  app.get(
    '/api/v1/assessments/:id/shares',
    {
      schema: {
        tags,
        security,
        params: Id,
        response: {
          200: z.array(
            z.object({
              organisationId: z.number(),
              name: z.string(),
              kind: z.string(),
              grantedAt: z.string(),
              revokedAt: z.string().nullable(),
            }),
          ),
          ...Errors,
        },
      },
    },
    async (req) => {
      return (await sharesOf(app.db, app.requirePrincipal(req), req.params.id)).map((s) => ({
        organisationId: s.organisation_id,
        name: s.name,
        kind: s.kind,
        grantedAt: s.granted_at,
        revokedAt: s.revoked_at,
      }))
    },
  )

  app.put(
    '/api/v1/assessments/:id/shares/:orgId',
    {
      schema: {
        tags,
        security,
        summary: 'Share a submitted assessment with a brand',
        params: ShareParams,
        response: { 204: z.null(), ...Errors },
      },
    },
    async (req, reply) => {
      await shareAssessment(app.db, app.requirePrincipal(req), req.params.id, req.params.orgId)
      return reply.code(204).send(null)
    },
  )

  app.delete(
    '/api/v1/assessments/:id/shares/:orgId',
    {
      schema: {
        tags,
        security,
        summary: 'Stop sharing with a brand',
        params: ShareParams,
        response: { 204: z.null(), ...Errors },
      },
    },
    async (req, reply) => {
      await revokeShare(app.db, app.requirePrincipal(req), req.params.id, req.params.orgId)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/api/v1/assessments/:id/decline',
    {
      schema: {
        tags,
        security,
        summary: 'Decline a request you will not answer (respondent), with the reason the brand reads',
        params: Id,
        body: z.strictObject({ reason: z.string().min(1).max(2000) }),
        response: { 204: z.null(), ...Errors },
      },
    },
    async (req, reply) => {
      await declineRequest(app.db, app.requirePrincipal(req), req.params.id, req.body.reason)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/api/v1/assessments/:id/audit',
    {
      schema: { tags, security, params: Id, response: { 200: z.array(z.record(z.string(), z.unknown())), ...Errors } },
    },
    async (req) => {
      return assessmentAudit(app.db, app.requirePrincipal(req), req.params.id)
    },
  )
}
export default assessmentApi
