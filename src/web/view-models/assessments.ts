import { type Page, viewModel } from './page.ts'

/** Answered and applicable questions, counted as the section pages count them. */
export type Progress = { answered: number; applicable: number }

/** A stored score as the supplier page lists it (views/partials/snapshot-row.eta). */
export type SnapshotRow = {
  created_at: string
  reason: string
  rating: string
  control_score: number | null
  inherent_score: number | null
  red_flags: number
}

/** views/pages/assessments/list.eta: the assessments the caller answers, requested or sees. */
export type AssessmentListPage = Page & {
  items: {
    id: number
    title: string
    organisation_name: string
    status: string
    decline_reason: string | null
    relation: string
    requested_by_name: string | null
    due_date: string | null
    progress: Progress | null
  }[]
  /** Questionnaires the caller may start a self-check with. */
  questionnaires: { id: string; title: string }[]
}
export const assessmentListPage = viewModel<AssessmentListPage>()

/** views/pages/assessments/show.eta: one assessment's overview. */
export type AssessmentPage = Page & {
  a: {
    id: number
    title: string
    status: string
    organisation_name: string
    questionnaire_id: string
    questionnaire_title: string
    questionnaire_version: string
    questionnaire_revision: number
    relation: string
    requested_by_name: string | null
    due_date: string | null
    declined_at: string | null
    decline_reason: string | null
    submitted_at: string | null
  }
  progress: Progress
  /** A returned assessment opens at the first section with an answer sent back. */
  returnedSection: string | null
  shares: { organisation_id: number; name: string; kind: string; granted_at: string; revoked_at: string | null }[]
  /** The assessment page's rows name the rubric too. */
  snapshots: (SnapshotRow & { rubric_id: string; rubric_revision: number })[]
  /** The caller's organisation answers this assessment. */
  owner: boolean
  /** Brands it may be shared with. */
  brands: { id: number; name: string }[]
  canDecline: boolean
  /** What the status allows (assessment/lifecycle.ts): the template never compares statuses itself. */
  state: { open: boolean; returned: boolean; reviewOpen: boolean; declined: boolean; shareable: boolean }
  /** What a questionnaire workbook upload just saved and ignored. */
  imported: { saved: number; ignored: { id: string; text: string }[] } | null
}
export const assessmentPage = viewModel<AssessmentPage>()

/** views/pages/assessments/request.eta */
export type RequestPage = Page & {
  suppliers: { id: number; name: string; kind: string }[]
  questionnaires: { id: string; title: string; respondent: string }[]
  error: string | null
}
export const requestPage = viewModel<RequestPage>()
