import type { Generated, Selectable } from 'kysely'

import type { AssessmentStatus } from './lifecycle.ts'

export interface AssessmentTable {
  id: Generated<number>
  organisation_id: number
  questionnaire_version_id: number
  title: string
  status: AssessmentStatus
  requested_by: number | null
  due_date: string | null
  created_by: number | null
  created_at: string
  submitted_at: string | null
  reviewed_at: string | null
  revision: Generated<number>
  declined_at: string | null
  decline_reason: string | null
}

export interface AssessmentAccessTable {
  assessment_id: number
  organisation_id: number
  kind: 'requested' | 'shared'
  granted_at: string
  revoked_at: string | null
  /** The assessment's organisation (it never changes), copied for the portfolio's per-supplier lookups. */
  supplier_id: number
  /**
   * The latest snapshot of the assessment this organisation sees (score-snapshot.repository's rule); kept
   * by storeSnapshot and share. Null until there is one.
   */
  latest_snapshot_id: number | null
}

export interface AnswerTable {
  assessment_id: number
  question_id: string
  /** JSON of the answer value (choice id, list of choice ids, number, text, ISO date). */
  value: string | null
  comment: string | null
  updated_by: number | null
  updated_at: string
  version: Generated<number>
}

export type AssessmentRow = Selectable<AssessmentTable>
export type AnswerRow = Selectable<AnswerTable>

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'verified'] as const
export type ActionStatus = (typeof ACTION_STATUSES)[number]
export const REVIEW_DECISIONS = ['accepted', 'verified', 'returned'] as const
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number]

export interface EvidenceTable {
  id: Generated<number>
  assessment_id: number
  question_id: string
  file_name: string
  media_type: string
  size: number
  sha256: string
  uploaded_by: number | null
  uploaded_at: string
  deleted_at: string | null
}

/** A blob to remove once no evidence row of its organisation names its content (evidence-blobs.ts). */
export interface EvidenceBlobReleaseTable {
  id: Generated<number>
  organisation_id: number
  sha256: string
  created_at: string
}

export interface ReviewDecisionTable {
  id: Generated<number>
  assessment_id: number
  question_id: string
  organisation_id: number
  reviewer_user_id: number | null
  decision: ReviewDecision
  method: string | null
  comment: string | null
  created_at: string
  resolved_at: string | null
}

export interface SuspectedFlagTable {
  id: Generated<number>
  assessment_id: number
  organisation_id: number
  question_id: string | null
  indicator: string | null
  reason: string
  raised_by: number | null
  created_at: string
  closed_at: string | null
}

/** A reviewing brand's decision on a consistency rule's suspected flag (the last per rule is current). */
export interface RuleFlagDecisionTable {
  id: Generated<number>
  assessment_id: number
  organisation_id: number
  rule_id: string
  decision: 'cleared' | 'confirmed'
  comment: string
  decided_by: number | null
  created_at: string
}

export interface ActionItemTable {
  id: Generated<number>
  assessment_id: number
  question_id: string
  gap_type: string | null
  severity: string
  red_flag: number
  action: string
  timeframe: string
  owner: string | null
  due_date: string | null
  status: ActionStatus
  notes: string | null
  closing_evidence: string | null
  created_at: string
  updated_at: string
  verified_by: number | null
  version: Generated<number>
}

export type ActionItemRow = Selectable<ActionItemTable>

/**
 * One snapshot a re-score job added and the snapshot it follows in the same series (the latest before the
 * re-score), with both ratings copied: the "what changed" workbook is built from these after the job ends.
 * Deleted with its job.
 */
export interface RescoreChangeTable {
  job_id: number
  after_snapshot_id: number
  before_snapshot_id: number
  assessment_id: number
  /** The brand whose reviewed series this is; null: the self-assessed series. */
  reviewer_organisation_id: number | null
  rating_before: string
  rating_after: string
}
