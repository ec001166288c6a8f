import formbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** HTML forms post application/x-www-form-urlencoded bodies; pages must work without JavaScript. */
export default fp(
  async (app: FastifyInstance) => {
    await app.register(formbody, { bodyLimit: 1024 * 1024 })
  },
  { name: 'formbody' },
)
