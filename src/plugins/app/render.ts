import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page with what every page needs: the signed-in principal and a CSRF token for its forms. */
    render: (template: string, data?: Record<string, unknown>) => Promise<FastifyReply>
  }
}

export default fp(
  async (app: FastifyInstance) => {
    app.decorateReply(
      'render',
      async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
        const csrfToken = this.generateCsrf()
        return this.type('text/html; charset=utf-8').view(template, {
          principal: this.request.principal,
          csrfToken,
          path: this.request.url,
          ...data,
        })
      },
    )
  },
  { name: 'render', dependencies: ['view', 'security', 'auth'] },
)
