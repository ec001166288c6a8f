import type { QuestionnaireCurrentTable, QuestionnaireVersionTable } from '../questionnaire/questionnaire.table.ts'

/** The whole schema, assembled from each feature's table interfaces. */
export interface Database {
  questionnaire_version: QuestionnaireVersionTable
  questionnaire_current: QuestionnaireCurrentTable
}
