import type { Principal } from '../../access/principal.ts'
import type { Formatters, Messages } from '../messages.ts'

/**
 * What every page receives from `reply.render` (src/plugins/app/render.ts) besides its own view model: the
 * signed-in principal, the CSRF token its forms post back, and the reader's language, messages and formats.
 * The layout and the partials (views/partials/) read these too.
 */
export type PageContext = {
  principal: Principal | null | undefined
  csrfToken: string
  path?: string
  lang: string
  m: Messages
  fmt: Formatters
}

/** What each page's own model has: the document title (the layout adds " · Fairhire"). */
export type Page = { title?: string }

/**
 * A view model's builder: the route hands it the data it gathered, and tsc checks that data against what
 * the template reads. The model is passed on as it is, so building it costs nothing on the hot pages.
 */
export function viewModel<M extends Page>(): (model: M) => M {
  return (model) => model
}
