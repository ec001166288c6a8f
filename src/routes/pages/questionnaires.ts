import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HttpError } from '../../plugins/app/errors.ts'
import { choicesOf } from '../../questionnaire/model.ts'
import {
  getQuestionnaireVersion,
  listQuestionnaires,
  listQuestionnaireVersions,
  VersionNotFound,
} from '../../questionnaire/questionnaire.service.ts'
import { t } from '../../questionnaire/text.ts'
import { FRAMEWORKS, GAP_TYPES, INDICATORS, THEMES } from '../../questionnaire/vocabulary.ts'
import { questionnaireListPage, questionnairePage } from '../../web/view-models/questionnaires.ts'

const RESPONDENT_LABEL: Record<string, string> = {
  employer: 'Employer (site HR or compliance manager)',
  recruiter: 'Labour recruiter',
  brand: 'Brand or buyer',
}

/** Read-only pages a compliance team reads before sending a questionnaire. */
const questionnairePages: FastifyPluginAsyncZod = async (app) => {
  app.get('/questionnaires', async (_req, reply) => {
    const all = await listQuestionnaires(app.db)
    return reply.render(
      'pages/questionnaires/list.eta',
      questionnaireListPage({
        title: 'Questionnaires',
        items: all.map((v) => ({
          id: v.id,
          title: t(v.def.title),
          description: t(v.def.description),
          respondent: RESPONDENT_LABEL[v.def.respondent] ?? v.def.respondent,
          version: v.version,
          revision: v.revision,
          sections: v.def.sections.length,
          questions: v.def.sections.reduce((n, s) => n + s.questions.length, 0),
        })),
      }),
    )
  })

  app.get(
    '/questionnaires/:id',
    {
      schema: {
        params: z.object({ id: z.string().max(64) }),
        querystring: z.object({ version: z.string().max(64).optional() }),
      },
    },
    async (req, reply) => {
      let v: Awaited<ReturnType<typeof getQuestionnaireVersion>>
      try {
        v = await getQuestionnaireVersion(app.db, req.params.id, req.query.version)
      } catch (err) {
        if (err instanceof VersionNotFound) throw new HttpError(404, err.message)
        throw err
      }
      const versions = await listQuestionnaireVersions(app.db, v.id)
      return reply.render(
        'pages/questionnaires/show.eta',
        questionnairePage({
          title: t(v.def.title),
          v,
          q: v.def,
          versions,
          respondent: RESPONDENT_LABEL[v.def.respondent] ?? v.def.respondent,
          t,
          choicesOf,
          frameworks: FRAMEWORKS,
          indicators: INDICATORS,
          gapTypes: GAP_TYPES,
          themes: THEMES,
        }),
      )
    },
  )
}
export default questionnairePages
