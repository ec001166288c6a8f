import type { AuditPage, InvitationsPage, InvitePage, PeoplePage, SuppliersPage, TokensPage } from './access.ts'
import type { SectionPage, SubmitPage } from './answer.ts'
import type { AssessmentListPage, AssessmentPage, RequestPage } from './assessments.ts'
import type { LoginPage, PasswordPage, SetupPage } from './auth.ts'
import type { HomePage } from './misc.ts'
import type { RescorePage } from './operator.ts'
import type { PortfolioExportsPage, PortfolioPage, SupplierPage } from './portfolio.ts'
import type { QuestionnaireListPage, QuestionnairePage } from './questionnaires.ts'
import type { ImportErrorsPage, ResultsPage, ReviewPage, ReviewQueuePage } from './results.ts'

/**
 * Every page template `reply.render` draws, with the view model it reads. `reply.render` takes only these
 * names, each with its model, so tsc checks what a route gives a template. A new page adds its line here.
 */
export type PageModels = {
  'pages/home.eta': HomePage
  'pages/auth/login.eta': LoginPage
  'pages/auth/setup.eta': SetupPage
  'pages/auth/password.eta': PasswordPage
  'pages/access/invitations.eta': InvitationsPage
  'pages/access/invite.eta': InvitePage
  'pages/access/people.eta': PeoplePage
  'pages/access/tokens.eta': TokensPage
  'pages/access/audit.eta': AuditPage
  'pages/access/suppliers.eta': SuppliersPage
  'pages/assessments/list.eta': AssessmentListPage
  'pages/assessments/show.eta': AssessmentPage
  'pages/assessments/request.eta': RequestPage
  'pages/answer/section.eta': SectionPage
  'pages/answer/submit.eta': SubmitPage
  'pages/results/show.eta': ResultsPage
  'pages/results/import-errors.eta': ImportErrorsPage
  'pages/review/queue.eta': ReviewQueuePage
  'pages/review/show.eta': ReviewPage
  'pages/portfolio/index.eta': PortfolioPage
  'pages/portfolio/supplier.eta': SupplierPage
  'pages/portfolio/exports.eta': PortfolioExportsPage
  'pages/questionnaires/list.eta': QuestionnaireListPage
  'pages/questionnaires/show.eta': QuestionnairePage
  'pages/operator/rescore.eta': RescorePage
}

export type PageTemplate = keyof PageModels
