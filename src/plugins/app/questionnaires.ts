import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { loadArchivedQuestionnaires, loadQuestionnaireDir } from '../../questionnaire/loader.ts'
import { storeQuestionnaires } from '../../questionnaire/questionnaire.service.ts'
import { syncRubricDir } from '../../scoring/rubric.service.ts'

/**
 * Loads the questionnaire files and the rubrics beside them at start-up and stores new versions.
 * A broken file stops start-up with the file, the path inside it and what is wrong.
 */
export default fp(
  async (app: FastifyInstance) => {
    const dir = app.config.questionnairesDir
    const loaded = loadQuestionnaireDir(dir)
    await storeQuestionnaires(app.db, loadArchivedQuestionnaires(dir), new Date(), { current: false })
    for (const s of await storeQuestionnaires(app.db, loaded)) {
      app.log.info({ questionnaire: s.id, revision: s.revision, new: s.created }, 'questionnaire loaded')
    }
    const rubrics = await syncRubricDir(
      app.db,
      join(dir, 'rubrics'),
      loaded.map((q) => q.def),
    )
    for (const r of rubrics) app.log.info({ rubric: r.id, revision: r.revision, new: r.created }, 'rubric loaded')
  },
  { name: 'questionnaires', dependencies: ['db'] },
)
