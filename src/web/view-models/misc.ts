import { type Page, type PageContext, viewModel } from './page.ts'

/** views/pages/home.eta */
export type HomePage = Page & {
  /** A platform operator sees a link to the re-score page. */
  operator?: boolean
}
export const homePage = viewModel<HomePage>()

/**
 * views/pages/error.eta, rendered by the error handler (src/plugins/app/errors.ts) with `reply.view`: a
 * request that failed may not reach `reply.render`, so it brings the page context itself.
 */
export type ErrorPage = Page &
  PageContext & {
    status: number
    message: string
    issues: { field: string; message: string }[]
    requestId: string
  }
export const errorPage = viewModel<ErrorPage>()
