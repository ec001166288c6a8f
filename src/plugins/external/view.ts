import view from '@fastify/view'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { VIEWS_DIR } from '../../paths.ts'
import { createEta } from '../../web/eta.ts'

/** Server-rendered pages: eta templates under views/, escaped by default (`<%= %>`). */
export default fp(
  async (app: FastifyInstance) => {
    const eta = createEta(VIEWS_DIR)
    await app.register(view, {
      engine: { eta },
      root: VIEWS_DIR,
      // Without production: true the templates are re-read from disk on every render.
      production: app.config.env !== 'development',
      defaultContext: { appName: 'Fairhire' },
    })
  },
  { name: 'view', dependencies: ['config'] },
)
