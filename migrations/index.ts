import type { Migration } from 'kysely'
import * as m20261128_1000 from './2026_11_28_1000_questionnaire_versions.ts'
import * as m20261128_1100 from './2026_11_28_1100_rubrics_and_scores.ts'
import * as m20261128_1200 from './2026_11_28_1200_organisations_people_assessments.ts'
import * as m20261128_1300 from './2026_11_28_1300_review_evidence_actions.ts'
import * as m20261203_1210 from './2026_12_03_1210_per_brand_review.ts'
import * as m20261203_1500 from './2026_12_03_1500_sign_in_throttle.ts'
import * as m20261207_1000 from './2026_12_07_1000_jobs.ts'
import * as m20261207_1100 from './2026_12_07_1100_evidence_blob_release.ts'
import * as m20261207_1200 from './2026_12_07_1200_portfolio_summary.ts'
import * as m20261208_0100 from './2026_12_08_0100_rule_flag_decision.ts'
import * as m20261208_0200 from './2026_12_08_0200_rescore_changes_and_operators.ts'

/** Every migration, by name. Names sort by date; Kysely runs them in that order. */
export const migrations: Record<string, Migration> = {
  '2026_11_28_1000_questionnaire_versions': m20261128_1000,
  '2026_11_28_1100_rubrics_and_scores': m20261128_1100,
  '2026_11_28_1200_organisations_people_assessments': m20261128_1200,
  '2026_11_28_1300_review_evidence_actions': m20261128_1300,
  '2026_12_03_1210_per_brand_review': m20261203_1210,
  '2026_12_03_1500_sign_in_throttle': m20261203_1500,
  '2026_12_07_1000_jobs': m20261207_1000,
  '2026_12_07_1100_evidence_blob_release': m20261207_1100,
  '2026_12_07_1200_portfolio_summary': m20261207_1200,
  '2026_12_08_0100_rule_flag_decision': m20261208_0100,
  '2026_12_08_0200_rescore_changes_and_operators': m20261208_0200,
}
