import type { Kysely } from 'kysely'
import type {
  ApiTokenTable,
  AuditLogTable,
  BrandSupplierTable,
  InvitationTable,
  OrganisationTable,
  PlatformOperatorTable,
  SessionTable,
  SignInThrottleTable,
  UserAccountTable,
} from '../access/access.table.ts'
import type {
  ActionItemTable,
  AnswerTable,
  AssessmentAccessTable,
  AssessmentTable,
  EvidenceBlobReleaseTable,
  EvidenceTable,
  RescoreChangeTable,
  ReviewDecisionTable,
  RuleFlagDecisionTable,
  SuspectedFlagTable,
} from '../assessment/assessment.table.ts'
import type { JobTable } from '../jobs/job.table.ts'
import type { QuestionnaireCurrentTable, QuestionnaireVersionTable } from '../questionnaire/questionnaire.table.ts'
import type {
  RubricCountryRiskTable,
  RubricCurrentTable,
  RubricVersionTable,
  ScoreSnapshotTable,
  ScoreSummaryTable,
} from '../scoring/scoring.table.ts'

/** The whole schema, assembled from each feature's table interfaces. */
export interface Database {
  questionnaire_version: QuestionnaireVersionTable
  questionnaire_current: QuestionnaireCurrentTable
  rubric_version: RubricVersionTable
  rubric_country_risk: RubricCountryRiskTable
  rubric_current: RubricCurrentTable
  score_snapshot: ScoreSnapshotTable
  score_summary: ScoreSummaryTable
  organisation: OrganisationTable
  brand_supplier: BrandSupplierTable
  user_account: UserAccountTable
  session: SessionTable
  sign_in_throttle: SignInThrottleTable
  api_token: ApiTokenTable
  invitation: InvitationTable
  assessment: AssessmentTable
  assessment_access: AssessmentAccessTable
  answer: AnswerTable
  audit_log: AuditLogTable
  evidence: EvidenceTable
  evidence_blob_release: EvidenceBlobReleaseTable
  review_decision: ReviewDecisionTable
  suspected_flag: SuspectedFlagTable
  rule_flag_decision: RuleFlagDecisionTable
  action_item: ActionItemTable
  job: JobTable
  rescore_change: RescoreChangeTable
  platform_operator: PlatformOperatorTable
}

/**
 * What a repository runs its queries on: the database or an open transaction (Kysely's Transaction is a
 * Kysely, so either fits without a cast).
 */
export type Conn = Kysely<Database>
