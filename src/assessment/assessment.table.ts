import type { Generated, Selectable } from 'kysely'

export const ASSESSMENT_STATUSES = ['draft', 'submitted', 'returned', 'reviewed'] as const
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number]

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
}

export interface AssessmentAccessTable {
  assessment_id: number
  organisation_id: number
  kind: 'requested' | 'shared'
  granted_at: string
  revoked_at: string | null
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
