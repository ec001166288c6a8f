import type { QuestionnaireDef } from '../../questionnaire/model.ts'
import type { Choice, Question, Text } from '../../questionnaire/questionnaire.schema.ts'
import { type Page, viewModel } from './page.ts'

/** views/pages/questionnaires/list.eta */
export type QuestionnaireListPage = Page & {
  items: {
    id: string
    title: string
    description: string
    respondent: string
    version: string
    revision: number
    sections: number
    questions: number
  }[]
}
export const questionnaireListPage = viewModel<QuestionnaireListPage>()

/** views/pages/questionnaires/show.eta: a questionnaire version as a reader browses it, with its scoring. */
export type QuestionnairePage = Page & {
  q: QuestionnaireDef
  v: { id: string; version: string; revision: number; contentHash: string; createdAt: string }
  versions: { revision: number }[]
  respondent: string
  /** Picks the text of the reader's language. */
  t: (text: Text | undefined) => string
  choicesOf: (q: Question) => Choice[]
  frameworks: Record<string, string>
  indicators: Record<string, string>
  gapTypes: Record<string, string>
  themes: Record<string, string>
}
export const questionnairePage = viewModel<QuestionnairePage>()
