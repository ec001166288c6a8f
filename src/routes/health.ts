import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ping } from '../db/connection.ts'
import { pendingMigrations } from '../db/migrator.ts'

const Health = z.object({ status: z.enum(['ok', 'unavailable']), detail: z.string().optional() })

/** Liveness (the process answers) and readiness (the database answers and its schema is current). */
const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', { schema: { response: { 200: Health } } }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', { schema: { response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    try {
      await ping(app.db)
      const pending = await pendingMigrations(app.db)
      if (pending.length > 0) {
        return reply.code(503).send({ status: 'unavailable', detail: `pending migrations: ${pending.join(', ')}` })
      }
      return { status: 'ok' as const }
    } catch (err) {
      app.log.error({ err }, 'readiness check failed')
      return reply.code(503).send({ status: 'unavailable', detail: 'database not reachable' })
    }
  })
}
export default healthRoutes
