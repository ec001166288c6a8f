import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireOrgKind, requireRole } from '../../access/principal.ts'
import { progressOf } from '../../assessment/answers.service.ts'
import * as repo from '../../assessment/assessment.repository.ts'
import {
  assessmentAudit,
  getAssessment,
  listAssessments,
  requestAssessment,
  startSelfCheck,
} from '../../assessment/assessment.service.ts'
import * as lifecycle from '../../assessment/lifecycle.ts'
import { reopenedQuestions } from '../../assessment/review.service.ts'
import * as policy from '../../assessment/sharing.policy.ts'
import { declineRequest, revokeShare, shareAssessment, sharesOf } from '../../assessment/sharing.service.ts'
import { compiledVersion, listQuestionnaires, versionById } from '../../questionnaire/questionnaire.service.ts'
import { t } from '../../questionnaire/text.ts'
import { listSnapshots } from '../../scoring/score-snapshot.repository.ts'
import { listSuppliers } from '../../supplier-links/supplier-link.service.ts'
import { auditPage } from '../../web/view-models/access.ts'
import { assessmentListPage, assessmentPage, requestPage } from '../../web/view-models/assessments.ts'
import { idText } from '../ids.ts'

const Id = z.object({ id: idText() })
const Csrf = { _csrf: z.string().optional() }
/** Set by the workbook upload's redirect: how many rows it changed and which questions it ignored. */
const Imported = z.object({
  imported: z.coerce.number().int().min(0).optional(),
  ignored: z.string().max(5_000).optional(),
})

/** The inbox of assessments, one assessment's overview, requests, self-checks and sharing. */
const assessmentPages: FastifyPluginAsyncZod = async (app) => {
  app.get('/assessments', async (req, reply) => {
    const p = app.requirePrincipal(req)
    const items = await listAssessments(app.db, p)
    const progress = await progressOf(app.db, items)
    const questionnaires = (await listQuestionnaires(app.db)).filter((q) =>
      p.organisationKind === 'supplier'
        ? q.def.respondent === 'employer'
        : p.organisationKind === 'recruiter'
          ? q.def.respondent === 'recruiter'
          : false,
    )
    return reply.render(
      'pages/assessments/list.eta',
      assessmentListPage({
        title: 'Assessments',
        items: items.map((a) => ({ ...a, progress: progress.get(a.id) ?? null })),
        questionnaires: questionnaires.map((q) => ({ id: q.id, title: t(q.def.title) })),
      }),
    )
  })

  app.post(
    '/assessments',
    {
      schema: { body: z.object({ questionnaire: z.string().max(64), title: z.string().max(200).optional(), ...Csrf }) },
    },
    async (req, reply) => {
      const id = await startSelfCheck(app.db, app.requirePrincipal(req), req.body)
      return reply.redirect(`/assessments/${id}`, 303)
    },
  )

  app.get('/assessments/:id', { schema: { params: Id, querystring: Imported } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    const a = await getAssessment(app.db, p, req.params.id)
    const shares = await sharesOf(app.db, p, a.id)
    const snapshots = await listSnapshots(app.db, a.id, policy.reviewerFor(a, p))
    const owner = a.organisation_id === p.organisationId
    // A returned assessment opens at the first section with an answer sent back.
    let returnedSection: string | null = null
    if (lifecycle.reopensReturnedOnly(a.status)) {
      const open = await reopenedQuestions(app.db, a)
      const cq = compiledVersion(await versionById(app.db, a.questionnaire_version_id))
      returnedSection = cq.entries.find((e) => open.includes(e.question.id))?.section.id ?? null
    }
    const imported = req.query.imported === undefined ? null : await importOutcome(a, req.query)
    const brands = owner ? await repo.listBrands(app.db) : []
    return reply.render(
      'pages/assessments/show.eta',
      assessmentPage({
        title: a.title,
        a,
        // What the status allows, for the template (lifecycle.ts): it never compares statuses itself.
        state: {
          open: lifecycle.openForAnswers(a.status),
          returned: lifecycle.reopensReturnedOnly(a.status),
          reviewOpen: lifecycle.reviewOpen(a.status),
          declined: lifecycle.declined(a.status),
          shareable: lifecycle.shareable(a.status),
        },
        // Answers to questions that are asked, as the section pages count them: an answer kept for a question
        // that the other answers no longer ask does not count.
        progress: (await progressOf(app.db, [a])).get(a.id) ?? { answered: 0, applicable: 0 },
        returnedSection,
        shares,
        snapshots,
        owner,
        brands,
        canDecline: policy.mayDecline(a, p) && (p.role === 'admin' || p.role === 'respondent'),
        imported,
      }),
    )
  })

  /** What a workbook upload reported, with the text of each ignored question (other ids are dropped). */
  async function importOutcome(a: { questionnaire_version_id: number }, query: z.infer<typeof Imported>) {
    const cq = compiledVersion(await versionById(app.db, a.questionnaire_version_id))
    const ids = new Set((query.ignored ?? '').split(','))
    const ignored = cq.entries
      .filter((e) => ids.has(e.question.id))
      .map((e) => ({ id: e.question.id, text: t(e.question.text) }))
    return { saved: query.imported ?? 0, ignored }
  }

  app.post(
    '/assessments/:id/shares',
    { schema: { params: Id, body: z.object({ brandId: idText(), ...Csrf }) } },
    async (req, reply) => {
      await shareAssessment(app.db, app.requirePrincipal(req), req.params.id, req.body.brandId)
      return reply.redirect(`/assessments/${req.params.id}`, 303)
    },
  )

  app.post(
    '/assessments/:id/shares/:orgId/revoke',
    {
      schema: {
        params: z.object({ id: idText(), orgId: idText() }),
        body: z.object(Csrf),
      },
    },
    async (req, reply) => {
      await revokeShare(app.db, app.requirePrincipal(req), req.params.id, req.params.orgId)
      return reply.redirect(`/assessments/${req.params.id}`, 303)
    },
  )

  app.post(
    '/assessments/:id/decline',
    { schema: { params: Id, body: z.object({ reason: z.string().max(2000), ...Csrf }) } },
    async (req, reply) => {
      await declineRequest(app.db, app.requirePrincipal(req), req.params.id, req.body.reason)
      return reply.redirect(`/assessments/${req.params.id}`, 303)
    },
  )

  app.get('/assessments/:id/audit', { schema: { params: Id } }, async (req, reply) => {
    const entries = await assessmentAudit(app.db, app.requirePrincipal(req), req.params.id)
    return reply.render(
      'pages/access/audit.eta',
      auditPage({ title: 'Audit log', entries, assessmentId: req.params.id }),
    )
  })

  app.get('/requests/new', async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireOrgKind(p, 'brand')
    requireRole(p, 'admin', 'analyst')
    const questionnaires = (await listQuestionnaires(app.db)).filter((q) => q.def.respondent !== 'brand')
    return reply.render(
      'pages/assessments/request.eta',
      requestPage({
        title: 'Request an assessment',
        suppliers: await listSuppliers(app.db, p),
        questionnaires: questionnaires.map((q) => ({ id: q.id, title: t(q.def.title), respondent: q.def.respondent })),
        error: null,
      }),
    )
  })

  app.post(
    '/requests',
    {
      schema: {
        body: z.object({
          organisationId: idText(),
          questionnaire: z.string().max(64),
          dueDate: z.string().max(10).optional(),
          ...Csrf,
        }),
      },
    },
    async (req, reply) => {
      const id = await requestAssessment(app.db, app.requirePrincipal(req), {
        organisationId: req.body.organisationId,
        questionnaire: req.body.questionnaire,
        dueDate: req.body.dueDate || null,
      })
      return reply.redirect(`/assessments/${id}`, 303)
    },
  )
}
export default assessmentPages
