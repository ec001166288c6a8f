import type { QuestionView, SectionNav } from '../answer-page.ts'
import { type Page, viewModel } from './page.ts'

/**
 * views/pages/answer/section.eta: one section of the questionnaire to answer. The questions come from
 * buildSection (src/web/answer-page.ts); each input is drawn by views/partials/answer/<type>.eta.
 */
export type SectionPage = Page & {
  a: { id: number; title: string }
  section: { id: string; title: string; description: string; applies: boolean; profile?: boolean }
  nav: { sections: SectionNav[]; answered: number; applicable: number }
  questions: QuestionView[]
  /** The next section that applies, for "Save and continue". */
  next: string | null
  /** JSON of the answers elsewhere that this section's conditions read (for the page script). */
  savedValues: string
  maxEvidence: number
  anyEditable: boolean
  notice: string | null
  alert: string | null
}
export const sectionPage = viewModel<SectionPage>()

/** views/pages/answer/submit.eta: the required questions still unanswered, and the submit button. */
export type SubmitPage = Page & {
  a: { id: number; title: string }
  missing: { section: string; question: string; text: string }[]
  canSubmit: boolean
  error: string | null
}
export const submitPage = viewModel<SubmitPage>()
