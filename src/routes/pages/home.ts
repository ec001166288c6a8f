import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { isOperator } from '../../access/operator.service.ts'
import { homePage } from '../../web/view-models/misc.ts'

const homeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/', async (req, reply) => {
    return reply.render(
      'pages/home.eta',
      homePage({ title: 'Responsible recruitment due diligence', operator: await isOperator(app.db, req.principal) }),
    )
  })
}
export default homeRoutes
