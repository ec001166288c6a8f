import type { ScoreResult } from '../../scoring/result.schema.ts'
import { type Page, viewModel } from './page.ts'

/** views/pages/results/show.eta: the latest score the caller sees, and the corrective action plan. */
export type ResultsPage = Page & {
  a: { id: number; title: string }
  r: ScoreResult
  snap: { created_at: string; reason: string }
  actions: {
    id: number
    question_id: string
    severity: string
    red_flag: number | boolean
    action: string
    timeframe: string
    due_date: string | null
    overdue: boolean
    status: string
    version: number
    owner: string | null
    notes: string | null
    closing_evidence: string | null
  }[]
  /** Action statuses, in the order the owner's select lists them. */
  statuses: readonly string[]
  /** The caller's organisation answers this assessment (and owns its actions). */
  owner: boolean
  /** A reviewing brand may verify done actions and add notes. */
  followUp: boolean
  indicators: Record<string, string>
}
export const resultsPage = viewModel<ResultsPage>()

/** views/pages/results/import-errors.eta: why an uploaded workbook was refused, cell by cell. */
export type ImportErrorsPage = Page & {
  a: { id: number }
  errors: { sheet: string; cell: string; reason: string }[]
  /** Where "back" goes; the action plan by default. */
  back?: string
}
export const importErrorsPage = viewModel<ImportErrorsPage>()

/** views/pages/review/queue.eta */
export type ReviewQueuePage = Page & {
  rows: { id: number; title: string; organisation_name: string; status: string; submitted_at: string | null }[]
}
export const reviewQueuePage = viewModel<ReviewQueuePage>()

/** views/pages/review/show.eta: a brand's review of the answers. */
export type ReviewPage = Page & {
  a: { id: number; title: string; organisation_name: string; status: string }
  rows: {
    id: string
    text: string
    /** The answer in words. */
    answer: string
    comment: string
    unverified: boolean
    severity: string | null
    decision: { decision: string; method: string | null; comment: string | null; resolved_at: string | null } | null
    evidence: { id: number; name: string }[]
  }[]
  /** Verification methods, code to label. */
  methods: Record<string, string>
  flags: { question_id: string | null; reason: string }[]
  /** Suspected flags raised by the rubric's consistency rules on the latest score this brand sees. */
  ruleFlags: ScoreResult['suspectedFlags']
  indicators: Record<string, string>
  canReview: boolean
  /** This brand's review does not move the status (it is not the requesting brand). */
  ownReviewOnly: boolean
  rating: string | null
}
export const reviewPage = viewModel<ReviewPage>()
