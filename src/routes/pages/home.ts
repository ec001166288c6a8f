import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { homePage } from '../../web/view-models/misc.ts'

const homeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/', async (_req, reply) => {
    return reply.render('pages/home.eta', homePage({ title: 'Responsible recruitment due diligence' }))
  })
}
export default homeRoutes
