import type { QuestionnaireCurrentTable, QuestionnaireVersionTable } from '../questionnaire/questionnaire.table.ts'
import type {
  RubricCountryRiskTable,
  RubricCurrentTable,
  RubricVersionTable,
  ScoreSnapshotTable,
} from '../scoring/scoring.table.ts'

/** The whole schema, assembled from each feature's table interfaces. */
export interface Database {
  questionnaire_version: QuestionnaireVersionTable
  questionnaire_current: QuestionnaireCurrentTable
  rubric_version: RubricVersionTable
  rubric_country_risk: RubricCountryRiskTable
  rubric_current: RubricCurrentTable
  score_snapshot: ScoreSnapshotTable
}
