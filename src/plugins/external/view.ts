import view from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { VIEWS_DIR } from '../../paths.ts'

/** Server-rendered pages: eta templates under views/, escaped by default (`<%= %>`). */
export default fp(
  async (app: FastifyInstance) => {
    const eta = new Eta({ views: VIEWS_DIR, cache: true, autoTrim: [false, 'nl'] })
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
