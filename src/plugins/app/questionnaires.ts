import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { syncQuestionnaireDir } from '../../questionnaire/questionnaire.service.ts'

/** Loads and stores the questionnaire files at start-up; a broken file stops start-up. */
export default fp(
  async (app: FastifyInstance) => {
    const synced = await syncQuestionnaireDir(app.db, app.config.questionnairesDir)
    for (const s of synced) {
      app.log.info({ questionnaire: s.id, revision: s.revision, new: s.created }, 'questionnaire loaded')
    }
  },
  { name: 'questionnaires', dependencies: ['db'] },
)
