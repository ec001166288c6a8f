import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Principal } from '../../access/principal.ts'
import { listActions, updateAction } from '../../assessment/action-plan.service.ts'
import { getAnswers } from '../../assessment/answers.service.ts'
import * as repo from '../../assessment/assessment.repository.ts'
import { asSeenBy, getAssessment } from '../../assessment/assessment.service.ts'
import { ACTION_STATUSES } from '../../assessment/assessment.table.ts'
import { AssessmentError } from '../../assessment/errors.ts'
import { listEvidence } from '../../assessment/evidence.service.ts'
import * as lifecycle from '../../assessment/lifecycle.ts'
import {
  decide,
  decideRuleFlag,
  decisionsOf,
  finishReview,
  raiseSuspectedFlag,
  suspectedFlags,
  VERIFICATION_METHODS,
} from '../../assessment/review.service.ts'
import * as policy from '../../assessment/sharing.policy.ts'
import { compiledVersion, versionById } from '../../questionnaire/questionnaire.service.ts'
import { t } from '../../questionnaire/text.ts'
import { INDICATORS } from '../../questionnaire/vocabulary.ts'
import type { ScoreResult } from '../../scoring/result.schema.ts'
import { latestSnapshot } from '../../scoring/score-snapshot.repository.ts'
import { messages } from '../../web/messages.ts'
import { resultsPage, reviewPage, reviewQueuePage } from '../../web/view-models/results.ts'
import { idText } from '../ids.ts'

const Id = z.object({ id: idText() })
const Csrf = { _csrf: z.string().optional() }

/** Results with the corrective action plan, and the reviewer's pages. */
const resultPages: FastifyPluginAsyncZod = async (app) => {
  const msg = messages('en')

  /** The latest score the caller sees: self-assessed, or its own review's (sharing.policy). */
  async function latest(
    a: policy.AssessmentFacts & { id: number },
    p: Principal,
  ): Promise<{ result: ScoreResult; created_at: string; reason: string } | undefined> {
    const row = await latestSnapshot(app.db, a.id, policy.reviewerFor(a, p))
    return row
      ? { result: JSON.parse(row.result) as ScoreResult, created_at: row.created_at, reason: row.reason }
      : undefined
  }

  app.get('/assessments/:id/results', { schema: { params: Id } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    const a = await getAssessment(app.db, p, req.params.id)
    const snap = await latest(a, p)
    if (!snap) throw new AssessmentError('This assessment has no score yet: it is scored when submitted.', 404)
    const actions = await listActions(app.db, p, a.id)
    const today = new Date().toISOString().slice(0, 10)
    return reply.render(
      'pages/results/show.eta',
      resultsPage({
        title: `${msg('results.title')}: ${a.title}`,
        a,
        r: snap.result,
        snap,
        actions: actions.map((x) => ({
          ...x,
          overdue: !!x.due_date && x.due_date < today && x.status !== 'done' && x.status !== 'verified',
        })),
        statuses: ACTION_STATUSES,
        owner: a.organisation_id === p.organisationId,
        followUp: policy.mayFollowUpActions(a, p),
        indicators: INDICATORS,
      }),
    )
  })

  app.post(
    '/assessments/:id/actions/:actionId',
    {
      schema: {
        params: z.object({ id: idText(), actionId: idText() }),
        body: z.object({
          owner: z.string().max(200).optional(),
          dueDate: z.string().max(10).optional(),
          status: z.enum(ACTION_STATUSES).optional(),
          notes: z.string().max(4000).optional(),
          closingEvidence: z.string().max(4000).optional(),
          version: z.coerce.number().int().optional(),
          ...Csrf,
        }),
      },
    },
    async (req, reply) => {
      const p = app.requirePrincipal(req)
      const a = await getAssessment(app.db, p, req.params.id)
      const owner = a.organisation_id === p.organisationId
      const b = req.body
      await updateAction(
        app.db,
        p,
        req.params.id,
        req.params.actionId,
        owner
          ? {
              owner: b.owner,
              dueDate: b.dueDate,
              status: b.status,
              notes: b.notes,
              closingEvidence: b.closingEvidence,
              version: b.version,
            }
          : { status: b.status === 'verified' ? 'verified' : undefined, notes: b.notes, version: b.version },
      )
      return reply.redirect(`/assessments/${req.params.id}/results#action-${req.params.actionId}`, 303)
    },
  )

  app.get('/reviews', async (req, reply) => {
    const p = app.requirePrincipal(req)
    const rows = await repo.listGrantedIn(app.db, p, lifecycle.QUEUED_STATUSES)
    return reply.render(
      'pages/review/queue.eta',
      reviewQueuePage({ title: 'Review queue', rows: rows.map((a) => asSeenBy(a, p)) }),
    )
  })

  app.get('/assessments/:id/review', { schema: { params: Id } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    const a = await getAssessment(app.db, p, req.params.id)
    const cq = compiledVersion(await versionById(app.db, a.questionnaire_version_id))
    const answers = await getAnswers(app.db, p, a.id)
    const decisions = await decisionsOf(app.db, p, a)
    const snap = await latest(a, p)
    const scored = new Map(
      (snap?.result.control.sections ?? []).flatMap((s) => s.questions.map((q) => [q.question, q] as const)),
    )
    const rows = cq.entries
      .filter((e) => answers.has(e.question.id) && scored.get(e.question.id)?.status !== 'not_applicable')
      .map((e) => {
        const ans = answers.get(e.question.id)
        const qs = scored.get(e.question.id)
        return {
          id: e.question.id,
          section: e.section.id,
          text: t(e.question.text),
          answer: qs?.answerLabel ?? String(ans?.value ?? ''),
          comment: ans?.comment ?? '',
          credit: qs?.credit ?? null,
          unverified: qs?.unverified ?? false,
          severity: e.question.severity ?? null,
          decision: decisions.get(e.question.id) ?? null,
        }
      })
    const flags = await suspectedFlags(app.db, p, a)
    // A reviewer opens the evidence before marking an answer verified by a document check.
    const evidence = new Map<string, { id: number; name: string }[]>()
    for (const f of await listEvidence(app.db, p, a.id)) {
      evidence.set(f.question_id, [...(evidence.get(f.question_id) ?? []), { id: f.id, name: f.file_name }])
    }
    return reply.render(
      'pages/review/show.eta',
      reviewPage({
        title: `Review: ${a.title}`,
        a,
        rows: rows.map((r) => ({ ...r, evidence: evidence.get(r.id) ?? [] })),
        methods: VERIFICATION_METHODS,
        flags,
        ruleFlags: (snap?.result.suspectedFlags ?? []).filter((f) => f.rule),
        indicators: INDICATORS,
        canReview:
          policy.mayReview(a, p) && (p.role === 'admin' || p.role === 'analyst') && lifecycle.reviewOpen(a.status),
        ownReviewOnly: !policy.reviewMovesStatus(a, p),
        rating: snap?.result.rating ?? null,
      }),
    )
  })

  app.post(
    '/assessments/:id/review/decisions',
    {
      schema: {
        params: Id,
        body: z.object({
          question: z.string().max(64),
          decision: z.enum(['accepted', 'verified', 'returned']),
          method: z.string().max(32).optional(),
          comment: z.string().max(2000).optional(),
          ...Csrf,
        }),
      },
    },
    async (req, reply) => {
      await decide(app.db, app.requirePrincipal(req), req.params.id, {
        question: req.body.question,
        decision: req.body.decision,
        method: req.body.method || null,
        comment: req.body.comment || null,
      })
      return reply.redirect(`/assessments/${req.params.id}/review#r-${encodeURIComponent(req.body.question)}`, 303)
    },
  )

  app.post(
    '/assessments/:id/review/flags',
    {
      schema: {
        params: Id,
        body: z.object({
          question: z.string().max(64).optional(),
          indicator: z.string().max(64).optional(),
          reason: z.string().max(2000),
          ...Csrf,
        }),
      },
    },
    async (req, reply) => {
      await raiseSuspectedFlag(app.db, app.requirePrincipal(req), req.params.id, {
        question: req.body.question || null,
        indicator: req.body.indicator || null,
        reason: req.body.reason,
      })
      return reply.redirect(`/assessments/${req.params.id}/review`, 303)
    },
  )

  app.post(
    '/assessments/:id/review/rule-flags',
    {
      schema: {
        params: Id,
        body: z.object({
          rule: z.string().max(64),
          decision: z.string().max(16),
          comment: z.string().max(2000),
          ...Csrf,
        }),
      },
    },
    async (req, reply) => {
      await decideRuleFlag(app.db, app.requirePrincipal(req), req.params.id, req.body)
      return reply.redirect(`/assessments/${req.params.id}/review#rule-${encodeURIComponent(req.body.rule)}`, 303)
    },
  )

  app.post('/assessments/:id/review/finish', { schema: { params: Id, body: z.object(Csrf) } }, async (req, reply) => {
    await finishReview(app.db, app.requirePrincipal(req), req.params.id)
    return reply.redirect(`/assessments/${req.params.id}/results`, 303)
  })
}
export default resultPages
