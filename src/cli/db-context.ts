import { join } from 'node:path'
import { loadConfig } from '../config.ts'
import { type Db, openDatabase } from '../db/connection.ts'
import { migrateToLatest } from '../db/migrator.ts'
import { loadArchivedQuestionnaires, loadQuestionnaireDir } from '../questionnaire/loader.ts'
import type { QuestionnaireFile } from '../questionnaire/questionnaire.schema.ts'
import { storeQuestionnaires } from '../questionnaire/questionnaire.service.ts'
import { syncRubricDir } from '../scoring/rubric.service.ts'

/**
 * Opens the configured database as the server would (migrated, shipped questionnaires and rubrics
 * stored), runs `fn`, and closes it.
 */
export async function withDatabase<T>(
  fn: (db: Db, ctx: { questionnaires: QuestionnaireFile[] }) => Promise<T>,
): Promise<T> {
  const config = loadConfig()
  const { db } = openDatabase(config.database)
  try {
    await migrateToLatest(db)
    const loaded = loadQuestionnaireDir(config.questionnairesDir)
    await storeQuestionnaires(db, loadArchivedQuestionnaires(config.questionnairesDir), new Date(), { current: false })
    await storeQuestionnaires(db, loaded)
    const questionnaires = loaded.map((q) => q.def)
    await syncRubricDir(db, join(config.questionnairesDir, 'rubrics'), questionnaires)
    return await fn(db, { questionnaires })
  } finally {
    await db.destroy()
  }
}
