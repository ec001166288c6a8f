import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'

const homeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/', async (_req, reply) => {
    return reply.render('pages/home.eta', { title: 'Responsible recruitment due diligence' })
  })
}
export default homeRoutes
