import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { formatters, languageOf, messages } from '../../web/messages.ts'
import type { PageModels, PageTemplate } from '../../web/view-models/index.ts'

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Renders a page with what every page needs: the signed-in principal, a CSRF token for its forms, and the
     * interface text and formats of the reader's language (`m` for messages, `fmt` for dates and numbers).
     * The data is the page's view model (src/web/view-models/), checked against the template's name.
     */
    render: <T extends PageTemplate>(template: T, data: PageModels[T]) => Promise<FastifyReply>
  }
}

export default fp(
  async (app: FastifyInstance) => {
    app.decorateReply(
      'render',
      async function (this: FastifyReply, template: PageTemplate, data: PageModels[PageTemplate]) {
        const csrfToken = this.generateCsrf()
        const lang = languageOf(this.request)
        return this.type('text/html; charset=utf-8').view(template, {
          principal: this.request.principal,
          csrfToken,
          path: this.request.url,
          lang,
          m: messages(lang),
          fmt: formatters(lang),
          ...data,
        })
      },
    )
  },
  { name: 'render', dependencies: ['view', 'security', 'auth'] },
)
