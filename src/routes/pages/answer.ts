import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { answerPageData, missingIn, missingRequired, saveAnswers } from '../../assessment/answers.service.ts'
import { AssessmentError } from '../../assessment/errors.ts'
import { addEvidence, deleteEvidence, evidenceFile } from '../../assessment/evidence.service.ts'
import { MAX_EVIDENCE_BYTES, sniffEvidenceType } from '../../assessment/evidence.ts'
import * as lifecycle from '../../assessment/lifecycle.ts'
import * as policy from '../../assessment/sharing.policy.ts'
import { submitAssessment } from '../../assessment/submission.service.ts'
import { uploadRoutes } from '../../plugins/external/multipart.ts'
import type { AnswerValue } from '../../questionnaire/condition.ts'
import { compiledVersion, versionById } from '../../questionnaire/questionnaire.service.ts'
import { t } from '../../questionnaire/text.ts'
import { answerState, buildSection, pageScriptValues, readSectionForm, sectionNav } from '../../web/answer-page.ts'
import { messages } from '../../web/messages.ts'
import { sectionPage, submitPage } from '../../web/view-models/answer.ts'
import { idText } from '../ids.ts'

const Params = z.object({ id: idText(), sid: z.string().max(32) })
const Id = z.object({ id: idText() })

type Part = { type?: string; value?: unknown; filename?: string; toBuffer?: () => Promise<Buffer> }

/** Flattens a urlencoded or multipart body into fields and files. */
async function formOf(
  body: unknown,
): Promise<{ fields: Record<string, string | string[]>; files: { field: string; name: string; data: Buffer }[] }> {
  const fields: Record<string, string | string[]> = {}
  const files: { field: string; name: string; data: Buffer }[] = []
  for (const [key, raw] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    for (const part of Array.isArray(raw) ? raw : [raw]) {
      if (typeof part === 'string') {
        const prev = fields[key]
        fields[key] = prev === undefined ? part : Array.isArray(prev) ? [...prev, part] : [prev, part]
      } else if (part && typeof part === 'object') {
        const p = part as Part
        if (p.type === 'file' && p.filename && p.toBuffer) {
          const data = await p.toBuffer()
          if (data.length > 0) files.push({ field: key, name: p.filename, data })
        } else if (p.type === 'field' && typeof p.value === 'string') {
          const prev = fields[key]
          fields[key] = prev === undefined ? p.value : Array.isArray(prev) ? [...prev, p.value] : [prev, p.value]
        }
      }
    }
  }
  return { fields, files }
}

/** One section per page for the respondent; review and submit; evidence downloads. */
const answerPages: FastifyPluginAsyncZod = async (app) => {
  const msg = messages('en')

  async function context(req: { principal: unknown }, id: number) {
    const p = app.requirePrincipal(req as never)
    const { a, stored, decisions, evidence: files } = await answerPageData(app.db, p, id)
    const cq = compiledVersion(await versionById(app.db, a.questionnaire_version_id))
    const owner = a.organisation_id === p.organisationId && (p.role === 'admin' || p.role === 'respondent')
    // Returned and not yet answered again, as far as the caller may see them (sharing.policy): the respondent
    // reads what each brand returned or asked, named; a brand its own. Only the requesting brand's reopen.
    const open = decisions.filter((d) => d.decision === 'returned' && !d.resolved_at)
    const returned = new Map<string, string>()
    for (const d of open) {
      const text =
        a.organisation_id === p.organisationId && !policy.decisionReopens(a, d)
          ? msg('answer.askedBy', { brand: d.organisation_name, comment: d.comment ?? '' })
          : (d.comment ?? '')
      const prev = returned.get(d.question_id)
      returned.set(d.question_id, prev === undefined ? text : `${prev} · ${text}`)
    }
    const reopened = open.filter((d) => policy.decisionReopens(a, d)).map((d) => d.question_id)
    const editable = owner ? lifecycle.editableQuestions(a.status, reopened) : ('none' as const)
    const evidence = new Map<string, { id: number; name: string }[]>()
    for (const e of files)
      evidence.set(e.question_id, [...(evidence.get(e.question_id) ?? []), { id: e.id, name: e.file_name }])
    return { p, a, cq, stored, editable, returned, evidence, owner }
  }

  async function renderSection(
    // biome-ignore lint/suspicious/noExplicitAny: the reply's generic parameters differ per route
    reply: FastifyReply<any, any, any, any, any, any, any>,
    ctx: Awaited<ReturnType<typeof context>>,
    sid: string,
    extra: {
      typed?: Map<string, AnswerValue | null>
      typedComments?: Map<string, string>
      errors?: Map<string, string>
      conflicts?: Map<string, { theirs: AnswerValue | null }>
      notice?: string | null
      alert?: string | null
    } = {},
    status = 200,
  ) {
    const section = ctx.cq.def.sections.find((s) => s.id === sid)
    if (!section) throw new AssessmentError(`No section "${sid}" in this questionnaire.`, 404)
    // Applicability is worked out once for the navigation and the questions.
    const { values, app } = answerState(ctx.cq, ctx.stored)
    const nav = sectionNav(ctx.cq, values, sid, app)
    const questions = buildSection({
      cq: ctx.cq,
      sectionId: sid,
      stored: ctx.stored,
      applicability: app,
      ...extra,
      editable: ctx.editable,
      returned: ctx.returned,
      evidence: ctx.evidence,
    })
    const index = ctx.cq.def.sections.findIndex((s) => s.id === sid)
    const next = ctx.cq.def.sections.slice(index + 1).find((s) => nav.sections.find((n) => n.id === s.id)?.applies)
    const sectionApplies = nav.sections.find((n) => n.id === sid)?.applies ?? true
    return reply.code(status).render(
      'pages/answer/section.eta',
      sectionPage({
        title: `${section.id} ${t(section.title)}`,
        a: ctx.a,
        section: {
          id: section.id,
          title: t(section.title),
          description: t(section.description),
          applies: sectionApplies,
          profile: section.profile,
        },
        nav,
        questions,
        next: next?.id ?? null,
        savedValues: pageScriptValues(ctx.cq, sid, values, app),
        maxEvidence: MAX_EVIDENCE_BYTES,
        anyEditable: questions.some((q) => q.editable),
        notice: extra.notice ?? null,
        alert:
          extra.alert ??
          (lifecycle.reopensReturnedOnly(ctx.a.status) && ctx.owner
            ? msg('answer.returnedOnly')
            : ctx.editable === 'none' && ctx.owner
              ? msg('answer.locked', { status: ctx.a.status })
              : null),
      }),
    )
  }

  app.get('/assessments/:id/answer', { schema: { params: Id } }, async (req, reply) => {
    const ctx = await context(req, req.params.id)
    return reply.redirect(`/assessments/${req.params.id}/sections/${ctx.cq.def.sections[0]?.id ?? ''}`)
  })

  app.get(
    '/assessments/:id/sections/:sid',
    {
      schema: {
        params: Params,
        querystring: z.object({ saved: z.string().optional(), removed: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const ctx = await context(req, req.params.id)
      return renderSection(reply, ctx, req.params.sid, {
        notice:
          req.query.removed === '1'
            ? msg('answer.evidenceRemoved')
            : req.query.saved === '1'
              ? msg('answer.saved')
              : req.query.saved === '0'
                ? msg('answer.savedNothing')
                : null,
      })
    },
  )

  // The section form is multipart: evidence files travel with the answers.
  await uploadRoutes(app, (uploads) => {
    uploads.post('/assessments/:id/sections/:sid', { schema: { params: Params } }, async (req, reply) => {
      const ctx = await context(req, req.params.id)
      const { fields, files } = await formOf(req.body)
      const form = readSectionForm(ctx.cq, req.params.sid, fields)
      const typed = new Map<string, AnswerValue | null>(
        Object.entries(form.answers).map(([k, v]) => [k, v as AnswerValue | null]),
      )
      const typedComments = new Map(Object.entries(form.comments).map(([k, v]) => [k, v ?? '']))
      // Evidence is checked before anything is saved: a refused file refuses the whole save.
      const refused = new Map<string, string>()
      for (const f of files) {
        const qid = /^file\[(.+)\]$/.exec(f.field)?.[1]
        if (!qid || !ctx.cq.byId.has(qid)) continue
        if (f.data.length > MAX_EVIDENCE_BYTES)
          refused.set(
            qid,
            `"${f.name}" is larger than ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB. Nothing was saved; choose a smaller file.`,
          )
        else {
          if (!sniffEvidenceType(f.data))
            refused.set(
              qid,
              `"${f.name}" is not a PDF, an image or an office document. Nothing was saved; choose another file.`,
            )
        }
      }
      // Rows of a routes table that cannot be saved as typed refuse the whole save too, naming each row.
      for (const [qid, problem] of Object.entries(form.problems)) refused.set(qid, problem)
      if (refused.size > 0)
        return renderSection(
          reply,
          ctx,
          req.params.sid,
          { typed, typedComments, errors: refused, alert: msg('answer.errors') },
          400,
        )
      let saved = 0
      try {
        saved = (
          await saveAnswers(app.db, ctx.p, req.params.id, {
            answers: form.answers,
            comments: form.comments,
            versions: form.versions,
          })
        ).saved
      } catch (err) {
        if (err instanceof AssessmentError && err.status === 409 && Array.isArray(err.details)) {
          const conflicts = new Map(
            (err.details as { question: string; theirs: AnswerValue | null }[]).map((c) => [
              c.question,
              { theirs: c.theirs },
            ]),
          )
          return renderSection(
            reply,
            ctx,
            req.params.sid,
            { typed, typedComments, conflicts, alert: msg('answer.conflict') },
            409,
          )
        }
        if (err instanceof AssessmentError && err.status === 400) {
          const errors = new Map(err.issues.map((i) => [i.field.replace(/^(answers|comments)\./, ''), i.message]))
          return renderSection(
            reply,
            ctx,
            req.params.sid,
            { typed, typedComments, errors, alert: msg('answer.errors') },
            400,
          )
        }
        throw err
      }
      for (const f of files) {
        const qid = /^file\[(.+)\]$/.exec(f.field)?.[1]
        if (qid && ctx.cq.byId.has(qid)) {
          await addEvidence(app.db, ctx.p, req.params.id, qid, { name: f.name, data: f.data }, app.blobs)
          saved++
        }
      }
      const goNext = fields.next === '1' && typeof fields.nextSection === 'string' && fields.nextSection
      return reply.redirect(
        goNext
          ? `/assessments/${req.params.id}/sections/${encodeURIComponent(fields.nextSection as string)}`
          : `/assessments/${req.params.id}/sections/${req.params.sid}?saved=${saved > 0 ? 1 : 0}`,
        303,
      )
    })
  })

  const EvidenceParams = z.object({
    id: idText(),
    evidenceId: idText(),
  })

  app.get('/assessments/:id/evidence/:evidenceId', { schema: { params: EvidenceParams } }, async (req, reply) => {
    const p = app.requirePrincipal(req)
    // The access check comes first (evidenceFile reads the assessment as the caller); the bytes are streamed
    // from the store through the app, never from a link to the folder or bucket.
    const f = await evidenceFile(app.db, p, req.params.id, req.params.evidenceId, app.blobs)
    // Always a download, never rendered in the browser: uploads are not trusted content.
    return reply
      .type(f.type)
      .header('content-length', f.size)
      .header(
        'content-disposition',
        `attachment; filename="${f.name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(f.name)}`,
      )
      .header('x-content-type-options', 'nosniff')
      .send(f.stream)
  })

  app.post(
    '/assessments/:id/evidence/:evidenceId/delete',
    { schema: { params: EvidenceParams } },
    async (req, reply) => {
      const ctx = await context(req, req.params.id)
      const { question } = await deleteEvidence(app.db, ctx.p, req.params.id, req.params.evidenceId, app.blobs, (err) =>
        req.log.error({ err }, 'evidence deleted, but its blob could not be removed yet; it is retried later'),
      )
      const section = ctx.cq.byId.get(question)?.section.id ?? ctx.cq.def.sections[0]?.id ?? ''
      return reply.redirect(`/assessments/${req.params.id}/sections/${encodeURIComponent(section)}?removed=1`, 303)
    },
  )

  app.get('/assessments/:id/submit', { schema: { params: Id } }, async (req, reply) => {
    const ctx = await context(req, req.params.id)
    const missing = missingIn(ctx.cq, ctx.stored)
    return reply.render(
      'pages/answer/submit.eta',
      submitPage({
        title: msg('submit.title'),
        a: ctx.a,
        missing: missing.map((m) => ({ ...m, text: t(ctx.cq.byId.get(m.question)?.question.text) })),
        canSubmit: ctx.owner && lifecycle.openForAnswers(ctx.a.status),
        error: null,
      }),
    )
  })

  app.post('/assessments/:id/submit', { schema: { params: Id } }, async (req, reply) => {
    const ctx = await context(req, req.params.id)
    try {
      // The assessment and answers this request has read are the ones submitted (if still current).
      await submitAssessment(app.db, ctx.p, req.params.id, new Date(), { a: ctx.a, stored: ctx.stored })
    } catch (err) {
      if (err instanceof AssessmentError && (err.status === 400 || err.status === 409)) {
        // Refused for missing answers: those read above. Refused because something changed: read them again.
        const missing =
          err.status === 400 ? missingIn(ctx.cq, ctx.stored) : await missingRequired(app.db, ctx.p, req.params.id)
        return reply.code(err.status).render(
          'pages/answer/submit.eta',
          submitPage({
            title: msg('submit.title'),
            a: ctx.a,
            missing: missing.map((m) => ({ ...m, text: t(ctx.cq.byId.get(m.question)?.question.text) })),
            canSubmit: ctx.owner,
            error: err.message,
          }),
        )
      }
      throw err
    }
    return reply.redirect(`/assessments/${req.params.id}/results`, 303)
  })
}
export default answerPages
