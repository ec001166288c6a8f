import type { RescoreJobView, RubricDue } from '../../assessment/rescore-report.service.ts'
import { type Page, viewModel } from './page.ts'

/**
 * views/pages/operator/rescore.eta: for platform operators only. Each rubric's current version with the scores
 * still on an older one and a button to re-score them, and the latest re-score jobs (`current` null); or one job
 * with its progress and, once done, its "what changed" workbook.
 */
export type RescorePage = Page & {
  rubrics: RubricDue[]
  jobs: RescoreJobView[]
  current: RescoreJobView | null
  /** After a POST: whether it queued a new job or found the one already queued or running. */
  created: boolean | null
}
export const rescorePage = viewModel<RescorePage>()
